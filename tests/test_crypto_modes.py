"""The 国密 suite (SURVEY_CRYPTO=sm): SM2, SM3 and SM4 checked against their standards'
examples, envelopes of each suite told apart by their version, and a change of the setting
that strands nothing: a campaign keeps the suite it was created in, its printed links still
open their ballots, its votes still seal and its box still opens and counts."""

from __future__ import annotations

import hmac

import gmalg
import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from helpers import ballot_form, bearer, cast, counted_choices, envelopes, votes_counted
from sqlalchemy import text
from test_sealed_box import meeting_campaign, vote

from survey.ballotbox import keys, sealing, sm
from survey.core.digests import SM3
from survey.core.links import ballot_url
from survey.core.security import read_ballot_token, serializer
from survey.models import Campaign

# GB/T 32918.4-2016 / GM/T 0003.4 example on the recommended curve (encryption standard)
SM2_PRIVATE = "3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8"
SM2_PUBLIC = (
    "04"
    "09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020"
    "CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13"
)
SM2_K = "59276E27D506861A16680F3AD9C02DCCEF3CC1FA3CDBE4CE6D54B80DEAC1BC21"
SM2_CIPHER = (
    "04"
    "04EBFC718E8D1798620432268E77FEB6415E2EDE0E073C0F4F640ECD2E149A73"
    "E858F9D81E5430A57B36DAAB8F950A3C64E6EE6A63094D99283AFF767E124DF0"
    "59983C18F809E262923C53AEC295D30383B54E39D609D160AFCB1908D0BD8766"
    "21886CA989CA9C7D58087307CA93092D651EFA"
)
INTERNATIONAL_PREFIXES = {"server": "", "scrutineers": "v2."}
SM_PREFIXES = {"server": "v3.", "scrutineers": "v4."}


def test_sm2_encrypts_the_standards_example_byte_for_byte():
    """The SM2 library (gmalg) gives GB/T 32918's C1||C3||C2 for its fixed k, and opens it."""
    public, private = bytes.fromhex(SM2_PUBLIC), bytes.fromhex(SM2_PRIVATE)
    fixed = gmalg.SM2(pk=public, rnd_fn=lambda _bits: int(SM2_K, 16))
    assert fixed.encrypt(b"encryption standard").hex().upper() == SM2_CIPHER
    assert gmalg.SM2(sk=private, pk=public).decrypt(bytes.fromhex(SM2_CIPHER)) == (
        b"encryption standard"
    )
    assert gmalg.SM2().generate_pk(private) == public


def test_sm3_and_hmac_sm3_give_the_standards_digest():
    """GB/T 32905's example "abc"; the HMAC of signed links runs over the same SM3."""
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert SM3(b"abc").hexdigest() == expected
    split = SM3(b"a")
    split.update(b"bc")
    assert split.copy().hexdigest() == expected
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives import hmac as crypto_hmac

    reference = crypto_hmac.HMAC(b"key", hashes.SM3())
    reference.update(b"message")
    assert hmac.new(b"key", b"message", SM3).digest() == reference.finalize()


def test_sm4_gcm_gives_rfc_8998s_example():
    """SM4-GCM, as the envelopes use it, against RFC 8998 appendix A.1."""
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plain = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    sealed = encryptor.update(plain) + encryptor.finalize()
    assert sealed.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert encryptor.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"
    assert sm._decrypt(key, nonce + sealed + encryptor.tag, aad, 1) == plain


@pytest.mark.parametrize("sealing_mode", ["server", "scrutineers"])
def test_an_sm_campaign_seals_with_sm4_and_sm2_and_says_so(app, make, db, sealing_mode):
    """Created under SURVEY_CRYPTO=sm, a campaign records the suite; its envelopes are of
    version 3 (SM4-GCM under HKDF-SM3) or 4 (an SM2-wrapped SM4 key), and its scrutineers'
    public key is a point of SM2's curve."""
    app.config["CRYPTO"] = "sm"
    campaign = meeting_campaign(make, "member_review", sealing=sealing_mode)
    assert campaign.crypto == "sm"
    for card in make.ballots(campaign, 2):
        cast(db.session, card.id, vote(campaign, "competent"))
    db.session.rollback()
    rows = db.session.execute(
        text("SELECT key_id, sealed FROM envelopes WHERE campaign_id = :c"), {"c": campaign.id}
    ).all()
    version = 3 if sealing_mode == "server" else 4
    assert [(kid[:3], bytes(blob)[0]) for kid, blob in rows] == [(f"v{version}.", version)] * 2
    if sealing_mode == "scrutineers":
        public_key = db.session.get(Campaign, campaign.id).public_key
        assert len(public_key) == 65 and gmalg.SM2().verify_pk(public_key)
        with pytest.raises(Exception, match="needs the scrutineers' cards"):
            sealing.opener(campaign.id)(*rows[0])
    else:
        assert sealing.unseal(campaign.id, *rows[0])["answers"][0][1] == "competent"
    make.close(campaign)
    assert votes_counted(db, campaign.id) == 2


@pytest.mark.parametrize("sealing_mode", ["server", "scrutineers"])
@pytest.mark.parametrize(("made_in", "then"), [("international", "sm"), ("sm", "international")])
def test_a_mode_change_strands_no_open_box(app, make, db, client, made_in, then, sealing_mode):
    """An open campaign made in one suite: after SURVEY_CRYPTO changes, its printed link
    still opens the ballot and casts, the new vote is sealed in the campaign's own suite,
    an API token made before still works, and the box opens with every vote counted."""
    app.config["CRYPTO"] = made_in
    campaign = meeting_campaign(make, "member_review", sealing=sealing_mode)
    before, after = make.ballots(campaign, 2)
    printed = ballot_url(after.id)  # a card printed before the change
    cast(db.session, before.id, vote(campaign, "excellent"))
    secretary = make.user("secretary", "secretary", campaign.organisation)

    app.config["CRYPTO"] = then
    path = printed.split("survey.example.org", 1)[1]
    form = ballot_form(client.get(path).text)
    assert client.post(path, data=form | {"choice": "competent"}).status_code == 303
    assert envelopes(db, campaign.id) == 2
    db.session.rollback()
    prefixes = (SM_PREFIXES if made_in == "sm" else INTERNATIONAL_PREFIXES)[sealing_mode]
    kids = db.session.execute(
        text("SELECT key_id FROM envelopes WHERE campaign_id = :c"), {"c": campaign.id}
    ).scalars()
    assert all(kid.startswith(prefixes) and len(kid) == 16 for kid in kids)
    assert keys.retired_key_warnings(db.session) == []
    answer = client.get(f"/api/v1/campaigns/{campaign.id}", headers=bearer(secretary))
    assert answer.status_code == 200, answer.json

    make.close(db.session.get(Campaign, campaign.id))
    assert votes_counted(db, campaign.id) == 2
    assert counted_choices(db, campaign.id) == {"excellent": 1, "competent": 1}


def test_a_link_signed_in_either_mode_verifies_in_both_and_a_forged_one_in_neither(app):
    """Signed links are HMAC-SHA1 (itsdangerous' own) or HMAC-SM3; each verifies in both
    modes, and a link changed by one character in neither."""
    tokens = {}
    for mode in ("international", "sm"):
        app.config["CRYPTO"] = mode
        tokens[mode] = serializer("ballot").dumps("b" * 32)
    assert tokens["international"] != tokens["sm"]
    for mode in ("international", "sm"):
        app.config["CRYPTO"] = mode
        for token in tokens.values():
            assert read_ballot_token(token, 3600) == ("b" * 32, False)
            at = token.rindex(".") + 1  # the signature's first character (its last may
            # carry only padding bits: changing it can leave the bytes as they were)
            forged = token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]
            assert read_ballot_token(forged, 3600) == (None, False)


def test_envelopes_of_a_retired_key_are_reported_in_the_sm_suite_too(app, make, db):
    """keys.retired_key_warnings names an open box of version 3 envelopes whose secret key
    left SURVEY_SECRET_KEYS, as it does for version 1."""
    app.config["CRYPTO"] = "sm"
    campaign = meeting_campaign(make, "member_review", sealing="server")
    cast(db.session, make.ballots(campaign, 1)[0].id, vote(campaign, "competent"))
    db.session.rollback()
    warnings = keys.retired_key_warnings(db.session, keys=["a newer key"])
    assert len(warnings) == 1 and f"open campaign {campaign.id} has 1 votes" in warnings[0]
    assert sm.key_id("test-key-new") in warnings[0]


def test_an_sm2_envelope_opens_with_its_campaigns_private_key_only(app):
    """Version 4: the scrutineers' SM2 key opens it; another seed's key, another campaign or
    a flipped byte is a BrokenEnvelope (never a crash); every vote seals to one size."""
    from survey.core.errors import BrokenEnvelope

    key = sealing.private_key_from_seed(b"k" * 16, 5, "sm")
    public = sealing.public_bytes(key)
    assert len(public) == 65 and public == gmalg.SM2().generate_pk(key.private_bytes_raw())
    payload = {"answers": [[1, "excellent"]], "texts": {}}
    kid, blob = sealing.seal_to(public, 5, payload, rows=1)
    assert kid.startswith("v4.") and blob[0] == 4
    assert sealing.opener(5, key)(kid, blob) == payload
    other = sealing.private_key_from_seed(bytes(16), 5, "sm")
    elsewhere = sealing.private_key_from_seed(b"k" * 16, 6, "sm")
    flipped = blob[:200] + bytes([blob[200] ^ 1]) + blob[201:]
    for attempt in (
        lambda: sealing.unseal_with(other, 5, kid, blob),
        lambda: sealing.unseal_with(elsewhere, 6, kid, blob),
        lambda: sealing.unseal_with(key, 6, kid, blob),
        lambda: sealing.unseal_with(key, 5, kid, flipped),
        lambda: sealing.unseal_with(key, 5, kid, blob[:50]),
    ):
        with pytest.raises(BrokenEnvelope):
            attempt()
    long = {"answers": [[1, "basically_competent"]], "texts": {"1": "长" * 500}}
    assert len(sealing.seal_to(public, 5, long, rows=1)[1]) == len(blob)


def test_a_staff_session_signed_in_one_mode_survives_the_change_and_is_signed_by_the_new(
    app, make, client
):
    """The session cookie is HMAC-SM3 in the sm mode: a staff member signed in before the
    mode changed stays signed in, and the cookie is re-signed in the new mode."""
    from helpers import sign_in

    app.config["CRYPTO"] = "international"
    make.user("secretary", "secretary", make.organisation())
    assert sign_in(client, "secretary").status_code == 303
    before = client.get_cookie("session").value
    app.config["CRYPTO"] = "sm"
    assert client.get("/staff/").status_code == 200
    serializer = app.session_interface.get_signing_serializer(app)
    assert serializer.loads(before)["_user_id"]
    assert serializer.make_signer().digest_method is SM3
