"""The header at 320 px in WeChat's browser with JavaScript off: the name and every link stay
on one line each (a squeezed flex item broke Chinese one character a line)."""

from __future__ import annotations

from survey.core.transactions import run_in_transaction
from survey.demo import LOGINS, load_demo

NARROW = {"width": 320, "height": 640}
WECHAT = (
    "Mozilla/5.0 (Linux; Android 12; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/107.0.5304.141 Mobile Safari/537.36 XWEB/5061 MMWEBSDK/20230504 "
    "MicroMessenger/8.0.37.2380(0x2800253D) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN"
)
PASSWORDS = {username: password for username, _r, _o, password in LOGINS}
ONE_LINE = """(selector) => [...document.querySelectorAll(selector)].map((el) => {
  const height = el.getBoundingClientRect().height;
  const line = parseFloat(getComputedStyle(el).lineHeight);
  return [el.textContent.trim(), height, line];
})"""


def lines_over_one(page, selector: str) -> list:
    return [
        (text, h, line) for text, h, line in page.evaluate(ONE_LINE, selector) if h > 1.5 * line
    ]


def test_the_header_keeps_each_name_and_link_on_one_line_at_320_px(browser, live_server, db):
    run_in_transaction(db.session, lambda: load_demo(db.session, base_url=live_server))
    context = browser.new_context(
        viewport=NARROW, user_agent=WECHAT, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server}/login")
    assert lines_over_one(page, ".bar .brand, .bar .lang a") == []
    page.fill("#username", "admin")
    page.fill("#password", PASSWORDS["admin"])
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server}/staff/")
    wrapped = lines_over_one(page, ".bar .brand, .bar .lang a, .staff-nav a, .staff-nav button")
    assert wrapped == [], wrapped
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    context.close()
