"""The `evidence` command: a thin wrapper, errors as `Error: ...`, documented in the README."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence import Settings
from evidence.cli import main

from .conftest import DATA, ROOT, shared_path

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output.splitlines()) > 4
    assert re.search(rf"evidence {command}\b", README), f"`evidence {command}` is not in README"


def test_every_setting_is_documented() -> None:
    source = (ROOT / "evidence" / "config.py").read_text(encoding="utf-8")
    for field in dataclasses.fields(Settings):
        pattern = rf"    {field.name}: .*\n    \"\"\""
        assert re.search(pattern, source), f"Settings.{field.name} has no docstring"
    assert "EVIDENCE_<NAME>" in README


def test_import_check_reports_problems_with_file_and_line(tmp_path: Path) -> None:
    bib = tmp_path / "broken.bib"
    bib.write_text(
        "@article{ok, title = {Fine}, year = 2001}\n@article{ok, title = {Again}, year = 2002}\n"
    )
    result = CliRunner().invoke(main, ["import", "--check", str(bib)])
    assert result.exit_code == 0, result.output
    assert "Would import 2 studies" in result.output
    assert f"{bib}:2: warning: key 'ok' was already used" in result.output


def test_import_check_says_what_is_broken_and_what_to_do(tmp_path: Path) -> None:
    bib = tmp_path / "broken.bib"
    bib.write_text(
        "@article{a,\n  title = {Never closed,\n  year = {2020},\n}\n\n"
        "@article{b,\n  title = {Fine}\n  year = 2021\n}\n"
    )
    result = CliRunner().invoke(main, ["import", "--check", str(bib)])
    assert result.exit_code == 0, result.output
    assert f"Would import 1 study from {bib}." in result.output
    assert (
        f"{bib}:1: error: the entry that starts on line 1 is never closed: the value that opens "
        "on line 2 has no closing '}' (the field 'year' on line 3 is inside it). Add the '}' "
        "that ends that value, then import again; the entry was skipped."
    ) in result.output
    assert (
        f"{bib}:7: warning: entry 'b': a comma is missing after the field ending on line 7, so "
        "'year' was read as part of it. Add ',' at the end of line 7"
    ) in result.output
    assert "Exception" not in result.output


def test_import_check_reads_ris_and_csl_json(tmp_path: Path) -> None:
    files = [str(DATA / "imports" / name) for name in ("zotero.ris", "pandoc.json")]
    result = CliRunner().invoke(main, ["import", "--check", "--json", *files])
    assert result.exit_code == 0, result.output
    shape = json.loads(result.output)
    assert shape["summary"] == "Would import 5 studies from 2 files."
    assert shape["checked"] is True and shape["problems"] == []


def test_import_of_a_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ris"
    result = CliRunner().invoke(main, ["import", "--check", str(missing)])
    assert result.exit_code == 1
    assert f"Error: {missing}: no such file. Check the path and try again." in result.output


def test_import_of_nothing_readable_fails_cleanly(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bib"
    empty.write_text("")
    result = CliRunner().invoke(main, ["import", "--check", str(empty)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "empty.bib: the file is empty" in result.output
    assert "Traceback" not in result.output


def test_import_of_shared_fixtures_names_file_and_line_for_every_problem() -> None:
    folder = shared_path("fixtures", "bib")
    files = sorted(str(p) for p in folder.glob("*.bib"))
    result = CliRunner().invoke(main, ["import", "--check", *files])
    assert result.exit_code == 0, result.output
    problems = [line for line in result.output.splitlines() if line.startswith("  ")]
    assert len(problems) > 100
    assert all(re.match(r"  \S+\.bib:\d+: (warning|error): ", line) for line in problems)


@pytest.mark.model
def test_index_search_show_and_import_on_a_private_library(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EVIDENCE_CORPUS", str(DATA / "tiny.bib"))
    index = str(tmp_path / "index")
    runner = CliRunner()
    built = runner.invoke(main, ["index", "--index", index])
    assert built.exit_code == 0, built.output
    assert "4 studies" in built.output
    found = runner.invoke(
        main, ["search", "peer support and PTSD in firefighters", "--index", index, "-k", "1"]
    )
    assert found.exit_code == 0 and "[alpha2020peer]" in found.output
    shown = runner.invoke(main, ["show", "delta2019stigma", "--index", index])
    assert "Stigma as a barrier" in shown.output and "Findings (in our words" in shown.output
    missing = runner.invoke(main, ["show", "nosuchkey", "--index", index])
    assert missing.exit_code == 1 and "Error: no study with key 'nosuchkey'" in missing.output
    extra = tmp_path / "extra.bib"
    extra.write_text("@article{cli2024, title = {Dispatcher resilience}, year = 2024}\n")
    imported = runner.invoke(main, ["import", str(extra), "--index", index])
    assert imported.exit_code == 0, imported.output
    assert "now holds 5 studies" in imported.output
    assert f"Imported 1 study from {extra}: 0 already in the library, 1 new, 0 updated." in (
        imported.output
    )
    checked = runner.invoke(main, ["import", "--check", str(extra), "--index", index])
    assert f"Would import nothing from {extra}: 1 already in the library" in checked.output
    again = runner.invoke(main, ["import", str(extra), "--index", index])
    assert f"Nothing new in {extra}: 1 already in the library, 0 new, 0 updated." in again.output
    assert "now holds 5 studies" in again.output
    assert runner.invoke(main, ["show", "cli2024", "--index", index]).exit_code == 0


def test_a_bad_setting_is_a_one_line_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EVIDENCE_BATCH_SIZE", "abc")
    result = CliRunner().invoke(main, ["show", "carleton2020mental"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert result.output.strip() == (
        "Error: setting batch_size must be a whole number, not 'abc' "
        "(EVIDENCE_BATCH_SIZE=abc); set EVIDENCE_BATCH_SIZE to a whole number or unset it."
    )
