"""The rating engine: a pure function of one branch's evidence and a scheme."""

from __future__ import annotations

from collections.abc import Callable

from . import entries, votes
from .evidence import Evidence
from .results import Criterion, Rating, verdict_of
from .schemes import DEFAULT_SCHEME, Scheme, get_scheme

Judge = Callable[[Evidence, Scheme], Criterion]

CRITERIA: tuple[Judge, ...] = (
    votes.members,
    votes.quorum,
    votes.public,
    entries.organisation,
    entries.social,
    entries.exclusions,
    entries.founded,
    entries.weak,
    entries.score,
    entries.volunteers,
    entries.stars,
)
"""Every criterion, in the order a rating lists them (RULES §1 the four evaluations first)."""


def rate(evidence: Evidence, scheme: Scheme | str = DEFAULT_SCHEME) -> Rating:
    """Rate one branch for `evidence.year` under `scheme` (a Scheme or a preset key).

    Every criterion is listed whatever its outcome, so a reader sees why. Raises
    UnknownScheme for an unknown key.
    """
    chosen = get_scheme(scheme) if isinstance(scheme, str) else scheme
    criteria = tuple(judge(evidence, chosen) for judge in CRITERIA)
    return Rating(
        verdict=verdict_of([criterion.outcome for criterion in criteria]),
        scheme=chosen.key,
        year=evidence.year,
        organisation_id=evidence.organisation.id,
        criteria=criteria,
    )
