"""The privacy centre in a real browser: the system's Chromium driven by Playwright, every page
checked by axe-core (WCAG 2.1 A and AA rules) with zero violations, in French, Dutch and English.

The browser is Debian's /usr/bin/chromium (`make test` installs it when missing); Playwright never
downloads one. Without it these tests fail: a green run that skipped them would prove nothing.
With LAWFUL_SCREENSHOTS=1 the pages are saved under docs/screenshots/ for the README.

Chromium treats http://127.0.0.1 as a secure context: it keeps and sends the session's Secure
cookie over plain http here, as it does for `make demo`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright
from tests.webui.conftest import Centre
from tests.webui.test_customer_pages import file_complaint
from tests.webui.test_dpo import pending_objection

from lawful.webui.texts import text

CHROMIUM = Path(os.environ.get("LAWFUL_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = ("data", "timeline", "choices", "requests", "complaints", "assistant", "statement")
# The screenshots the README shows.
SHOWN = {
    "login",
    "data-nl",
    "timeline-en",
    "choices-objected-fr",
    "requests-en",
    "dpo-en",
    "assistant-en",
    "complaints-en",
}


# One browser for every test of this module (they all live here). Not for the whole session:
# Playwright's synchronous API keeps an event loop running in the main thread while it is open,
# and tests that run their own (asyncio.run) would fail after it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` "
            "(`make test` does it)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def accessible(page: Page, what: str) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it stands."""
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def shoot(page: Page, name: str) -> None:
    if os.environ.get("LAWFUL_SCREENSHOTS") == "1" and name in SHOWN:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def log_in(page: Page, server: str, token: str) -> None:
    page.goto(f"{server}/privacy/login")
    page.get_by_label(re.compile("jeton|token", re.I)).fill(token)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/privacy/data")


# The visible texts each language's journey relies on.
WORDS = {
    "fr": {
        "choices": "Mes choix",
        "object": "Je m'oppose au marketing direct",
        "active": "Votre opposition au marketing direct est en vigueur : il est arrêté.",
        "withheld": "arrêté : votre opposition au marketing direct",
        "statement": "Télécharger la déclaration (PDF)",
        "timeline": "Mon historique",
        "login": "Se connecter",
        "report": "Rapport (PDF)",
        "offers": "Offres du groupe",
        "save_offers": "Enregistrer pour « Offres du groupe »",
        "saved": "C'est fait : vos préférences de notification sont enregistrées.",
        "sms": "SMS",
        "ask": "Envoyer",
        "question": "Votre question à Kate",
        "asked": "À qui avez-vous communiqué mes données ?",
    },
    "nl": {
        "choices": "Mijn keuzes",
        "object": "Ik maak bezwaar tegen direct marketing",
        "active": "U maakte bezwaar tegen direct marketing. Die is stopgezet.",
        "withheld": "stopgezet: u maakte bezwaar tegen direct marketing",
        "statement": "De verklaring downloaden (PDF)",
        "timeline": "Mijn historiek",
        "login": "Aanmelden",
        "report": "Rapport (PDF)",
        "offers": "Aanbiedingen van de groep",
        "save_offers": "Opslaan voor ‘Aanbiedingen van de groep’",
        "saved": "Klaar: uw meldingsvoorkeuren zijn opgeslagen.",
        "sms": "sms",
        "ask": "Versturen",
        "question": "Uw vraag aan Kate",
        "asked": "Met wie hebben jullie mijn gegevens gedeeld?",
    },
    "en": {
        "choices": "My choices",
        "object": "I object to direct marketing",
        "active": "You objected to direct marketing. It has stopped.",
        "withheld": "stopped: you objected to direct marketing",
        "statement": "Download the statement (PDF)",
        "timeline": "My timeline",
        "login": "Log in",
        "report": "Report (PDF)",
        "offers": "Offers from the group",
        "save_offers": "Save for “Offers from the group”",
        "saved": "Done: your notification preferences are saved.",
        "sms": "text message",
        "ask": "Send",
        "question": "Your question to Kate",
        "asked": "Who did you share my data with?",
    },
}


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_customer_reads_objects_and_downloads(
    page: Page, server: str, centre: Centre, lang: str
) -> None:
    customer = centre.customer(lang)
    words = WORDS[lang]
    page.goto(f"{server}/privacy/data")
    page.wait_for_url(f"{server}/privacy/login")  # no session: the login first
    accessible(page, "login")
    if lang == "fr":
        shoot(page, "login")
    log_in(page, server, customer.token)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("body")).to_have_class(f"brand-{customer.brand}")

    for name in PAGES:
        page.goto(f"{server}/privacy/{name}")
        expect(page.locator("h1")).to_be_visible()
        accessible(page, f"{lang} {name}")
        shoot(page, f"{name}-{lang}")

    # Object to direct marketing with one click, and see its effect on the same page.
    page.get_by_role("link", name=words["choices"]).click()
    page.get_by_role("button", name=words["object"]).click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_text(words["active"])).to_be_visible()
    expect(page.get_by_text(words["withheld"]).first).to_be_visible()
    accessible(page, f"{lang} choices after the objection")
    shoot(page, f"choices-objected-{lang}")

    # A notification preference: one form per topic, saved with one click, its effect at once.
    page.get_by_role("link", name=words["choices"]).click()
    offers = page.locator("fieldset", has=page.get_by_text(words["offers"], exact=True))
    sms = offers.get_by_label(words["sms"], exact=True)
    expect(sms).not_to_be_checked()
    sms.check()
    page.get_by_role("button", name=words["save_offers"]).click()
    expect(page.get_by_role("status")).to_have_text(words["saved"])
    expect(
        page.locator("fieldset", has=page.get_by_text(words["offers"], exact=True)).get_by_label(
            words["sms"], exact=True
        )
    ).to_be_checked()
    accessible(page, f"{lang} choices after a notification preference")

    # A question to the assistant, answered on the page (a plain form).
    page.get_by_role(
        "link", name=re.compile("Poser une question|Een vraag stellen|Ask a question")
    ).click()
    page.get_by_label(words["question"]).fill(words["asked"])
    page.get_by_role("button", name=words["ask"]).click()
    expect(page.locator("dd.answer")).to_be_visible()
    expect(page.locator("dd.asked")).to_have_text(words["asked"])
    accessible(page, f"{lang} the assistant's answer")
    shoot(page, f"assistant-{lang}")

    # The access report downloads as a PDF from "my data".
    page.goto(f"{server}/privacy/data")
    with page.expect_download(timeout=120_000) as report:
        page.get_by_role("link", name=words["report"]).click()
    assert report.value.suggested_filename.startswith("report-")
    assert report.value.suggested_filename.endswith(".pdf")
    assert report.value.path().read_bytes().startswith(b"%PDF-")

    # The timeline shows what was done, each line with its proof status.
    page.get_by_role("link", name=words["timeline"], exact=True).click()
    expect(page.locator("table.timeline tbody tr").first).to_be_visible()
    expect(page.locator(".proof").first).to_be_visible()

    # The statement downloads as a PDF.
    page.goto(f"{server}/privacy/statement")
    # Rendered on first request per brand and language (WeasyPrint): seconds on a busy machine.
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("link", name=words["statement"]).click()
    assert download.value.suggested_filename == f"statement-{customer.brand}-{lang}.pdf"
    pdf = download.value.path()
    assert pdf.read_bytes().startswith(b"%PDF")

    # Logging out ends the session: the pages lead to the login again.
    page.get_by_role("button", name=re.compile("déconnecter|Afmelden|Log out")).click()
    page.wait_for_url(f"{server}/privacy/login")
    page.goto(f"{server}/privacy/choices")
    page.wait_for_url(f"{server}/privacy/login")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"\w"))


def test_keyboard_only_journey_with_visible_focus(page: Page, server: str, centre: Centre) -> None:
    """From the login to the language switch, with the Tab and Enter keys only; the focused
    element always shows a visible outline."""
    customer = centre.customer("nl")
    page.goto(f"{server}/privacy/login")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    assert _outline(page) != "none"
    field = page.get_by_label(re.compile("token", re.I))
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "token":
            break
    assert _outline(page) != "none"
    page.keyboard.type(customer.token)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/privacy/data")
    expect(field).to_have_count(0)
    # Tab to the menu's "Mijn keuzes" and follow it with Enter.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Mijn keuzes":
            break
    assert _outline(page) != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/privacy/choices")
    # And the language switch, still by keyboard.
    page.goto(f"{server}/privacy/choices")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "English":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/privacy/choices")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _outline(page: Page) -> str:
    style: str = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return s.outlineStyle === 'none' || s.outlineWidth === '0px' ? 'none' : s.outlineStyle;"
        " })()"
    )
    return style


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_dpo_decides_in_the_browser(page: Page, server: str, centre: Centre, lang: str) -> None:
    objection = pending_objection(centre)
    page.context.add_cookies([{"name": "lawful_lang", "value": lang, "url": f"{server}/privacy/"}])
    page.goto(f"{server}/privacy/login")
    page.get_by_label(text(lang, "login.token")).fill(centre.staff_token)
    page.get_by_role("button", name=text(lang, "login.submit")).click()
    page.wait_for_url(f"{server}/privacy/dpo")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    accessible(page, f"{lang} the DPO's queue")
    if lang == "en":
        shoot(page, "dpo-en")
    page.locator(f"a[href='/privacy/dpo/objections/{objection}']").click()
    page.wait_for_url(f"{server}/privacy/dpo/objections/{objection}")
    expect(page.get_by_text("I am a journalist protecting sources")).to_be_visible()
    accessible(page, f"{lang} an objection to decide")
    page.get_by_role("button", name=text(lang, "dpo.uphold")).click()
    page.wait_for_url(f"{server}/privacy/dpo?done=upheld")
    expect(page.get_by_role("status")).to_have_text(text(lang, "dpo.done.upheld"))
    accessible(page, f"{lang} the DPO's queue after a decision")


def test_the_documents_and_the_error_pages_are_accessible(
    page: Page, server: str, centre: Centre
) -> None:
    """The report and the statement the pages link to, a page that is not found, and the
    complaints page with a complaint on it."""
    file_complaint(centre, centre.customer("en").id, "Fees charged twice on my account.")
    log_in(page, server, centre.customer("en").token)
    paths = ("/privacy/timeline?page=99", "/privacy/report.html", "/privacy/statement.html")
    for path in (*paths, "/privacy/complaints"):
        page.goto(server + path)
        accessible(page, path)
    expect(page.locator("table.requests tbody tr").first).to_contain_text("Account — fees")
    shoot(page, "complaints-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
