"""The staff console in a real browser: the system's Chromium driven by Playwright, each page
checked by axe-core (WCAG 2.1 A and AA rules) with zero violations, in French, Dutch and English,
and a keyboard-only journey with a visible focus.

With LAWFUL_SCREENSHOTS=1 three pages are saved under docs/screenshots/ for the README.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.webui.conftest import Centre
from tests.webui.test_browser import CHROMIUM, SCREENSHOTS, _outline, accessible
from tests.webui.test_console import World, staff_token, world  # noqa: F401

CONSOLE = "/privacy/console"
# The console's screenshots the README shows.
SHOWN = {"console-file-en", "console-complaints-en", "console-ledger-en"}
# The words each language's journey relies on.
WORDS = {
    "fr": {"token": "Jeton d'accès", "login": "Se connecter", "open": "Ouvrir le dossier"},
    "nl": {"token": "Toegangstoken", "login": "Aanmelden", "open": "Het dossier openen"},
    "en": {"token": "Access token", "login": "Log in", "open": "Open the file"},
}
GROUND = {"fr": "sécurité", "nl": "beveiliging", "en": "security"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browse(browser: Browser, server: str) -> Iterator[Callable[[str, str], Page]]:
    """A new browser context per staff member, logged in to the console in a language."""
    contexts = []

    def open_as(token: str, lang: str) -> Page:
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        context.add_cookies([{"name": "lawful_lang", "value": lang, "url": f"{server}/privacy/"}])
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{server}{CONSOLE}")
        page.wait_for_url(f"{server}{CONSOLE}/login")
        page.get_by_label(WORDS[lang]["token"]).fill(token)
        page.get_by_role("button", name=WORDS[lang]["login"]).click()
        page.wait_for_url(f"{server}{CONSOLE}")
        return page

    yield open_as
    for context in contexts:
        context.close()


def shoot(page: Page, name: str, *, full_page: bool = False) -> None:
    if os.environ.get("LAWFUL_SCREENSHOTS") == "1" and name in SHOWN:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def staff(centre: Centre, role: str) -> str:
    """A token of a KBC Bank staff member in that role."""
    return staff_token(centre, role, "kbc-bank", f"{role}-browser")


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_every_console_page_is_accessible(
    browse: Callable[[str, str], Page],
    server: str,
    centre: Centre,
    world: World,  # noqa: F811
    lang: str,
) -> None:
    advisor = browse(staff(centre, "advisor"), lang)
    expect(advisor.locator("html")).to_have_attribute("lang", lang)
    accessible(advisor, f"{lang} console home")

    advisor.goto(f"{server}{CONSOLE}/customers")
    accessible(advisor, f"{lang} customer search")
    advisor.locator("#customer").fill(world.person)
    advisor.locator("#reason").fill("Appointment at the branch")
    advisor.get_by_role("button", name=WORDS[lang]["open"]).click()
    expect(advisor.get_by_role("heading", level=1)).to_contain_text("Amélie")
    accessible(advisor, f"{lang} customer file")
    shoot(advisor, f"console-file-{lang}")

    advisor.goto(f"{server}{CONSOLE}/exchanges?customer={world.person}")
    expect(
        advisor.locator(f"a[href='{CONSOLE}/conversations/{world.conversation}']")
    ).to_be_visible()
    accessible(advisor, f"{lang} conversations and correspondence")
    advisor.locator(f"a[href='{CONSOLE}/conversations/{world.conversation}']").click()
    accessible(advisor, f"{lang} conversation: the purpose asked")
    advisor.locator("#use-history").check()
    advisor.locator("form.form button[type=submit]").click()
    expect(advisor.locator("blockquote")).to_contain_text("card limit")
    accessible(advisor, f"{lang} conversation opened")

    advisor.goto(f"{server}{CONSOLE}/correspondence/{world.message}")
    accessible(advisor, f"{lang} message: the ground asked")
    advisor.locator("#ground").select_option(label=GROUND[lang])
    advisor.locator("#justification").fill("Suspicious change of address")
    advisor.locator("form.form button[type=submit]").click()
    expect(advisor.locator("blockquote")).to_contain_text("rue de Bruxelles")
    accessible(advisor, f"{lang} message examined")
    advisor.goto(f"{server}{CONSOLE}/complaints")
    expect(advisor.get_by_role("heading", level=1)).to_be_visible()
    accessible(advisor, f"{lang} a part the role may not open")

    handler = browse(staff(centre, "complaint-handler"), lang)
    handler.goto(f"{server}{CONSOLE}/complaints")
    expect(handler.locator("tr.overdue").first).to_be_visible()
    accessible(handler, f"{lang} complaints")
    shoot(handler, f"console-complaints-{lang}")
    handler.locator(f"a[href='{CONSOLE}/complaints/{world.late}']").click()
    accessible(handler, f"{lang} one complaint")

    dpo = browse(centre.staff_token, lang)
    dpo.goto(f"{server}{CONSOLE}/ledger")
    accessible(dpo, f"{lang} ledger before a verification")
    dpo.locator("form.form button[type=submit]").click()
    dpo.wait_for_url(re.compile(r".*/ledger\?done=verified$"))
    expect(dpo.get_by_role("status")).to_be_visible()
    expect(dpo.locator("table tbody tr").first).to_be_visible()
    accessible(dpo, f"{lang} ledger with its verifications")
    shoot(dpo, f"console-ledger-{lang}", full_page=True)
    dpo.goto(f"{server}/privacy/dpo")
    accessible(dpo, f"{lang} the objection queue from the console")
    dpo.locator(f"a[href='{CONSOLE}']").first.click()
    dpo.wait_for_url(f"{server}{CONSOLE}")

    auditor = browse(staff(centre, "auditor"), lang)
    auditor.goto(f"{server}{CONSOLE}/ledger")
    expect(auditor.locator("table tbody tr").first).to_be_visible()
    assert auditor.locator("form.form").count() == 0
    accessible(auditor, f"{lang} ledger read by the auditor")
    auditor.goto(f"{server}{CONSOLE}/customers")
    accessible(auditor, f"{lang} the auditor refused a customer file")


def test_keyboard_only_journey_with_visible_focus(
    browser: Browser,
    server: str,
    centre: Centre,
    world: World,  # noqa: F811
) -> None:
    """From the login to a customer's file and a complaint's next step, with Tab, typing and
    Enter only; the focused element always shows a visible outline."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.add_cookies([{"name": "lawful_lang", "value": "en", "url": f"{server}/privacy/"}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{server}{CONSOLE}/login")
        accessible(page, "the console's login")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        assert _outline(page) != "none"
        tab_to(page, "document.activeElement.id", "token")
        page.keyboard.type(staff(centre, "advisor"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}{CONSOLE}")
        tab_to(page, "document.activeElement.textContent.trim()", "Customer file")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}{CONSOLE}/customers")
        tab_to(page, "document.activeElement.id", "customer")
        page.keyboard.type(world.person)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "reason"
        assert _outline(page) != "none"
        page.keyboard.type("Phone call about the card")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Amélie")
        # On to the complaints as a complaint handler, by keyboard: a step recorded.
        context.clear_cookies()
        context.add_cookies([{"name": "lawful_lang", "value": "en", "url": f"{server}/privacy/"}])
        page.goto(f"{server}{CONSOLE}/login")
        tab_to(page, "document.activeElement.id", "token")
        page.keyboard.type(staff(centre, "complaint-handler"))
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}{CONSOLE}")
        tab_to(page, "document.activeElement.textContent.trim()", "Complaints")
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}{CONSOLE}/complaints")
        tab_to(
            page,
            "document.activeElement.getAttribute('href')",
            f"{CONSOLE}/complaints/{world.complaint}",
        )
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}{CONSOLE}/complaints/{world.complaint}")
        tab_to(page, "document.activeElement.id", "to")
        tab_to(page, "document.activeElement.tagName", "BUTTON")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*\?done=moved$"))
        expect(page.get_by_role("status")).to_have_text("Done: the step is recorded.")
    finally:
        context.close()


def tab_to(page: Page, what: str, wanted: str, presses: int = 40) -> None:
    """Press Tab until `what` (a script expression about the focused element) is `wanted`;
    the focus must be visible there."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(what) == wanted:
            assert _outline(page) != "none", wanted
            return
    raise AssertionError(f"Tab never reached {wanted}")
