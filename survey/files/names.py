"""What a downloaded file is called: the branch, the year and the form, in the reader's
language (``第一党支部-2026-党员评议党支部测评汇总表.xlsx``), sent as RFC 6266 / RFC 5987 wants
it: an ASCII ``filename`` for old clients and the real name in ``filename*``."""

from __future__ import annotations

import re
from urllib.parse import quote

FORMS = {
    "zh": {
        "member_review": "党员评议党支部测评汇总表",
        "public_satisfaction": "群众满意度测评汇总表",
        "member_appraisal": "民主评议党员测评汇总表",
        "masses_meeting": "群众代表测评汇总表",
        "ratings": "评定汇总表",
        "tally": "汇总",
        "responses": "意见",
    },
    "en": {
        "member_review": "member review tally",
        "public_satisfaction": "public satisfaction tally",
        "member_appraisal": "member appraisal tally",
        "masses_meeting": "representatives' vote tally",
        "ratings": "rating summary",
        "tally": "tally",
        "responses": "comments",
    },
}
# what no file system or header takes: path separators, quotes, controls
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f;]+')


def download_name(organisation: str, year: int, form: str, ext: str, lang: str, *more) -> str:
    """``<organisation>-<year>-<form>[-<more>…].<ext>``; ``form`` and ``more`` are keys of
    FORMS, named in ``lang``."""
    words = FORMS.get(lang, FORMS["zh"])
    parts = [organisation, str(year), words[form], *(words[m] for m in more)]
    stem = "-".join(UNSAFE.sub("_", part).strip() for part in parts)
    return f"{stem}.{ext}"


def attachment(filename: str, fallback: str) -> str:
    """The Content-Disposition of a download: ``fallback`` (ASCII) for clients that do not
    read ``filename*``, the UTF-8 name for those that do (every current browser, WeChat's)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
