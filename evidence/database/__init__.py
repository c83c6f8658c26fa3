"""Database: the connection (PostgreSQL through a psycopg pool, or SQLite from the standard
library) and its schema, with versioned migrations.

In: ``Settings.database_url`` (``postgresql://…``) or a SQLite file. Out: a `Database` whose
``transaction()`` yields a cursor taking ``%s`` parameters on either engine; `migrate`
brings the schema up to date and refuses a database newer than this evidence knows.
Unreachable databases raise `DatabaseUnavailableError` ("try again"), never a driver error.
"""

from .connect import Database, open_database
from .schema import migrate

__all__ = ["Database", "migrate", "open_database"]
