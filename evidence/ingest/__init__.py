"""ingest: (docstring to come)."""
