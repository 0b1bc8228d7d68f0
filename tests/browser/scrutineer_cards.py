"""The scrutineer cards in a browser: read from the sheet shown once, typed at the close."""


def shown_scrutineer_codes(page) -> list[str]:
    """The scrutineer cards' codes on a sheet shown once (after opening, or printed),
    once the sheet has arrived (a click's navigation may still be under way)."""
    page.locator(".scrutineer-code").first.wait_for()
    return [c.strip() for c in page.locator(".scrutineer-code").all_inner_texts()]


def type_scrutineer_codes(page, codes) -> None:
    """Type codes into the close page's card inputs, first empty one first."""
    inputs = page.locator("input[name=scrutineer_code]")
    for code, i in zip(codes, range(inputs.count()), strict=False):
        inputs.nth(i).fill(code)
