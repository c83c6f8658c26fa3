"""The curated vocabularies: what a finding is about, what it found, and the words people
use for each in a question.

A curated finding names its intervention or exposure (EXPOSURES, each with the broader
term it belongs to), its outcomes (OUTCOMES) and its direction (DIRECTIONS); corpus/README.md
documents them for curators. ALIASES map the words of a question ("peer supporters",
"PTSD", "paramedics") to these terms, so a question can be matched to findings by meaning
rather than by wording alone. Data only: the matching is in `points.fit`.
"""

from __future__ import annotations

DIRECTIONS = (
    "improved",
    "no difference",
    "worse",
    "mixed",
    "positive association",
    "negative association",
    "higher than comparison",
    "lower than comparison",
    "prevalence or level",
    "qualitative theme",
    "recommendation",
    "cost",
)
# Directions that state an effect of an intervention or exposure (a change, a difference).
EFFECT_DIRECTIONS = ("improved", "no difference", "worse", "mixed")

OUTCOMES = (
    "PTSD symptoms",
    "depression",
    "anxiety",
    "mental disorders",
    "psychological distress",
    "suicidality",
    "substance use",
    "stigma",
    "help-seeking",
    "mental health literacy",
    "sick leave / absence",
    "burnout",
    "turnover / retention",
    "wellbeing",
    "stress",
    "resilience / coping",
    "service use",
    "acceptability",
    "cost",
    "sleep",
    "trauma exposure",
    "work functioning",
    "social support",
    "organisational climate",
    "physical health",
    "family",
    "moral injury",
    "other",
)
# Outcomes that are mental ill-health: a question about "mental health" asks about any.
MENTAL_HEALTH_OUTCOMES = (
    "PTSD symptoms",
    "depression",
    "anxiety",
    "mental disorders",
    "psychological distress",
    "suicidality",
    "substance use",
    "burnout",
    "stress",
    "wellbeing",
    "moral injury",
)

# Each intervention or exposure, and the broader term it belongs to ("" for a root).
EXPOSURES: dict[str, str] = {
    "peer support": "",
    "TRiM": "peer support",
    "Stress First Aid": "peer support",
    "crisis intervention": "",
    "critical incident stress debriefing": "crisis intervention",
    "critical incident stress management": "crisis intervention",
    "psychological first aid": "crisis intervention",
    "mental health training": "",
    "Road to Mental Readiness": "mental health training",
    "Mental Health First Aid": "mental health training",
    "resilience training": "mental health training",
    "mindfulness": "mental health training",
    "stress management": "mental health training",
    "anti-stigma program": "mental health training",
    "leadership training": "",
    "suicide prevention": "",
    "postvention": "suicide prevention",
    "psychotherapy": "",
    "trauma-focused psychotherapy": "psychotherapy",
    "EMDR": "trauma-focused psychotherapy",
    "cognitive processing therapy": "trauma-focused psychotherapy",
    "prolonged exposure": "trauma-focused psychotherapy",
    "medication": "",
    "workplace mental health program": "",
    "employee assistance program": "workplace mental health program",
    "screening": "workplace mental health program",
    "physical activity": "",
    "digital intervention": "",
    "sleep intervention": "",
    "first responder work": "",
    "trauma exposure": "",
    "occupational stressors": "",
    "operational stressors": "occupational stressors",
    "organisational stressors": "occupational stressors",
    "shift work": "occupational stressors",
    "stigma": "",
    "barriers to care": "",
    "social support": "",
    "supervisor support": "social support",
    "leadership": "",
    "organisational culture": "",
    "burnout": "",
    "mental disorders": "",
    "COVID-19 pandemic": "",
    "gender": "",
    "career stage": "",
    "moral injury": "",
    "sleep problems": "",
    "volunteer status": "",
    "occupational group": "",
    "family": "",
    "substance use": "",
    "other": "",
    "none": "",
}
# Interventions: what a program or service does (the rest are exposures and conditions).
INTERVENTION_ROOTS = (
    "peer support",
    "crisis intervention",
    "mental health training",
    "leadership training",
    "suicide prevention",
    "psychotherapy",
    "medication",
    "workplace mental health program",
    "physical activity",
    "digital intervention",
    "sleep intervention",
)

RESPONDER_GROUPS = ("police", "firefighters", "paramedics / EMS", "dispatchers", "corrections")
STATUSES = ("none found", "corrected", "expression of concern", "retracted")

# The words of a question → vocabulary terms. Keys are lower case and matched on word
# boundaries (a trailing "*" matches any ending). Kept to what people type; a finding's own
# labels are matched directly.
ALIASES: dict[str, tuple[str, ...]] = {
    # interventions
    "peer support*": ("peer support",), "peer-support*": ("peer support",),
    "peer supporter*": ("peer support",), "peer team*": ("peer support",),
    "peer program*": ("peer support",), "peer mentor*": ("peer support",),
    "trim": ("TRiM",), "trauma risk management": ("TRiM",),
    "stress first aid": ("Stress First Aid",),
    "debrief*": ("critical incident stress debriefing",),
    "critical incident debrief*": ("critical incident stress debriefing",),
    "critical incident stress debrief*": ("critical incident stress debriefing",),
    "incident debrief*": ("critical incident stress debriefing",),
    "cisd": ("critical incident stress debriefing",),
    "cism": ("critical incident stress management",),
    "critical incident stress management": ("critical incident stress management",),
    "psychological first aid": ("psychological first aid",), "pfa": ("psychological first aid",),
    "defusing": ("crisis intervention",), "crisis intervention*": ("crisis intervention",),
    "early intervention*": ("crisis intervention",),
    "mental health training": ("mental health training",),
    "training": ("mental health training",), "psychoeducation": ("mental health training",),
    "education program*": ("mental health training",),
    "road to mental readiness": ("Road to Mental Readiness",),
    "r2mr": ("Road to Mental Readiness",),
    "mental health first aid": ("Mental Health First Aid",), "mhfa": ("Mental Health First Aid",),
    "resilience training": ("resilience training",),
    "resilience program*": ("resilience training",),
    "mindfulness": ("mindfulness",), "meditation": ("mindfulness",),
    "stress management": ("stress management",),
    "anti-stigma": ("anti-stigma program",), "stigma reduction": ("anti-stigma program",),
    "leader training": ("leadership training",), "leadership training": ("leadership training",),
    "manager training": ("leadership training",), "supervisor training": ("leadership training",),
    "manager* trained": ("leadership training",),
    "suicide prevention": ("suicide prevention",), "postvention": ("postvention",),
    "therapy": ("psychotherapy",), "psychotherapy": ("psychotherapy",),
    "treatment*": ("psychotherapy",), "counsel*": ("psychotherapy",), "cbt": ("psychotherapy",),
    "cognitive behavio*": ("psychotherapy",),
    "trauma-focused": ("trauma-focused psychotherapy",), "emdr": ("EMDR",),
    "cognitive processing therapy": ("cognitive processing therapy",),
    "cpt": ("cognitive processing therapy",), "prolonged exposure": ("prolonged exposure",),
    "medication*": ("medication",), "antidepressant*": ("medication",),
    "employee assistance*": ("employee assistance program",),
    "eap": ("employee assistance program",),
    "wellness program*": ("workplace mental health program",),
    "workplace program*": ("workplace mental health program",),
    "workplace intervention*": ("workplace mental health program",),
    "mental health program*": INTERVENTION_ROOTS,  # any kind of program
    "workplace mental health program*": ("workplace mental health program",),
    "workplace support": ("workplace mental health program", "supervisor support"),
    "organisational support": ("workplace mental health program", "supervisor support"),
    "organizational support": ("workplace mental health program", "supervisor support"),
    "employer support": ("workplace mental health program", "supervisor support"),
    "screening": ("screening",), "exercise": ("physical activity",),
    "physical activity": ("physical activity",), "fitness": ("physical activity",),
    "app": ("digital intervention",), "online program*": ("digital intervention",),
    "digital": ("digital intervention",), "sleep education": ("sleep intervention",),
    # exposures and conditions
    "trauma exposure": ("trauma exposure",), "traumatic event*": ("trauma exposure",),
    "critical incident*": ("trauma exposure",), "exposure to trauma": ("trauma exposure",),
    "occupational stress*": ("occupational stressors",), "job stress*": ("occupational stressors",),
    "work stress*": ("occupational stressors",), "stressor*": ("occupational stressors",),
    "operational stress*": ("operational stressors",),
    "organisational stress*": ("organisational stressors",),
    "organizational stress*": ("organisational stressors",),
    "shift work": ("shift work",), "shift length": ("shift work",), "night shift*": ("shift work",),
    "shifts": ("shift work",), "long shifts": ("shift work",),
    "stigma": ("stigma",), "barrier*": ("barriers to care",),
    "social support": ("social support",), "support": ("social support",),
    "supervisor support": ("supervisor support",),
    "leadership": ("leadership",), "leader*": ("leadership",), "supervisor*": ("leadership",),
    "manager*": ("leadership",),
    "culture": ("organisational culture",), "covid*": ("COVID-19 pandemic",),
    "pandemic": ("COVID-19 pandemic",), "women": ("gender",), "gender": ("gender",),
    "female": ("gender",), "retire*": ("career stage",), "recruit*": ("career stage",),
    "moral injury": ("moral injury",), "family": ("family",), "families": ("family",),
    "poor sleep": ("sleep problems",), "insomnia": ("sleep problems",),
    "sleep problem*": ("sleep problems",), "sleep disorder*": ("sleep problems",),
    "sleep apnea": ("sleep problems",), "sleep apnoea": ("sleep problems",),
    "fatigue": ("sleep problems",), "sleep deprivation": ("sleep problems",),
    "volunteer*": ("volunteer status",), "career firefighters": ("volunteer status",),
    "paid firefighters": ("volunteer status",),
    "confidential*": ("barriers to care",), "fear of being seen as weak": ("stigma",),
    "bereave*": ("postvention",), "suicide loss": ("postvention",),
    "after a suicide": ("postvention",), "dies by suicide": ("postvention",),
    "died by suicide": ("postvention",),
    "training for manager*": ("leadership training",),
    "training manager*": ("leadership training",),
    "training supervisor*": ("leadership training",),
    "training for supervisor*": ("leadership training",),
    "training leader*": ("leadership training",), "training for leader*": ("leadership training",),
    "spouse*": ("family",), "partner*": ("family",),
    "work-family*": ("family",), "work–family*": ("family",), "family conflict*": ("family",),
    "self-stigma": ("stigma",), "public stigma": ("stigma",),
    "sleep health": ("sleep intervention",), "sleep program*": ("sleep intervention",),
    "sleep training": ("sleep intervention",), "sleep hygiene": ("sleep intervention",),
}  # fmt: skip

OUTCOME_ALIASES: dict[str, tuple[str, ...]] = {
    "ptsd": ("PTSD symptoms",), "posttraumatic stress": ("PTSD symptoms",),
    "post-traumatic stress": ("PTSD symptoms",), "trauma symptoms": ("PTSD symptoms",),
    "depress*": ("depression",), "anxiety": ("anxiety",), "anxious": ("anxiety",),
    "mental disorder*": ("mental disorders",), "mental illness*": ("mental disorders",),
    "mental health": MENTAL_HEALTH_OUTCOMES + ("mental disorders",),
    "psychological health": MENTAL_HEALTH_OUTCOMES, "distress": ("psychological distress",),
    "suicid*": ("suicidality",), "alcohol": ("substance use",), "drinking": ("substance use",),
    "substance*": ("substance use",), "drug use": ("substance use",),
    "stigma*": ("stigma",), "help-seeking": ("help-seeking",), "help seeking": ("help-seeking",),
    "seek* help": ("help-seeking",), "seeking help": ("help-seeking",),
    "seek* care": ("help-seeking", "service use"),
    "seek* treatment": ("help-seeking", "service use"),
    "care-seeking": ("help-seeking",), "get* help": ("help-seeking",),
    "literacy": ("mental health literacy",), "knowledge": ("mental health literacy",),
    "sick leave": ("sick leave / absence",), "sickness absence": ("sick leave / absence",),
    "absence*": ("sick leave / absence",), "absenteeism": ("sick leave / absence",),
    "time off": ("sick leave / absence",), "burnout": ("burnout",), "burn-out": ("burnout",),
    "turnover": ("turnover / retention",), "retention": ("turnover / retention",),
    "quit*": ("turnover / retention",), "leave the job": ("turnover / retention",),
    "intention to leave": ("turnover / retention",), "leaving": ("turnover / retention",),
    "wellbeing": ("wellbeing",), "well-being": ("wellbeing",), "quality of life": ("wellbeing",),
    "job satisfaction": ("wellbeing",), "stress": ("stress",),
    "stress reduction": ("stress",), "stress-reduction": ("stress",),
    "resilien*": ("resilience / coping",),
    "coping": ("resilience / coping",), "service use": ("service use",),
    "use of services": ("service use",), "uptake": ("service use",),
    "satisfaction": ("acceptability",), "acceptab*": ("acceptability",),
    "cost*": ("cost",), "pay for themselves": ("cost",), "pay off": ("cost",),
    "pays off": ("cost",), "worth the money": ("cost",), "economic*": ("cost",),
    "business case": ("cost",), "return to work": ("sick leave / absence",),
    "return-to-work": ("sick leave / absence",), "return on investment": ("cost",),
    "roi": ("cost",), "saving*": ("cost",),
    "sleep*": ("sleep",), "insomnia": ("sleep",), "fatigue": ("sleep",),
    "productivity": ("work functioning",), "performance": ("work functioning",),
    "injur*": ("work functioning",), "presenteeism": ("work functioning",),
    "physical health": ("physical health",), "cardiovascular": ("physical health",),
    "obesity": ("physical health",), "moral injury": ("moral injury",),
}  # fmt: skip

POPULATION_ALIASES: dict[str, str] = {
    "police*": "police", "officer*": "police", "law enforcement": "police", "cops": "police",
    "rcmp": "police", "constable*": "police",
    "firefighter*": "firefighters", "fire fighter*": "firefighters",
    "fire service*": "firefighters",
    "fire department*": "firefighters", "fire and rescue": "firefighters",
    "paramedic*": "paramedics / EMS", "ems": "paramedics / EMS", "emt*": "paramedics / EMS",
    "ambulance*": "paramedics / EMS", "emergency medical": "paramedics / EMS",
    "dispatcher*": "dispatchers", "911": "dispatchers", "call taker*": "dispatchers",
    "call-taker*": "dispatchers", "telecommunicator*": "dispatchers",
    "correction*": "corrections", "correctional": "corrections", "prison*": "corrections",
    "jail*": "corrections", "correctional officer*": "corrections",
    "corrections officer*": "corrections", "detention officer*": "corrections",
    "first responder*": "mixed public safety", "public safety": "mixed public safety",
    "emergency service*": "mixed public safety", "emergency worker*": "mixed public safety",
    "military": "military", "soldier*": "military", "veteran*": "military",
    "nurse*": "health care workers", "health care worker*": "health care workers",
    "healthcare worker*": "health care workers", "hospital staff": "health care workers",
    "doctor*": "health care workers", "physician*": "health care workers",
    "employee*": "general workforce",
    "student*": "students",
}  # fmt: skip


# Exposures that are conditions a study may measure as its outcome instead: "how common are
# sleep disorders" is answered by a finding whose outcome is sleep.
AS_OUTCOME: dict[str, str] = {
    "sleep problems": "sleep",
    "stigma": "stigma",
    "moral injury": "moral injury",
}
# The conditions "mental disorders" covers, when a finding names only that.
DISORDERS = ("PTSD symptoms", "depression", "anxiety", "substance use", "mental disorders")
# Exposures that are a setting, not a cause: a study set in it answers a question about it
# whether or not each finding names it.
SETTINGS = frozenset({"COVID-19 pandemic"})


def with_parents(term: str) -> tuple[str, ...]:
    """`term` and every broader term above it: "EMDR" → EMDR, trauma-focused
    psychotherapy, psychotherapy."""
    chain = [term]
    while (parent := EXPOSURES.get(chain[-1], "")) and parent not in chain:
        chain.append(parent)
    return tuple(chain)


def intervention(term: str) -> bool:
    """True for a program or service (peer support, training, therapy, …)."""
    return with_parents(term)[-1] in INTERVENTION_ROOTS
