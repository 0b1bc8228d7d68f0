"""001 附件2 §一–§九 in `nmg-2020-annex2`: every domain's reference standard is a criterion with
its clause and domain, fed by a reviewer fact; a standard not entered leaves the branch
pending, never eligible; a standard of another domain does not apply."""

import pytest

from survey.rules import SCHEMES, rate

ANNEX = SCHEMES["nmg-2020-annex2"]
STANDARDS = [item for item in ANNEX.criteria if item.source.startswith("001 附件2")]
FLAGS = [item for item in STANDARDS if item.kind == "flag"]

# Every numbered standard of 附件2 §一–§九 and the criterion that holds it. A standard named
# twice (§三4: funding and the 四优 member and the venue) has one criterion a part.
CLAUSES = {
    "village": ["§一1", "§一2", "§一3", "§一4", "§一5", "§一6", "§一7", "§一8"],
    "community": ["§二1", "§二2", "§二3", "§二4", "§二5"],
    "state_enterprise": ["§三1", "§三2", "§三3", "§三4"],
    "university": ["§四1", "§四2", "§四3", "§四4"],
    "private_enterprise": ["§五1", "§五2", "§五3", "§五4"],
    "social_organisation": ["§六1", "§六2", "§六3"],
    "hospital": ["§七(一)1", "§七(一)2", "§七(一)3", "§七(一)4"],
    "school": ["§七(二)1", "§七(二)2", "§七(二)3", "§七(二)4"],
    "institution": ["§七(三)1", "§七(三)2", "§七(三)3"],
    "organ": ["§八1", "§八2", "§八3", "§八4", "§八5", "§八6", "§八7"],
    "mobile": ["§九1", "§九2", "§九3", "§九4", "§九5"],
}


def _cited(item) -> set[str]:
    return {part.removeprefix("001 附件2 ") for part in item.source.split("; ")}


@pytest.mark.parametrize("domain", sorted(CLAUSES))
def test_every_numbered_standard_of_the_domain_is_a_criterion_of_its_domain(domain):
    own = [item for item in STANDARDS if domain in item.domains]
    cited = set().union(*(_cited(item) for item in own))
    assert set(CLAUSES[domain]) <= cited, set(CLAUSES[domain]) - cited


@pytest.mark.parametrize("item", FLAGS, ids=lambda item: item.key)
def test_each_standard_passes_on_yes_fails_on_no_and_waits_unentered(factory, item):
    domain = sorted(item.domains)[0]
    (check,) = item.checks

    def rated(value):
        evidence = factory.evidence(
            domain=domain, assessment=factory.with_facts(**{check.fact: value})
        )
        return rate(evidence, ANNEX)

    assert rated(True).criterion(item.key).outcome == "pass"
    assert rated(True).verdict == "eligible"
    assert rated(False).criterion(item.key).outcome == "fail"
    assert rated(False).verdict == "not_eligible"
    unentered = rated(None)
    assert unentered.criterion(item.key).outcome == "pending"
    assert unentered.verdict == "pending"  # never eligible while a standard is not entered


@pytest.mark.parametrize("domain", sorted(CLAUSES))
def test_another_domains_standards_do_not_apply(factory, domain):
    nothing = factory.assessment(facts={})
    rating = rate(factory.evidence(domain=domain, assessment=nothing), ANNEX)
    for item in STANDARDS:
        outcome = rating.criterion(item.key).outcome
        if domain in item.domains:
            assert outcome in ("pending", "not_applicable", "pass", "fail"), item.key
        else:
            assert outcome == "not_applicable", (domain, item.key)


def test_the_default_scheme_keeps_only_the_two_standards_it_always_applied(factory):
    nmg = SCHEMES["nmg-2020"]
    assert {item.key for item in nmg.criteria if item.source.startswith("001 附件2")} == {
        "volunteers",
        "stars",
    }
    unentered = factory.evidence(domain="hospital", assessment=factory.assessment(facts={}))
    assert rate(unentered, nmg).verdict == "eligible"
    assert rate(unentered, ANNEX).verdict == "pending"


def test_the_facts_a_branch_is_asked_for_are_its_own_domains_only():
    hospital = set(ANNEX.facts_for("hospital"))
    assert {"hospital_ethics", "hospital_funds_rooms"} <= hospital
    assert not hospital & {"organ_political", "village_three_affairs", "school_brand"}
