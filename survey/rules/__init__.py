"""The rating engine for the yearly "strongest branch" (最强党支部) rating.

Pure rules, no I/O: `rate(evidence, scheme) -> Rating` for one branch and
`summarise(ratings, scheme, year) -> CommitteeSummary` for a committee. The schemes are the
seed documents as data files (schemes/*.toml, read into `SCHEMES`), written in the criteria
vocabulary of `vocabulary.py`, every bound cited by its clause; the reviewer's facts they
read are listed in facts.toml. `life` re-checks title holders and counts titles toward the
target share; `render` prints a scheme as a Markdown table.
"""

from .engine import CRITERIA, JUDGES, rate
from .evidence import (
    COLUMN_FACTS,
    DOMAINS,
    EXCLUSION_KEYS,
    GRADES,
    STAR_NAMES,
    Assessment,
    Evidence,
    Exclusion,
    InvalidEvidence,
    MemberEvidence,
    OrganisationFacts,
    PublicEvidence,
    SocialFeedback,
)
from .facts import FACTS, Fact, SchemeError
from .life import (
    DueForRating,
    GrantedTitle,
    HeldTitle,
    TargetCount,
    UpForRevocation,
    count_toward_target,
    due_for_rating,
    in_term,
    term_over,
    up_for_revocation,
)
from .loader import load_scheme
from .presets import SCHEMES, UnknownScheme, get_scheme
from .render import scheme_table
from .results import CRITERION_KEYS, LABELS, OUTCOMES, VERDICTS, Criterion, Rating, verdict_of
from .schemes import DEFAULT_SCHEME, ORDER_FIGURES, Scheme, Target
from .sources import SEED_FILES, SeedFile, seed_of
from .summary import BranchVerdict, CommitteeSummary, PhaseCheck, phase_checks, summarise
from .vocabulary import KINDS, Bound, Check, Item, Ratio

__all__ = [
    "COLUMN_FACTS",
    "CRITERIA",
    "CRITERION_KEYS",
    "DEFAULT_SCHEME",
    "DOMAINS",
    "EXCLUSION_KEYS",
    "FACTS",
    "GRADES",
    "JUDGES",
    "KINDS",
    "LABELS",
    "ORDER_FIGURES",
    "OUTCOMES",
    "SCHEMES",
    "SEED_FILES",
    "STAR_NAMES",
    "VERDICTS",
    "Assessment",
    "Bound",
    "BranchVerdict",
    "Check",
    "CommitteeSummary",
    "Criterion",
    "DueForRating",
    "Evidence",
    "Exclusion",
    "Fact",
    "GrantedTitle",
    "HeldTitle",
    "InvalidEvidence",
    "Item",
    "MemberEvidence",
    "OrganisationFacts",
    "PhaseCheck",
    "PublicEvidence",
    "Rating",
    "Ratio",
    "Scheme",
    "SchemeError",
    "SeedFile",
    "SocialFeedback",
    "Target",
    "TargetCount",
    "UnknownScheme",
    "UpForRevocation",
    "count_toward_target",
    "due_for_rating",
    "get_scheme",
    "in_term",
    "load_scheme",
    "phase_checks",
    "rate",
    "scheme_table",
    "seed_of",
    "summarise",
    "term_over",
    "up_for_revocation",
    "verdict_of",
]
