"""Steps for cutting a phone's network under a form[data-keep] (static/keep.js) in Chromium,
for any page that carries one: `submit_through_a_cut(page, context, mode)` submits through
the cut, checks the calm words and the kept answers, restores the network and returns what
it saw once the receipt shows.

Two cuts (`mode`):
- "offline": the phone has no network (`context.set_offline`); the POST never reaches the
  server. The `online` event brings the resend.
- "lost": the POST reaches the server, which takes it, and its answer is lost on the way back
  (`page.route` lets the request through with `route.fetch()` and then aborts it). The resend
  comes from keep.js's back-off timer and must end on the receipt, never on "already used".
"""

from __future__ import annotations

import re

CALM = {
    "zh": "网络暂时不通，您的选择已保存在本机，恢复后会自动重新提交。",
    "en": (
        "The network is down for now. Your choices are kept on this phone and will be sent "
        "again automatically when the connection is back."
    ),
}
RECEIPT = re.compile(r"/receipt/[0-9A-Z]+$")
# Recorded before each paint of every document the page loads: a refusal ("already used",
# "already answered") that was ever visible.
WATCH_REFUSALS = """
window.__refusals = [];
(function watch() {
  var el = document.querySelector("[data-reason=already_used],[data-reason=already_answered]");
  if (el && el.getClientRects().length) window.__refusals.push(el.getAttribute("data-reason"));
  requestAnimationFrame(watch);
})();
"""
KEPT = "JSON.parse(localStorage.getItem('keep:' + location.pathname) || 'null')"
CHOSEN = """() => Array.from(document.querySelectorAll('form[data-keep] [name]'))
  .filter(el => !['hidden', 'submit'].includes(el.type))
  .filter(el => !(el.type === 'radio' || el.type === 'checkbox') || el.checked)
  .map(el => [el.name, el.value])"""


class Cut:
    """The network cut of one page: `start()`, `end()`; `posts` counts the POSTs the page
    sent and `taken` the server's statuses that were lost on the way back."""

    def __init__(self, page, context, mode: str):
        assert mode in ("offline", "lost"), mode
        self.page, self.context, self.mode = page, context, mode
        self.posts: list[str] = []
        self.taken: list[int] = []
        page.on("request", lambda r: r.method == "POST" and self.posts.append(r.url))

    def _lose_the_answer(self, route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)  # the server takes it ...
        self.taken.append(response.status)
        route.abort("internetdisconnected")  # ... and the phone never hears back

    def start(self) -> None:
        if self.mode == "offline":
            self.context.set_offline(True)
        else:
            self.page.route("**/*", self._lose_the_answer)

    def end(self) -> None:
        if self.mode == "offline":
            self.context.set_offline(False)
        else:
            self.page.unroute("**/*", self._lose_the_answer)


def chosen(page) -> list[list[str]]:
    """The answers the form shows (checked choices, texts), in page order."""
    return page.evaluate(CHOSEN)


def kept(page) -> dict | None:
    """What keep.js holds on the phone for this page's path."""
    return page.evaluate(KEPT)


def wait_calm(page, lang: str = "zh", timeout: float = 15_000) -> None:
    status = page.locator("[data-keep-status]")
    status.filter(has_text=CALM[lang]).wait_for(state="visible", timeout=timeout)


def wait_receipt(page, timeout: float = 40_000) -> str:
    """The receipt page (shown in place under its own address); its code."""
    page.wait_for_url(RECEIPT, timeout=timeout)
    code = page.locator(".receipt .code")
    code.wait_for(state="visible", timeout=timeout)
    return code.inner_text().strip()


def submit_through_a_cut(
    page, context, mode: str, lang: str = "zh", while_cut=None, reload_while_cut=False
) -> dict:
    """Submit the page's form[data-keep] through a cut of the network (see the module).

    Checks, while cut: the calm words in `lang`, the answers still on the page and in the
    phone's storage with the pending body (nonce and CSRF token included); then calls
    `while_cut(cut)` (e.g. to look into the database), optionally reloads the page while
    the submission is pending, restores the network and waits for the receipt. Returns
    {"receipt", "posts", "taken", "kept", "refusals_seen"}."""
    page.add_init_script(WATCH_REFUSALS)
    before = chosen(page)
    assert before, "answer the form before submitting it through a cut"
    cut = Cut(page, context, mode)
    cut.start()
    page.locator("form[data-keep] button[type=submit]").click()
    wait_calm(page, lang)
    assert chosen(page) == before, "the answers must stay on the page"
    held = kept(page)
    assert held and held.get("pending"), f"nothing pending on the phone: {held}"
    assert "csrf_token=" in held["pending"]["body"]
    if while_cut:
        while_cut(cut)
    if reload_while_cut:
        assert mode == "lost", "an offline phone cannot reload the page"
        page.reload()  # the GET goes through; the resend it starts is lost again
        wait_calm(page, lang)
    cut.end()
    receipt = wait_receipt(page)
    return {
        "receipt": receipt,
        "posts": len(cut.posts),
        "taken": cut.taken,
        "kept": held,
        "refusals_seen": page.evaluate("window.__refusals || []"),
        "left_on_phone": page.evaluate(
            "Object.keys(localStorage).filter(k => k.startsWith('keep:'))"
        ),
    }
