"""Sentence boundaries in abstracts: the abbreviations and numbers of scientific prose
do not end a sentence, and every span indexes the original text."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from itertools import pairwise

import pytest

from evidence import TimeLimitError, time_limit, use_worker_processes
from evidence.text.sentences import chunks, split_sentences


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "Smith et al. reported lower stress. Effects were small.",
            ["Smith et al. reported lower stress.", "Effects were small."],
            id="et-al",
        ),
        pytest.param(
            "Smith et al. (2019) found effects. Jones et al. did not.",
            ["Smith et al. (2019) found effects.", "Jones et al. did not."],
            id="et-al-twice",
        ),
        pytest.param(
            "Several outcomes (e.g. sleep, mood) improved. Others did not.",
            ["Several outcomes (e.g. sleep, mood) improved.", "Others did not."],
            id="e.g.",
        ),
        pytest.param(
            "The primary outcome, i.e. burnout, fell. Secondary outcomes rose.",
            ["The primary outcome, i.e. burnout, fell.", "Secondary outcomes rose."],
            id="i.e.",
        ),
        pytest.param(
            "Stress fell (p < .05). Sleep improved.",
            ["Stress fell (p < .05).", "Sleep improved."],
            id="p-value",
        ),
        pytest.param(
            "The odds ratio was 2.1 (95% CI 1.2–3.4). Attrition was low.",
            ["The odds ratio was 2.1 (95% CI 1.2–3.4).", "Attrition was low."],
            id="confidence-interval",
        ),
        pytest.param(
            "The correlation was 0.45 overall. It was 0.30 in women.",
            ["The correlation was 0.45 overall.", "It was 0.30 in women."],
            id="decimals",
        ),
        pytest.param(
            "Mindfulness vs. control showed no difference. Adherence was 80%.",
            ["Mindfulness vs. control showed no difference.", "Adherence was 80%."],
            id="vs.",
        ),
        pytest.param(
            "Outcome: 12.5 vs. 10.1 points. Next.",
            ["Outcome: 12.5 vs. 10.1 points.", "Next."],
            id="vs-between-decimals",
        ),
        pytest.param(
            "Total N = 1,234. Mean age 41.2 (SD 8.7) y. Next.",
            ["Total N = 1,234.", "Mean age 41.2 (SD 8.7) y.", "Next."],
            id="thousands-and-sd",
        ),
        pytest.param(
            "Is this a question? Yes! It is.",
            ["Is this a question?", "Yes!", "It is."],
            id="question-and-exclamation",
        ),
        pytest.param(
            "One sentence without a full stop",
            ["One sentence without a full stop"],
            id="no-final-stop",
        ),
    ],
)
def test_abbreviations_and_numbers_do_not_end_a_sentence(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


STRUCTURED_ABSTRACT = (
    "Background: Police officers face chronic stress (Smith et al., 2019). "
    "Methods: We ran an RCT (n = 120), i.e. two arms, vs. a waitlist.  "
    "Results: Burnout decreased (d = 0.45, 95% CI 0.21–0.69, p < .001).\n\n"
    "Conclusions: Brief training, e.g. breathing drills, helps."
)


def test_a_structured_abstract_splits_into_its_four_sentences() -> None:
    assert sentences(STRUCTURED_ABSTRACT) == [
        "Background: Police officers face chronic stress (Smith et al., 2019).",
        "Methods: We ran an RCT (n = 120), i.e. two arms, vs. a waitlist.",
        "Results: Burnout decreased (d = 0.45, 95% CI 0.21–0.69, p < .001).",
        "Conclusions: Brief training, e.g. breathing drills, helps.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(STRUCTURED_ABSTRACT, id="structured"),
        pytest.param("  Leading space. Trailing space.  \n", id="outer-whitespace"),
        pytest.param("Stress fell.  Sleep   improved.\tMood rose.", id="inner-whitespace"),
        pytest.param("Yes. Yes. Yes.", id="repeated-sentences"),
        pytest.param("Résumé of naïve café workers. Über results. 😀 Done.", id="non-ascii"),
        pytest.param("Line one\nLine two without stop\nLine three.", id="line-breaks"),
    ],
)
def test_spans_index_the_original_text_trimmed_in_order_and_lose_nothing(text: str) -> None:
    spans = split_sentences(text)
    assert spans
    for start, end in spans:
        piece = text[start:end]
        assert 0 <= start < end <= len(text)
        assert piece == piece.strip()
    # In order and disjoint, and only whitespace lies outside the spans.
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(spans))
    covered = set().union(*(range(start, end) for start, end in spans))
    assert all(ch.isspace() for i, ch in enumerate(text) if i not in covered)


def test_identical_sentences_get_distinct_spans() -> None:
    assert split_sentences("Yes. Yes. Yes.") == [(0, 4), (5, 9), (10, 14)]


def test_offsets_skip_the_whitespace_around_a_sentence() -> None:
    assert split_sentences("  Leading space. Trailing space.  ") == [(2, 16), (17, 32)]


@pytest.mark.parametrize("text", ["", " ", "  \n\t ", "\u00a0\n"])
def test_empty_or_blank_text_has_no_sentences(text: str) -> None:
    assert split_sentences(text) == []


def test_long_text_is_cut_into_bounded_pieces_that_cover_it_all() -> None:
    unit = "Peer support helps (Smith et al., 2020; Jones, 2019). "
    text = unit * 200 + "\n\n" + "x" * 3000 + " tail"
    pieces = list(chunks(text, limit=1000))
    assert all(end - start <= 1000 for start, end in pieces)
    covered = "".join(text[start:end] for start, end in pieces)
    assert covered.split() == text.split()
    # Cuts fall after a sentence end where there is one.
    first_start, first_end = pieces[0]
    assert text[first_start:first_end].rstrip().endswith(").")


def test_sentences_of_a_long_text_are_those_of_its_pieces() -> None:
    unit = "Peer support helps (Smith et al., 2020; Jones, 2019). "
    text = unit * 100
    spans = split_sentences(text)
    assert len(spans) == 100
    assert all(text[s:e] == unit.strip() for s, e in spans)


def test_a_time_limit_stops_splitting_a_huge_text() -> None:
    text = "Peer support helps (Smith et al., 2020; Jones, 2019). " * 20_000
    with time_limit(0.0), pytest.raises(TimeLimitError, match="longer than the 0 s"):
        split_sentences(text)


def test_long_texts_split_in_a_worker_process_give_the_same_sentences() -> None:
    text = "Peer support helps (Smith et al., 2020; Jones, 2019). " * 1000
    here = split_sentences(text)
    use_worker_processes(1)
    try:
        assert split_sentences(text) == here
        with time_limit(0.0), pytest.raises(TimeLimitError):
            split_sentences(text)
    finally:
        use_worker_processes(0)
    assert split_sentences(text) == here


SERVER = """
import sys, time
from evidence import use_worker_processes
from evidence.text import sentences
use_worker_processes(2)
time.sleep(0.5)
print(*sentences._pool._processes, flush=True)
time.sleep(600)
"""


def test_worker_processes_exit_when_their_server_is_killed() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True
    ) as server:
        try:
            assert server.stdout is not None
            workers = [int(pid) for pid in server.stdout.readline().split()]
            assert len(workers) == 2 and all(alive(pid) for pid in workers)
        finally:
            server.kill()  # SIGKILL: the server cannot stop them itself
    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in workers if alive(pid)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes (its parent, init, reaps it)
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1][0] != "Z"
    except OSError:
        return False
    return True
