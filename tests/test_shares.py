"""Shamir's k-of-n over GF(256) (survey/ballotbox/shares.py) and the scrutineer card's code
(survey/ballotbox/scrutineers.py): any k shares rebuild, k - 1 do not determine it; one
mistyped or two swapped symbols are caught by the check symbol."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.ballotbox import scrutineers, shares
from survey.core import codes

secrets_ = st.binary(min_size=1, max_size=32)
k_of_n = st.integers(1, 9).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n)))


def test_the_field_is_a_field_every_nonzero_byte_has_an_inverse():
    for a in range(1, 256):
        assert shares.mul(a, shares.div(1, a)) == 1
    assert shares.mul(0x57, 0x83) == 0xC1  # FIPS-197's worked example


@settings(max_examples=200, deadline=None)
@given(secret=secrets_, kn=k_of_n, data=st.data())
def test_any_k_shares_rebuild_the_secret(secret, kn, data):
    k, n = kn
    dealt = shares.split(secret, k, n)
    chosen = data.draw(st.permutations(dealt)).copy()[: data.draw(st.integers(k, n))]
    assert shares.combine(chosen) == secret


@settings(max_examples=50, deadline=None)
@given(secret=st.binary(min_size=1, max_size=4), kn=k_of_n, data=st.data())
def test_k_minus_one_shares_fit_every_secret_alike(secret, kn, data):
    """Information-theoretic: for k - 1 shares and ANY candidate first byte there is a
    k-th share value making the candidate the secret (so they do not determine it)."""
    k, n = kn
    if k == 1:
        return
    dealt = shares.split(secret, k, n)
    some = data.draw(st.permutations(dealt))[: k - 1]
    missing_x = next(x for x in range(1, 256) if x not in {x for x, _ in some})
    rebuilt_firsts = {
        shares.combine([(x, v[:1]) for x, v in some] + [(missing_x, bytes([guess]))])[0]
        for guess in range(256)
    }
    assert rebuilt_firsts == set(range(256))


def test_shares_of_the_same_secret_differ_between_splits():
    secret = bytes(16)
    assert shares.split(secret, 2, 3) != shares.split(secret, 2, 3)


def test_bad_splits_and_combines_are_refused():
    with pytest.raises(ValueError):
        shares.split(b"x", 3, 2)
    with pytest.raises(ValueError):
        shares.split(b"x", 0, 2)
    with pytest.raises(ValueError):
        shares.combine([(1, b"a"), (1, b"b")])


class FakeCampaign:
    """The fields a card's code is bound to."""

    def __init__(self, campaign_id=7, k=2, n=3):
        self.id, self.scrutineers_k, self.scrutineers_n = campaign_id, k, n
        self.public_key = None


def made_cards(campaign):
    campaign.public_key, cards = scrutineers.new_cards(campaign)
    return cards


def test_a_card_code_is_30_crockford_symbols_in_groups_of_five_holder_first():
    campaign = FakeCampaign()
    cards = made_cards(campaign)
    assert [c.holder for c in cards] == [1, 2, 3]
    for card in cards:
        groups = card.code.split("-")
        assert [len(g) for g in groups] == [5] * 6
        assert set("".join(groups)) <= set(codes.ALPHABET)
        assert card.code[0] == str(card.holder)


def test_any_two_of_three_cards_rebuild_the_campaigns_key_typed_leniently():
    from survey.ballotbox import sealing

    campaign = FakeCampaign()
    cards = made_cards(campaign)
    for pair in itertools.combinations(cards, 2):
        typed = [pair[0].code.lower(), pair[1].code.replace("-", " ")]
        key = scrutineers.private_key(campaign, typed)
        assert sealing.public_bytes(key) == campaign.public_key


def _mistyped(code: str, place: int, symbol: str) -> str:
    plain = code.replace("-", "")
    return plain[:place] + symbol + plain[place + 1 :]


def test_every_single_mistyped_symbol_of_a_card_is_caught():
    campaign = FakeCampaign()
    card = made_cards(campaign)[1]
    plain = card.code.replace("-", "")
    caught = 0
    for place in range(len(plain)):
        for symbol in codes.ALPHABET:
            if symbol == plain[place]:
                continue
            read = scrutineers._read(campaign, _mistyped(card.code, place, symbol))
            assert isinstance(read, str), (place, symbol)
            caught += 1
    assert caught == 30 * 31
    print(f'FIGURES card_check: {{"single_substitutions": {caught}, "caught": {caught}}}')


def test_two_swapped_symbols_of_a_card_are_caught():
    campaign = FakeCampaign()
    plain = made_cards(campaign)[0].code.replace("-", "")
    for i, j in itertools.combinations(range(len(plain)), 2):
        if plain[i] == plain[j]:
            continue
        swapped = list(plain)
        swapped[i], swapped[j] = swapped[j], swapped[i]
        assert isinstance(scrutineers._read(campaign, "".join(swapped)), str), (i, j)


def test_a_card_of_another_campaign_or_an_earlier_printing_is_refused_as_such():
    mine, other = FakeCampaign(7), FakeCampaign(8)
    made_cards(mine)
    foreign = made_cards(other)[0].code
    assert scrutineers._read(mine, foreign) == "other_campaign"
    voided = made_cards(mine)[0].code  # printed, then printed again: the first is void
    made_cards(mine)
    assert scrutineers._read(mine, voided) == "other_campaign"


def test_one_good_card_of_two_needed_is_refused_naming_the_bad_one():
    from survey.core.errors import ScrutineersNeeded

    campaign = FakeCampaign()
    cards = made_cards(campaign)
    wrong = _mistyped(
        cards[1].code,
        10,
        random.choice([s for s in "ABC" if s != cards[1].code.replace("-", "")[10]]),
    )
    with pytest.raises(ScrutineersNeeded) as refused:
        scrutineers.private_key(campaign, [cards[0].code, wrong])
    assert refused.value.detail["cards"] == [{"place": 2, "reason": "check"}]
    assert "code 2: its check symbol does not match" in refused.value.message
    with pytest.raises(ScrutineersNeeded) as twice:
        scrutineers.private_key(campaign, [cards[0].code, cards[0].code])
    assert twice.value.detail["cards"] == [{"place": 2, "reason": "same_holder"}]
    with pytest.raises(ScrutineersNeeded):
        scrutineers.private_key(campaign, [])
