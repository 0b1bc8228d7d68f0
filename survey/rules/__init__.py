"""The rating engine for the yearly "strongest branch" (最强党支部) rating.

Pure rules, no I/O: `rate(evidence, scheme) -> Rating` for one branch and
`summarise(ratings, scheme, year) -> CommitteeSummary` for a committee. The schemes are the
seed documents of shared/seeds as data (`SCHEMES`), every threshold cited by its clause.
"""

from .engine import CRITERIA, rate
from .evidence import (
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
from .results import CRITERION_KEYS, LABELS, OUTCOMES, VERDICTS, Criterion, Rating, verdict_of
from .schemes import (
    DEFAULT_SCHEME,
    SCHEMES,
    MembersRule,
    OrganisationRule,
    PublicRule,
    QuorumRule,
    Ratio,
    Rule,
    Scheme,
    ScoreRule,
    SocialRule,
    StarStandard,
    Target,
    UnknownScheme,
    VolunteerStandard,
    get_scheme,
)
from .sources import SEED_FILES, SeedFile, seed_of
from .summary import BranchVerdict, CommitteeSummary, summarise

__all__ = [
    "CRITERIA",
    "CRITERION_KEYS",
    "DEFAULT_SCHEME",
    "DOMAINS",
    "EXCLUSION_KEYS",
    "GRADES",
    "LABELS",
    "OUTCOMES",
    "SCHEMES",
    "SEED_FILES",
    "STAR_NAMES",
    "VERDICTS",
    "Assessment",
    "BranchVerdict",
    "CommitteeSummary",
    "Criterion",
    "Evidence",
    "Exclusion",
    "InvalidEvidence",
    "MemberEvidence",
    "MembersRule",
    "OrganisationFacts",
    "OrganisationRule",
    "PublicEvidence",
    "PublicRule",
    "QuorumRule",
    "Rating",
    "Ratio",
    "Rule",
    "Scheme",
    "ScoreRule",
    "SeedFile",
    "SocialFeedback",
    "SocialRule",
    "StarStandard",
    "Target",
    "UnknownScheme",
    "VolunteerStandard",
    "get_scheme",
    "rate",
    "seed_of",
    "summarise",
    "verdict_of",
]
