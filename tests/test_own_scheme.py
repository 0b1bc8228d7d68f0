"""A committee's own scheme: upload or copy and edit, validated with file, key and reason,
chosen by the committee, stored by version (frozen once a title used it), compared side by
side with another scheme on the branch page, found by the rating."""

from __future__ import annotations

import io

import pytest
from helpers import csrf_from, held_review
from notice_helpers import eligible

from survey import rating
from survey.core.errors import Invalid
from survey.models import CommitteeScheme, Title
from survey.rating import schemes_store, titles


def strict_text(share="[95, 100]", key="strict-2026"):
    """nmg-2020 with the members' bound raised from 9/10 to ``share``."""
    text = schemes_store.preset_text("nmg-2020", key)
    return text.replace("min = [9, 10]", f"min = {share}", 1)


def test_a_copy_of_a_preset_is_stored_chosen_and_rated_under(db, make, org):
    row = schemes_store.save(db.session, "t", org["committee"], strict_text(), "strict.toml")
    schemes_store.choose(db.session, "t", org["committee"], "strict-2026")
    db.session.commit()
    assert row.ref == "strict-2026@1"
    scheme = rating.scheme_for(db.session, org["first"], None)
    assert scheme.key == "strict-2026@1" and scheme.members.bound.value.numerator == 95


@pytest.mark.parametrize(
    ("excellent", "verdict"), [(18, "fail"), (19, "eligible"), (20, "eligible")]
)
def test_the_own_bound_is_applied_at_below_and_above_it(db, make, org, excellent, verdict):
    """19 of 20 is exactly 95 %: 以上 includes the bound."""
    schemes_store.save(db.session, "t", org["committee"], strict_text(), "strict.toml")
    schemes_store.choose(db.session, "t", org["committee"], "strict-2026")
    db.session.commit()
    held_review(make, db, org["first"], excellent, 20 - excellent)
    from helpers import GOOD_ASSESSMENT

    from survey.rating import assessments

    assessments.save_assessment(db.session, "t", org["first"], 2026, GOOD_ASSESSMENT)
    db.session.commit()
    result = rating.rate_branch(db.session, org["first"], 2026)
    assert result.scheme == "strict-2026@1"
    expected = "fail" if verdict == "fail" else "pass"
    assert result.criterion("members").outcome == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("key = ", "(file)"),
        (strict_text(share='"lots"'), "criteria[0].min"),
        (strict_text(key="nmg-2020"), "key"),
        (strict_text(key="Bad Key"), "key"),
    ],
)
def test_a_scheme_with_a_mistake_is_refused_with_file_key_and_reason(db, org, text, key):
    with pytest.raises(Invalid) as refused:
        schemes_store.save(db.session, "t", org["committee"], text, "mine.toml")
    assert refused.value.message.startswith("mine.toml: ") and key in refused.value.message


def test_an_upload_with_a_mistake_is_shown_on_the_page(auth, client, org):
    auth.login("reviewer")
    url = f"/ratings/committees/{org['committee'].id}/schemes"
    page = client.get(url)
    bad = strict_text(share='"lots"').encode()
    answer = client.post(
        f"{url}/upload",
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(bad), "mine.toml")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 400
    assert "mine.toml" in answer.text and "criteria[0].min" in answer.text


def test_copy_edit_and_choose_through_the_pages(auth, client, db, org):
    auth.login("reviewer")
    url = f"/ratings/committees/{org['committee'].id}/schemes"
    token = csrf_from(client.get(url).text)
    copied = client.post(
        f"{url}/copy", data={"csrf_token": token, "preset": "nmg-2020", "key": "ours"}
    )
    assert copied.status_code == 303 and copied.headers["Location"].endswith("/schemes/ours")
    edit = client.get(copied.headers["Location"])
    assert "key = &#34;ours&#34;" in edit.text
    text = schemes_store.preset_text("nmg-2020", "ours").replace("min = [9, 10]", "min = [8, 10]")
    saved = client.post(copied.headers["Location"], data={"csrf_token": token, "text": text})
    assert saved.status_code == 303
    wrong = client.post(copied.headers["Location"], data={"csrf_token": token, "text": "x ="})
    assert wrong.status_code == 400 and "ours.toml" in wrong.text
    chosen = client.post(f"{url}/choice", data={"csrf_token": token, "scheme": "ours"})
    assert chosen.status_code == 303
    db.session.rollback()
    assert db.session.query(CommitteeScheme).count() == 1  # unused: changed in place
    assert rating.scheme_for(db.session, org["first"], None).key == "ours@1"


def test_a_version_a_title_used_is_frozen_and_a_change_makes_the_next(db, make, org):
    schemes_store.save(db.session, "t", org["committee"], strict_text("[8, 10]"), "s.toml")
    schemes_store.choose(db.session, "t", org["committee"], "strict-2026")
    db.session.commit()
    eligible(make, db, org["first"])
    title = titles.grant_title(db.session, "t", org["first"], 2026)
    db.session.commit()
    assert title.scheme == "strict-2026@1"  # the title records the version it applied
    again = schemes_store.save(db.session, "t", org["committee"], strict_text(), "s.toml")
    db.session.commit()
    assert again.version == 2
    first = db.session.query(CommitteeScheme).filter_by(version=1).one()
    assert "min = [8, 10]" in first.text  # frozen
    assert rating.scheme_for(db.session, org["first"], None).key == "strict-2026@2"
    assert rating.scheme_for(db.session, org["first"], "strict-2026@1").key == "strict-2026@1"
    assert db.session.get(Title, title.id).rating["scheme"] == "strict-2026@1"


def test_another_committees_scheme_is_neither_found_nor_overwritten(db, make, org):
    other = org["foreign"].parent
    schemes_store.save(db.session, "t", other, strict_text(), "s.toml")
    db.session.commit()
    with pytest.raises(Invalid):
        rating.scheme_for(db.session, org["first"], "strict-2026")
    with pytest.raises(Invalid):
        schemes_store.save(db.session, "t", org["committee"], strict_text(), "s.toml")


def test_the_branch_page_compares_two_schemes_side_by_side(auth, client, db, make, org):
    schemes_store.save(db.session, "t", org["committee"], strict_text("[10, 10]"), "s.toml")
    db.session.commit()
    held_review(make, db, org["first"], 9, 1)
    auth.login("reviewer")
    url = f"/ratings/branches/{org['first'].id}?year=2026&scheme=nmg-2020&compare=strict-2026"
    page = client.get(url)
    assert page.status_code == 200
    section = page.text[page.text.index('id="compare"') :]
    assert "strict-2026@1" in section and "9/10" in section and "10/10" in section
    assert section.count('class="differs"') == 1  # only the members' bound differs
    unknown = client.get(f"/ratings/branches/{org['first'].id}?compare=nothing")
    assert unknown.status_code == 400


def test_the_grant_button_is_there_under_the_committees_own_scheme(auth, client, db, make, org):
    schemes_store.save(db.session, "t", org["committee"], strict_text("[8, 10]"), "s.toml")
    schemes_store.choose(db.session, "t", org["committee"], "strict-2026")
    db.session.commit()
    eligible(make, db, org["first"])
    auth.login("reviewer")
    page = client.get(f"/ratings/branches/{org['first'].id}?year=2026")
    assert f'action="/ratings/branches/{org["first"].id}/titles/2026"' in page.text


def test_the_summary_reads_the_own_scheme_once_per_committee(db, make, org, monkeypatch):
    schemes_store.save(db.session, "t", org["committee"], strict_text(), "s.toml")
    schemes_store.choose(db.session, "t", org["committee"], "strict-2026")
    db.session.commit()
    calls = []
    real = schemes_store.resolve
    monkeypatch.setattr(schemes_store, "resolve", lambda *a, **k: calls.append(a) or real(*a, **k))
    summary = rating.committee_summary(db.session, org["committee"], 2026)
    assert summary["scheme"] == "strict-2026@1" and len(calls) == 1
