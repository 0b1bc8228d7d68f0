"""The meeting kit's pure parts: QR codes, quorum at its bound, bars, reconciliation."""

import os
import re
import time

import pytest
import qrcode
from qrcode.constants import ERROR_CORRECT_M

from survey.campaigns import meeting
from survey.core import qr
from survey.core.errors import Invalid

LINK = "https://survey.example.org/b/IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmIg.aaaaaa.bbbbbbbb"


def test_qr_svg_has_error_correction_m_and_a_four_module_quiet_zone():
    reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, mask_pattern=qr.MASK_PATTERN)
    reference.add_data(LINK)
    reference.make(fit=True)
    size = len(reference.modules) + 8
    svg = qr.svg(LINK)
    assert f'viewBox="0 0 {size} {size}"' in svg
    starts = [(int(x), int(y)) for x, y in re.findall(r"M(\d+) (\d+)", svg)]
    assert min(x for x, _ in starts) == 4 and min(y for _, y in starts) == 4
    dark = sum(int(w) for w in re.findall(r"h(\d+)", svg))
    assert dark == sum(map(sum, reference.modules))  # every dark module, nothing else


def test_qr_svg_is_cached():
    assert qr.svg(LINK) is qr.svg(LINK)


def test_the_shared_qr_cache_is_bounded_on_write_and_sweeps_partial_files(tmp_path, monkeypatch):
    folder = str(tmp_path / "qr-cache")
    monkeypatch.setattr(qr, "DISK_FILES", 10)
    monkeypatch.setattr(qr, "PRUNE_EVERY", 5)
    monkeypatch.setattr(qr, "_writes", 0)
    qr.cache_clear()
    first = qr._svg(f"{LINK}0", "QR code", folder)
    old = tmp_path / "qr-cache" / "killed-worker.svg.123.tmp"
    old.write_text("partial")
    for path in (tmp_path / "qr-cache").iterdir():  # everything written an hour ago
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    qr.cache_clear()
    assert qr._svg(f"{LINK}0", "QR code", folder) == first  # a disk hit: used again now
    for i in range(1, 25):
        qr._svg(f"{LINK}{i}", "QR code", folder)
        assert len(list((tmp_path / "qr-cache").glob("*.svg"))) <= 10 + 5  # bounded
    names = {p.name for p in (tmp_path / "qr-cache").iterdir()}
    assert not old.exists()  # a stale partial file is swept
    qr.cache_clear()
    assert qr._svg(f"{LINK}23", "QR code", folder) == qr._render(f"{LINK}23", "QR code")
    assert len(names) < 25
    qr.cache_clear()


def test_pruning_the_qr_cache_keeps_the_most_recently_used(tmp_path):
    for i in range(12):
        path = tmp_path / f"{i:02}.svg"
        path.write_text("<svg/>")
        os.utime(path, (time.time() - 3600 + i, time.time() - 3600 + i))  # within the age
    os.utime(tmp_path / "00.svg")  # read a moment ago
    assert qr.prune(str(tmp_path), limit=10) == 4  # down to 8
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == ["00.svg", "05.svg", "06.svg", "07.svg", "08.svg", "09.svg", "10.svg", "11.svg"]


def snapshot(cast, eligible_full=None, eligible_probationary=None, issued=30, void=0):
    return {
        "issued": issued,
        "cast": cast,
        "void": void,
        "responses": cast,
        "eligible_full": eligible_full,
        "eligible_probationary": eligible_probationary,
        "questions": [],
    }


@pytest.mark.parametrize(("cast", "met"), [(14, False), (15, False), (16, True)])
def test_quorum_needs_more_than_half_of_the_roll(cast, met):
    assert meeting.reading(snapshot(cast, 28, 2))["quorum_met"] is met


def test_without_a_roll_there_is_no_quorum_flag():
    assert meeting.reading(snapshot(3))["quorum_met"] is None


def test_reconciliation_issued_is_the_cards_not_voided_and_the_void_have_their_own_line():
    figures = meeting.reading(snapshot(20, 30, issued=29, void=2))["reconciliation"]
    assert figures == {"issued": 29, "returned": 20, "valid": 20, "void": 2, "unreturned": 9}


def test_bars_are_scaled_to_the_largest_count():
    bars = meeting.bars({"excellent": 8, "competent": 2, "incompetent": 0})
    assert [b["length"] for b in bars] == [100.0, 25.0, 0.0]
    assert [b["share"] for b in bars] == [80, 20, 0]
    assert [b["length"] for b in meeting.bars({"excellent": 0})] == [0.0]


def test_indicator_presets_keep_the_standard_order_and_refuse_unknown_keys():
    assert meeting.indicator_questions(["masses", "political"]) == [
        ("political", "政治功能强"),
        ("masses", "群众工作强"),
    ]
    with pytest.raises(Invalid):
        meeting.indicator_questions(["bogus"])


def test_every_worker_prints_one_link_per_ballot_and_a_late_reprint_a_fresh_one(
    app, make, monkeypatch
):
    """The token carries its signing time: each worker made its own, so the other worker's
    sheet missed the shared QR cache. The first is kept in the shared folder, until half its
    validity has gone."""
    from survey.core import links
    from survey.core.security import read_ballot_token

    [card] = make.ballots(make.campaign(make.organisation("第一党支部"), status="draft"))
    now = time.time()
    with app.test_request_context():
        first = links.ballot_url(card.id)
        links._ballot_url.cache_clear()  # another worker, a few seconds later
        monkeypatch.setattr(time, "time", lambda: now + 5)
        assert links.ballot_url(card.id) == first
        half = app.config["BALLOT_MAX_AGE"] // 2
        links._ballot_url.cache_clear()
        monkeypatch.setattr(time, "time", lambda: now + half + 5)
        late = links.ballot_url(card.id)
        assert late != first
        assert read_ballot_token(late.rsplit("/", 1)[1], 10) == (card.id, False)
        links._ballot_url.cache_clear()
