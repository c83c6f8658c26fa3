"""Where the reference list is: under any of its headings, or by its shape with none."""

from __future__ import annotations

import pytest

from evidence.audit.reading import parse_draft
from evidence.audit.sections import find_reference_list, looks_like_entry

BODY = (
    "Peer support is common in fire services (Milliard, 2020). Debriefing was tested in "
    "volunteer firefighters (Tuckey & Scott, 2014).\n\n"
)
APA = (
    "Milliard, B. (2020). Utilization and Impact of Peer-Support Programs on Police Officers' "
    "Mental Health. Frontiers in Psychology, 11, 1686. https://doi.org/10.3389/fpsyg.2020.01686"
    "\n\nTuckey, M. R., & Scott, J. E. (2014). Group critical incident stress debriefing with "
    "emergency services personnel: a randomized controlled trial. Anxiety, Stress & Coping, "
    "27(1), 38–54. https://doi.org/10.1080/10615806.2013.809421\n"
)
VANCOUVER = (
    "Milliard B. Utilization and Impact of Peer-Support Programs on Police Officers' Mental "
    "Health. Front Psychol. 2020;11:1686. doi: 10.3389/fpsyg.2020.01686\n"
    "Tuckey MR, Scott JE. Group critical incident stress debriefing with emergency services "
    "personnel: a randomized controlled trial. Anxiety Stress Coping. 2014;27(1):38-54.\n"
)


@pytest.mark.parametrize(
    "heading",
    ["References", "References:", "REFERENCES", "Sources", "Works Cited", "Bibliography",
     "Literature cited", "Notes", "Endnotes", "Reference list", "## Sources",
     "<h2>References</h2>", "**Works Cited**", "### 7. References"],
)  # fmt: skip
def test_a_list_is_found_under_any_of_its_headings(heading: str) -> None:
    draft = parse_draft(BODY + heading + "\n\n" + APA)
    assert draft.list_heading == heading.removeprefix("<h2>").removesuffix("</h2>")  # its text
    assert [r.authors[0] for r in draft.references] == ["Milliard", "Tuckey"]
    assert len(draft.citations) == 2


@pytest.mark.parametrize(
    ("before", "entries"),
    [
        pytest.param("In short, peer support helps.\n\n", APA, id="after-the-conclusion"),
        pytest.param("About the author\n\nJo Smith spent 19 years as a paramedic.\n\n\n", APA,
                     id="after-a-bio"),
        pytest.param("Questions? Write to the committee.\n\n———————\n\n", APA, id="after-a-rule"),
        pytest.param("In short, peer support helps.\n\n", VANCOUVER, id="vancouver"),
        pytest.param("In short, peer support helps.\n\n", APA.split("\n\n")[0] + "\n\n"
                     + VANCOUVER.split("\n")[1] + "\n", id="mixed"),
    ],
)  # fmt: skip
def test_a_list_with_no_heading_is_found_by_its_shape(before: str, entries: str) -> None:
    text = BODY + before + entries
    draft = parse_draft(text)
    assert draft.has_reference_list and draft.list_heading == ""
    assert [r.authors[0] for r in draft.references] == ["Milliard", "Tuckey"]
    assert draft.body_end == text.index("Milliard", len(BODY))
    assert len(draft.citations) == 2  # the entries are never taken for citations


def test_a_body_section_named_like_a_list_is_not_the_list() -> None:
    text = (
        "Sources of stress\n\nCalls and shifts wear people down (Smith, 2019).\n\nNotes\n\n"
        "Bring water to every shift. Take the break.\n\nReferences\n\n"
        "Smith, E. C. (2019). Exploring stress. Journal, 1, 2.\n"
    )
    place = find_reference_list(text)
    assert place is not None and place.heading == "References"
    assert find_reference_list("Notes\n\nBring water. Take the break. Ask for help.\n") is None


def test_a_numbered_list_of_steps_is_not_a_reference_list() -> None:
    text = (
        "Here is what we did:\n\n1. Get a written commitment from the chief.\n"
        "2. Ask crews to nominate peers in 2019.\n3. Train the peers together.\n"
    )
    assert find_reference_list(text) is None


def test_a_reading_list_bio_or_footer_after_the_list_is_not_part_of_it() -> None:
    reading = "\n\nFurther reading\n\nStanley, I. H. (2016). A review. Journal, 44, 25–44.\n"
    for tail in (reading, "\n\nJo Smith is a paramedic in Halifax.\n", "\n\n© 2024 Media.\n"):
        for heading in ("References\n\n", ""):
            draft = parse_draft(BODY + heading + APA + tail)
            assert [r.authors[0] for r in draft.references] == ["Milliard", "Tuckey"], tail


@pytest.mark.parametrize(
    "entry",
    ["Carleton, R. N., & Afifi, T. O. (2020). A title. Journal, 1, 2.",
     "Carleton RN, Afifi TO. A title. Cogn Behav Ther. 2020;49(1):55-73.",
     "[^1]: S. E. Golding et al., \"Exploring,\" PeerJ 5 (2017): e3735.",
     "[3] https://www.mdpi.com/1660-4601/17/4/1234",
     "American Psychiatric Association. (2013). Diagnostic and statistical manual.",
     "- Bellón JÁ, Conejo-Cerón S. Effectiveness. Scand J Work. 2019;45(4):324-32."],
)  # fmt: skip
def test_entry_shapes(entry: str) -> None:
    assert looks_like_entry(entry)


@pytest.mark.parametrize(
    "text",
    ["Stanley, Hom, and Joiner (2016) concluded that the risk is raised.",
     "Dana Whitfield spent 19 years with a municipal police service.",
     "1. Take your break, even when the board is busy.",
     "Questions? Contact the Wellness Committee."],
)  # fmt: skip
def test_prose_is_not_an_entry(text: str) -> None:
    assert not looks_like_entry(text)
