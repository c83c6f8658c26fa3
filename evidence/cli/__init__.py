"""The `evidence` command: a thin wrapper over the public `evidence` surface.

Library errors become ``Error: ...`` with exit code 1; bad input inside files is
reported, not fatal. Every command has --help. Other packages add commands through the
``evidence.commands`` entry point group (the web UI adds `serve`), so this package never
imports them.
"""

from __future__ import annotations

import sys
from importlib.metadata import EntryPoint, entry_points

import click

from .. import __version__
from .build import import_command, index_command
from .find import search_command, show_command
from .projects import database_group, project_group
from .retractions import retractions_group
from .write import audit_command, cite_command, points_command, proposal_command


class _Commands(click.Group):
    """The commands here, plus those other packages register as ``evidence.commands`` entry
    points, loaded only when asked for (so `evidence search` never imports the web UI)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *(e.name for e in _plugins())})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None:
            found = [e for e in _plugins() if e.name == name]
            command = found[0].load() if found else None
        return command


def _plugins() -> list[EntryPoint]:
    return list(entry_points(group="evidence.commands"))


@click.group(
    cls=_Commands,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="evidence")
def main() -> None:
    """Find the studies, and the exact passages, that support a claim; cite them.

    \b
    Quick start:
      evidence index                          build the index of the bundled corpus
      evidence search "peer support reduces PTSD in firefighters"
      evidence show carleton2020mental        one study in full
      evidence import my-library.bib          add your own BibTeX (Zotero, JabRef, ...)
      evidence audit proposal.docx            check a draft's citations and claims
      evidence points "peer support and PTSD" --format docx -o points.docx
      evidence proposal peer-support-program -o proposal.docx
      evidence cite carleton2020mental --style vancouver
      evidence retractions load retraction_watch.csv   check studies and drafts offline
      evidence project create "Peer support" --by Ana   a project to share with a team
      evidence database status                the shared PostgreSQL (EVIDENCE_DATABASE_URL)
      evidence serve                          the web UI on http://127.0.0.1:5000
    """


for _command in (
    index_command,
    import_command,
    search_command,
    show_command,
    points_command,
    proposal_command,
    cite_command,
    audit_command,
    retractions_group,
    project_group,
    database_group,
):
    main.add_command(_command)

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
