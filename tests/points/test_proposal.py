"""Proposal templates (TOML) and the proposal builder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from evidence import Library
from evidence.errors import TemplateError
from evidence.points.proposal import list_templates, load_template
from tests.conftest import DATA

TINY_TEMPLATE = """
title = "Test proposal"

[[sections]]
title = "The problem"
queries = ["stigma keeps police officers from seeking help", "does debriefing prevent PTSD"]
points = 2

[[sections]]
title = "What peer support does"
queries = ["peer support lowers PTSD symptoms in firefighters"]
points = 2
filters = { year_from = 2019 }
"""


BUNDLED = (
    "leader-training", "mental-health-training", "peer-support-program",
    "psychological-first-aid", "resilience-wellness", "suicide-prevention",
)  # fmt: skip


@pytest.mark.parametrize("name", BUNDLED)
def test_the_bundled_templates_load(name: str) -> None:
    assert name in list_templates()
    template = load_template(name)
    assert template.title and len(template.sections) >= 4
    assert all(s.queries and 1 <= s.points <= 5 for s in template.sections)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title = "x"', "no \\[\\[sections\\]\\]"),
        ('[[sections]]\nqueries = ["q"]', "section 1 has no title"),
        ('[[sections]]\ntitle = "A"\nqueries = []\n', "queries must be a list"),
        ('[[sections]]\ntitle = "A"\nqueries = ["q"]\npoints = 0', "points must be 1 to 20"),
        (
            '[[sections]]\ntitle = "A"\nqueries = ["q"]\nfilters = { colour = "red" }',
            "unknown filter",
        ),
        ("[[sections]\n", "cannot read the template"),
    ],
)
def test_invalid_templates_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(TemplateError, match=message):
        load_template(path)


def test_a_missing_template_names_the_bundled_ones() -> None:
    with pytest.raises(TemplateError, match="peer-support-program"):
        load_template("no-such-template")


@pytest.mark.model
def test_a_proposal_has_cited_sections_and_one_reference_list(
    tiny_library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TEMPLATE)
    proposal = tiny_library.proposal(path, style="apa")
    assert proposal.title == "Test proposal" and proposal.template == "tiny"
    assert [s.title for s in proposal.sections] == ["The problem", "What peer support does"]
    assert all(1 <= len(s.points) <= 2 for s in proposal.sections)
    passages = [src.passage_id for p in proposal.points for src in p.sources]
    assert len(passages) == len(set(passages))  # a passage is used once
    for point in proposal.points:
        for source in point.sources:
            assert (
                tiny_library.passage(source.passage_id).text[source.start : source.end]
                == source.passage_text
            )
    filtered = proposal.sections[1].points
    assert all(tiny_library.study(k).year >= 2019 for p in filtered for k in p.study_keys)  # type: ignore[operator]
    cited = {k for p in proposal.points for k in p.study_keys}
    assert {r.key for r in proposal.references} == cited


@pytest.mark.model
def test_a_proposal_exports_as_markdown_and_docx(tiny_library: Library, tmp_path: Path) -> None:
    import docx

    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TEMPLATE)
    proposal = tiny_library.proposal(path)
    text = tiny_library.export(proposal, "md").decode()
    assert text.startswith("# Test proposal") and "## The problem" in text
    assert "## What peer support does" in text and "## References" in text
    document = docx.Document(io.BytesIO(tiny_library.export(proposal, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "The problem", "What peer support does", "References", "Sources of each point"
    ]  # fmt: skip
    body = "\n".join(p.text for p in document.paragraphs)
    assert all(p.citation in body for p in proposal.points)


@pytest.mark.model
def test_cli_proposal_lists_templates_and_writes_a_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from evidence.cli import main

    monkeypatch.setenv("EVIDENCE_CORPUS", str(DATA / "tiny.bib"))
    runner = CliRunner()
    done = runner.invoke(main, ["proposal", "--list"])
    assert done.exit_code == 0 and "peer-support-program" in done.output
    template = tmp_path / "tiny.toml"
    template.write_text(TINY_TEMPLATE)
    out = tmp_path / "proposal.md"
    done = runner.invoke(
        main, ["proposal", str(template), "-o", str(out), "--index", str(tmp_path / "index")]
    )
    assert done.exit_code == 0, done.output
    assert out.read_text().startswith("# Test proposal")


CHOICES_TEMPLATE = DATA / "three-sections.toml"  # Peer support, Stigma, Caffeine


@pytest.mark.model
def test_a_proposal_adapts_to_the_users_choices(tiny_library: Library, tmp_path: Path) -> None:
    path = CHOICES_TEMPLATE
    proposal = tiny_library.proposal(
        path,
        population="fire",
        sections=[2, 0],
        questions=["is critical incident debriefing effective"],
        title="Our plan",
        organisation="Springfield Fire",
    )
    assert proposal.title == "Our plan" and proposal.organisation == "Springfield Fire"
    assert proposal.population == "firefighters"
    assert [s.title for s in proposal.sections] == ["Caffeine", "Peer support", "Your questions"]
    caffeine, peer, own = proposal.sections
    # a section nothing answers says so instead of padding
    assert caffeine.points == () and caffeine.empty.startswith("No study in the library")
    assert caffeine.summary == "" and caffeine.rows == ()
    # a section that is answered has a traced summary, points and an evidence table
    assert peer.summary.startswith("1 study in the library bears on this")
    assert [r.study_key for r in peer.rows] == ["alpha2020peer"]
    row = peer.rows[0]
    assert (row.design, row.population, row.direction) == (
        "randomised controlled trial", "firefighters", "improved",
    )  # fmt: skip
    assert own.points and own.points[0].study_keys == ("zeta2018debrief",)
    with pytest.raises(TemplateError, match="unknown population"):
        tiny_library.proposal(path, population="navy")
    with pytest.raises(TemplateError, match="no section 9"):
        tiny_library.proposal(path, sections=[8])


@pytest.mark.model
def test_the_chosen_group_comes_first_and_others_carry_a_caveat(
    tiny_library: Library, tmp_path: Path
) -> None:
    path = tmp_path / "stigma.toml"
    path.write_text(
        '[[sections]]\ntitle = "Stigma"\nqueries = ["stigma and help-seeking"]\npoints = 2\n'
    )
    police = tiny_library.proposal(path, population="police").sections[0].points
    fire = tiny_library.proposal(path, population="fire").sections[0].points
    assert police and police[0].study_keys == ("delta2019stigma",)
    assert "not" not in police[0].caveat
    assert fire and "This study was of police officers, not firefighters." in fire[0].caveat


def test_a_trial_protocol_is_never_a_point() -> None:
    from evidence.model import Passage, Study
    from evidence.points.fit import analyse
    from evidence.points.talking_points import _candidate

    protocol = Study(
        "p2016x",
        design="trial protocol",
        population="police",
        abstract="Leaders will be coached. Sickness absence will be reduced.",
    )
    passage = Passage("p2016x#p1", "p2016x", "abstract", "abstract", "Sickness absence", 0, 16)
    assert (
        _candidate(analyse("does leadership training reduce sick leave"), passage, protocol, 0.9)
        is None
    )
