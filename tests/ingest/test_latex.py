import pytest

from evidence.ingest.latex import decode_latex
from evidence.ingest.titles import sentence_case


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(r"G\"odel", "Gödel", id="umlaut-bare"),
        pytest.param(r"{\"a}{\ss}{\o} \L{}ód\'z", "äßø Łódź", id="braced-accents-symbols"),
        pytest.param(r"R\'{e}sum\'e \v{c}\'{\i}", "Résumé čí", id="accent-forms-dotless-i"),
        pytest.param(r"{\v R}{\r u}", "Řů", id="caron-ring"),
        pytest.param(r"Tilde~here \~n \~{n}", "Tilde here ñ ñ", id="tilde-three-roles"),
        pytest.param(r"\url{http://a.com/~u_1}", "http://a.com/~u_1", id="url-verbatim"),
        pytest.param(r"pages 10--20, a---b", "pages 10–20, a—b", id="dashes"),
        pytest.param(r"-{}- and '{}'", "-- and ''", id="ligature-guards"),
        pytest.param(r"``quoted''", "“quoted”", id="tex-quotes"),
        pytest.param(r"95\% CI \& \$5 \#1 a\_b", "95% CI & $5 #1 a_b", id="escapes"),
        pytest.param(r"$\mu$m and 5\,mm, $\pm$0.1", "μm and 5 mm, ±0.1", id="math-symbols"),
        pytest.param(r"R$^2$ at 5$^\circ$C", "R² at 5°C", id="superscripts"),
        pytest.param(r"$4^{\textrm{ème}}$", "4ème", id="math-text"),
        pytest.param(r"\emph{Hi} \textbf{there} \enquote{q}", "Hi there “q”", id="markup"),
        pytest.param(r"\href {http://x} {text}", "text", id="href-spaced-args"),
        pytest.param(r"\textbackslash{} and \textasciitilde{}", "\\ and ~", id="text-symbols"),
        pytest.param("plain   text\n  wrapped", "plain text wrapped", id="whitespace"),
        pytest.param(r"\unknownmacro{kept} text", "kept text", id="unknown-macro-keeps-arg"),
    ],
)
def test_decode_latex(raw: str, expected: str) -> None:
    assert decode_latex(raw) == expected


def test_keep_braces_leaves_groups_for_name_splitting() -> None:
    assert decode_latex(r"{World Health Organization} and G\"odel", keep_braces=True) == (
        "{World Health Organization} and Gödel"
    )


def test_sentence_case_keeps_protected_words_acronyms_and_first_word() -> None:
    marked = decode_latex(
        r"Mental Health of {Canadian} {PTSD} Patients: A {Road to Mental Readiness} Study",
        mark_protected=True,
    )
    assert sentence_case(marked) == (
        "Mental health of Canadian PTSD patients: A Road to Mental Readiness study"
    )


def test_sentence_case_leaves_sentence_case_titles_alone() -> None:
    title = "Peer support for Canadian firefighters after trauma"
    assert sentence_case(decode_latex(title, mark_protected=True)) == title


def test_sentence_case_lowercases_hyphenated_parts() -> None:
    marked = decode_latex("Effectiveness of Return-to-Work Interventions", mark_protected=True)
    assert sentence_case(marked) == "Effectiveness of return-to-work interventions"
