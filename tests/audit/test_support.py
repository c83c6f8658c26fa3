"""Does the cited study say it? The citing sentence against the study's curated findings:
a figure it does not report, an effect it did not find, a topic it does not study; and
silence where the library lacks the detail."""

from __future__ import annotations

import pytest

from evidence.audit.auditor import audit_draft
from evidence.audit.support import figures_agree
from evidence.ingest.parse import load_bibtex
from evidence.model import Study
from tests.conftest import ROOT

REFERENCES = """

References

Carleton, R. N., Afifi, T. O., Turner, S., Taillieu, T., Duranceau, S., LeBouthillier, D. M., \
Sareen, J., Ricciardelli, R., MacPhee, R. S., Groll, D., Hozempa, K., Brunet, A., Weekes, J. R., \
Griffiths, C. T., Abrams, K. J., Jones, N. A., Beshai, S., Cramm, H. A., Dobson, K. S., . . . \
Asmundson, G. J. G. (2018a). Mental Disorder Symptoms among Public Safety Personnel in Canada. \
Canadian Journal of Psychiatry, 63(1), 54–64. https://doi.org/10.1177/0706743717723825

Carleton, R. N., Korol, S., Mason, J. E., Hozempa, K., Anderson, G. S., Jones, N. A., Dobson, \
K. S., Szeto, A., & Bailey, S. (2018b). A longitudinal assessment of the road to mental \
readiness training among municipal police. Cognitive Behaviour Therapy, 47(6), 508–528. \
https://doi.org/10.1080/16506073.2018.1475504

Milligan-Saville, J. S., Tan, L., Gayed, A., Barnes, C., Madan, I., Dobson, M., Bryant, R. A., \
Christensen, H., Mykletun, A., & Harvey, S. B. (2017). Workplace mental health training for \
managers and its effect on sick leave in employees: a cluster randomised controlled trial. \
The Lancet Psychiatry, 4(11). https://doi.org/10.1016/S2215-0366(17)30372-3

Morgan, A. J., Ross, A., & Reavley, N. J. (2018). Systematic review and meta-analysis of Mental \
Health First Aid training: Effects on knowledge, stigma, and helping behaviour. PLoS ONE, 13(5), \
e0197102. https://doi.org/10.1371/journal.pone.0197102

Smith, J. (2019). A study the library does not hold. Journal of Nothing, 1, 1–2.
"""


@pytest.fixture(scope="module")
def studies() -> list[Study]:
    loaded, _ = load_bibtex(sorted((ROOT / "corpus").glob("*.bib")))
    return loaded


def warnings(sentence: str, studies: list[Study]) -> list[tuple[str, str]]:
    report = audit_draft(sentence + REFERENCES, studies)
    return [(f.kind, f.message) for f in report.findings if f.kind.startswith("fit-")]


@pytest.mark.parametrize(
    ("sentence", "kind", "quoted"),
    [
        pytest.param("In a national survey, 46% of public safety personnel screened positive "
                     "for a mental disorder (Carleton et al., 2018a).", "fit-number", "15.1%",
                     id="a-figure-it-does-not-report"),
        pytest.param("A single R2MR session reduced mental health symptoms among municipal "
                     "police (Carleton et al., 2018b).", "fit-effect", "no significant change",
                     id="an-effect-it-did-not-find"),
        pytest.param("MHFA training did not reduce stigma (Morgan et al., 2018).", "fit-effect",
                     "Stigma fell", id="no-effect-where-it-found-one"),
        pytest.param("MHFA training increased stigma (Morgan et al., 2018).", "fit-effect",
                     "Stigma fell", id="the-opposite-effect"),
        pytest.param("Peer support reduced PTSD symptoms among firefighters (Morgan et al., "
                     "2018).", "fit-topic", "MHFA training improved", id="another-intervention"),
        pytest.param("MHFA training reduced sick leave among trainees (Morgan et al., 2018).",
                     "fit-topic", "MHFA training improved", id="another-outcome"),
    ],
)  # fmt: skip
def test_a_sentence_the_cited_study_does_not_support_is_warned_with_its_finding(
    sentence: str, kind: str, quoted: str, studies: list[Study]
) -> None:
    ((found, message),) = warnings(sentence, studies)
    assert found == kind and quoted in message


@pytest.mark.parametrize(
    "sentence",
    [
        pytest.param("About 15% screened positive for one disorder and 26.7% for more than one "
                     "(Carleton et al., 2018a).", id="its-figures-rounded-and-hedged"),
        pytest.param("A single R2MR session did not change symptoms or resilience, although "
                     "stigma fell slightly (Carleton et al., 2018b).", id="what-it-found"),
        pytest.param("MHFA training reduced stigma a little (Morgan et al., 2018).",
                     id="the-effect-it-found"),
        pytest.param("Sick leave fell by 18% among staff of trained managers (Milligan-Saville "
                     "et al., 2017).", id="the-library-lacks-that-finding"),
        pytest.param("Training cut sick leave by 40% (Milligan-Saville et al., 2017; Smith, "
                     "2019).", id="cited-with-a-work-the-library-lacks"),
        pytest.param("Stigma is common (Morgan et al., 2018), but 46% of staff never train "
                     "(Carleton et al., 2018b).", id="a-figure-in-another-clause"),
    ],
)  # fmt: skip
def test_no_warning_where_the_study_says_it_or_the_library_cannot_tell(
    sentence: str, studies: list[Study]
) -> None:
    assert warnings(sentence, studies) == []


def test_figures_agree_allows_rounding_and_hedges() -> None:
    assert figures_agree("about 27% screened positive", "26.7% for more than one")
    assert figures_agree("27% screened positive", "26.7% for more than one")
    assert not figures_agree("26% screened positive", "26.7% for more than one")
    assert figures_agree("no figure here", "") and not figures_agree("cut by 30 percent", "12%")
