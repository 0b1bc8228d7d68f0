"""The scheme presets as data: thresholds, targets, caps and citations."""

import dataclasses
from pathlib import Path

import pytest

from survey.rules import (
    DEFAULT_SCHEME,
    SCHEMES,
    SEED_FILES,
    Ratio,
    UnknownScheme,
    get_scheme,
    seed_of,
)

SEEDS = Path(__file__).resolve().parents[2] / "survey" / "rules" / "seeds"


def test_the_presets_are_keyed_by_seed(factory):
    assert DEFAULT_SCHEME == "nmg-2020"
    assert {key: scheme.source[:3] for key, scheme in SCHEMES.items()} == {
        "nmg-2020": "001",
        "nmg-2020-annex2": "001",
        "ordos-amr-2020": "000",
        "pingdingshan-2024": "002",
        "chifeng-college-2020": "003",
        "haimen-2019": "004",
    }


def test_get_scheme_returns_the_preset_and_refuses_unknown_keys():
    assert get_scheme("ordos-amr-2020") is SCHEMES["ordos-amr-2020"]
    with pytest.raises(UnknownScheme) as raised:
        get_scheme("nope")
    assert isinstance(raised.value, KeyError)
    assert isinstance(raised.value, ValueError)
    assert "nope" in str(raised.value)


def _numbers(value):
    """Every number inside a scheme, walking its dataclasses and containers."""
    if dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            yield from _numbers(getattr(value, item.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield value


@pytest.mark.parametrize("key", sorted(SCHEMES))
def test_scheme_thresholds_are_integers_never_floats(key):
    numbers = list(_numbers(SCHEMES[key]))
    assert numbers
    assert all(type(number) is int for number in numbers)


@pytest.mark.parametrize(
    ("key", "year", "target"),
    [
        ("nmg-2020", 2020, None),
        ("nmg-2020", 2021, Ratio(30, 100)),
        ("nmg-2020", 2022, Ratio(30, 100)),
        ("nmg-2020", 2023, Ratio(50, 100)),
        ("nmg-2020", 2030, Ratio(50, 100)),
        ("ordos-amr-2020", 2019, None),
        ("ordos-amr-2020", 2020, Ratio(20, 100)),
        ("ordos-amr-2020", 2021, Ratio(30, 100)),
        ("ordos-amr-2020", 2022, Ratio(40, 100)),
        ("ordos-amr-2020", 2023, Ratio(50, 100)),
        ("ordos-amr-2020", 2025, Ratio(50, 100)),
        ("chifeng-college-2020", 2020, None),
        ("chifeng-college-2020", 2021, Ratio(30, 100)),
        ("chifeng-college-2020", 2022, Ratio(30, 100)),
        ("chifeng-college-2020", 2023, Ratio(1, 2)),
        ("pingdingshan-2024", 2024, None),
        ("haimen-2019", 2019, None),
    ],
)
def test_target_is_the_latest_at_or_before_the_year(key, year, target):
    found = SCHEMES[key].target_for(year)
    assert (found.share if found else None) == target


@pytest.mark.parametrize(("branches", "limit"), [(0, 0), (9, 0), (10, 1), (19, 1), (30, 3)])
def test_pingdingshan_caps_recommendations_at_a_tenth_rounded_down(branches, limit):
    assert SCHEMES["pingdingshan-2024"].recommendation_limit(branches) == limit


def test_only_pingdingshan_caps_recommendations():
    capped = {key for key, scheme in SCHEMES.items() if scheme.recommendation_cap}
    assert capped == {"pingdingshan-2024"}


def test_threshold_values_match_the_seeds():
    nmg, ordos = SCHEMES["nmg-2020"], SCHEMES["ordos-amr-2020"]
    assert nmg.members.bound.value == Ratio(9, 10) and nmg.members.bound.op == "min"
    assert nmg.item("public").any_verified and nmg.item("public").rate_max is None
    assert ordos.item("public").any_verified and ordos.item("public").rate_max == Ratio(1, 10)
    assert nmg.score_min == 90
    others = [SCHEMES[k].score_min for k in sorted(SCHEMES) if not k.startswith("nmg-2020")]
    assert others == [None] * 4
    volunteers = ordos.item("volunteers").checks
    assert volunteers[0].bounds[0].value == Ratio(80, 100) and volunteers[1].bounds[
        0
    ].value == Ratio(2, 1)
    stars = nmg.item("stars").checks
    assert stars[0].bounds[0].value == Ratio(8, 1) and len(stars[1].includes) == 3


def test_ratio_refuses_a_zero_denominator():
    with pytest.raises(ValueError):
        Ratio(1, 0)


def test_seed_files_name_the_five_seeds():
    assert sorted(SEED_FILES) == ["000", "001", "002", "003", "004"]
    for number, seed in SEED_FILES.items():
        assert seed.file.startswith(f"{number}_") and seed.file.endswith(".txt")
        assert seed.issuer and seed.title
        assert set(seed.to_dict()) == {"number", "file", "issuer", "title", "year"}
    assert seed_of("000 §四(二)") is SEED_FILES["000"]
    assert seed_of("docs/design.md") is None


def test_every_cited_seed_ships_with_the_product():
    for seed in SEED_FILES.values():
        assert (SEEDS / seed.file).is_file(), seed.file
