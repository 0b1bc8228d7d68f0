"""Factories for rating evidence: a branch that passes every criterion of every preset,
which each test then spoils in exactly one place."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from rule_helpers import PASSING_FACTS

from survey.rules import (
    Assessment,
    Evidence,
    Exclusion,
    MemberEvidence,
    OrganisationFacts,
    PublicEvidence,
    SocialFeedback,
)

_UNSET: Any = object()


class EvidenceFactory:
    """Builds evidence tersely. Stateless, so one instance serves the whole session."""

    def organisation(self, **fields: Any) -> OrganisationFacts:
        defaults: dict[str, Any] = {
            "id": 1,
            "name": "机关第一支部",
            "domain": "organ",
            "founded_on": date(2015, 7, 1),
            "public_facing": True,
            "weak": False,
        }
        return OrganisationFacts(**{**defaults, **fields})

    def members(
        self,
        excellent: int = 10,
        participants: int = 10,
        *,
        excellent_probationary: int = 0,
        participants_probationary: int = 0,
        roll: int | None = None,
        roll_probationary: int | None = None,
    ) -> MemberEvidence:
        """Full members' grades first; probationary ones apart; `roll` is 应到会人数."""
        return MemberEvidence(
            campaign_ids=(11,),
            eligible_full=roll,
            eligible_probationary=roll_probationary,
            participants_full=participants,
            participants_probationary=participants_probationary,
            excellent_full=excellent,
            excellent_probationary=excellent_probationary,
        )

    def public(
        self, responses: int = 100, *, verified: int = 0, unfounded: int = 0, unchecked: int = 0
    ) -> PublicEvidence:
        return PublicEvidence(
            campaign_ids=(21,),
            responses=responses,
            dissatisfied=verified + unfounded + unchecked,
            verified=verified,
            unfounded=unfounded,
        )

    def assessment(self, **fields: Any) -> Assessment:
        defaults: dict[str, Any] = {
            "organisation_grade": "excellent",
            "score": 95,
            "social": (SocialFeedback("纪检监察", negative=False),),
            "exclusions": (),
            "volunteers": 10,
            "serving_members": 10,
            "volunteer_activities": 3,
            "stars": 10,
            "named_stars": frozenset(
                {"strong_leadership", "harmony_stability", "public_satisfaction"}
            ),
            "entered_by": "reviewer",
            "facts": PASSING_FACTS,
        }
        return Assessment(**{**defaults, **fields})

    def with_facts(self, **facts: Any) -> Assessment:
        """The passing assessment with some facts changed (None removes one)."""
        merged = {**PASSING_FACTS, **facts}
        return self.assessment(facts={k: v for k, v in merged.items() if v is not None})

    def evidence(
        self,
        *,
        year: int = 2023,
        members: MemberEvidence | None = _UNSET,
        public: PublicEvidence | None = _UNSET,
        assessment: Assessment | None = _UNSET,
        **organisation: Any,
    ) -> Evidence:
        """A branch eligible under every preset, except where the arguments say otherwise."""
        return Evidence(
            year=year,
            organisation=self.organisation(**organisation),
            members=self.members() if members is _UNSET else members,
            public=self.public() if public is _UNSET else public,
            assessment=self.assessment() if assessment is _UNSET else assessment,
        )

    def excluded(self, *keys: str) -> Assessment:
        return self.assessment(exclusions=tuple(Exclusion(key, "note") for key in keys))

    @staticmethod
    def replace(instance: Any, **changes: Any) -> Any:
        return replace(instance, **changes)


@pytest.fixture(scope="session")
def factory() -> EvidenceFactory:
    return EvidenceFactory()
