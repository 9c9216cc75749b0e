"""The staff console over HTTP: each page shows what the staff member's role and entity allow,
through the API's services; every read leaves its ledger event; forms need the session's CSRF
token; another entity's staff, customers and sessions-less visitors learn nothing.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.api.conftest import account
from tests.conftest import append_only_lifted
from tests.webui.conftest import TODAY, Centre
from tests.webui.test_pages import csrf_of
from typer.testing import CliRunner

from lawful.auth import service as auth
from lawful.complaints import service as complaints
from lawful.complaints.schemas import ComplaintCreate, Status
from lawful.core.gate import unit_of_work
from lawful.core.ledger import checks
from lawful.core.ledger import service as ledger
from lawful.core.ledger.records import LedgerRecord, Problem, TreeHead
from lawful.core.policy.types import Actor
from lawful.correspondence import intent
from lawful.correspondence import service as correspondence
from lawful.correspondence.analysis import Topic, Urgency
from lawful.correspondence.corpus import Intent
from lawful.correspondence.pii import Kind
from lawful.correspondence.schemas import MessageCreate
from lawful.customers import service as customers
from lawful.customers.schemas import PersonUpdate
from lawful.entrypoints import cli_ledger
from lawful.interactions import service as interactions
from lawful.interactions.schemas import ConversationCreate, RecordingIn
from lawful.webui import console
from lawful.webui.console_texts import TEXTS
from lawful.webui.session import SESSION_COOKIE
from lawful.webui.texts import LANGUAGES

CONSOLE = "/privacy/console"
ADVISOR = Actor("advisor", "kbc-bank", "adv-1")
HANDLER = Actor("complaint-handler", "kbc-bank", "handler-1")
TRANSCRIPT = "Customer asks to raise the card limit to 5000 EUR before the trip to Lisbon."
LETTER = (
    "Madame, Monsieur, je déménage le mois prochain : veuillez noter ma nouvelle adresse, "
    "rue de Bruxelles 14 à Namur, pour mon compte BE71 0961 2345 6769. Bien à vous."
)
SUMMARY = "A fee of 35 EUR was charged twice on my current account."


@dataclass(frozen=True)
class World:
    """One customer of KBC Bank with a file changed once, a conversation, a letter and two
    complaints (one past its deadlines), and the staff of several roles and entities."""

    person: str
    conversation: int
    message: int
    private: int
    complaint: int
    late: int
    tokens: dict[str, str]


def staff_token(centre: Centre, role: str, entity: str, staff_id: str) -> str:
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        return auth.issue_staff_token(
            session,
            register=rt.register,
            staff_id=staff_id,
            display_name=staff_id,
            role=role,
            entity=entity,
        ).token


@pytest.fixture(scope="module")
def world(centre: Centre, lawful_home: Path) -> World:
    rt = centre.runtime
    person = centre.customer("fr").id
    # Trained (or read) before the transaction: no write lock held meanwhile.
    classifier = intent.load(lawful_home / "models")
    with unit_of_work(rt.engine) as session:
        customers.rectify(
            session,
            gate=rt.gate,
            actor=ADVISOR,
            person_id=person,
            changes=PersonUpdate(phone="+32 470 99 88 77"),
            reason="New phone number given at the branch",
            changed_by="advisor:adv-1",
        )
        opened = customers.add_account(
            session,
            gate=rt.gate,
            actor=ADVISOR,
            person_id=person,
            data=account(),
        )
        started = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        conversation = interactions.record_conversation(
            session,
            gate=rt.gate,
            actor=ADVISOR,
            person_id=person,
            data=ConversationCreate(
                channel="phone",
                started_at=started,
                ended_at=started + dt.timedelta(minutes=6),
                language="fr",
                participants=["customer", "advisor:adv-1"],
                notice_given=True,
                recording=RecordingIn(kind="transcript", content=TRANSCRIPT),
            ),
            today=TODAY,
            by="advisor:adv-1",
        )
        message = correspondence.register_message(
            session,
            gate=rt.gate,
            actor=ADVISOR,
            person_id=person,
            data=MessageCreate(body=LETTER, subject="Changement d'adresse"),
            classifier=classifier,
            today=TODAY,
            by="advisor:adv-1",
        )

        private = correspondence.register_message(
            session,
            gate=rt.gate,
            actor=ADVISOR,
            person_id=person,
            data=MessageCreate(
                body="Personal note to my adviser only.", mailbox="adv-2", private=True
            ),
            classifier=classifier,
            today=TODAY,
            by="advisor:adv-1",
        )

        def complaint(received: dt.date) -> int:
            return complaints.file_complaint(
                session,
                gate=rt.gate,
                actor=HANDLER,
                person_id=person,
                data=ComplaintCreate.model_validate(
                    {
                        "source": "branch",
                        "product_kind": "account",
                        "product_id": opened.id,
                        "root_cause": "fees",
                        "summary": SUMMARY,
                        "received_on": received.isoformat(),
                    }
                ),
                today=TODAY,
                by="complaint-handler:handler-1",
                staff=True,
            ).id

        fresh = complaint(TODAY)
        late = complaint(TODAY - dt.timedelta(days=120))
    tokens = {
        "advisor": staff_token(centre, "advisor", "kbc-bank", "adv-1"),
        "handler": staff_token(centre, "complaint-handler", "kbc-bank", "handler-1"),
        "back-office": staff_token(centre, "back-office", "kbc-bank", "bo-1"),
        "other-advisor": staff_token(centre, "advisor", "kbc-insurance", "adv-9"),
        "other-handler": staff_token(centre, "complaint-handler", "kbc-insurance", "handler-9"),
        "dpo": centre.staff_token,
        "auditor": staff_token(centre, "auditor", "kbc-bank", "aud-1"),
        "customer": centre.customer("fr").token,
    }
    return World(person, conversation.id, message.id, private.id, fresh, late, tokens)


def log_in(client: TestClient, token: str) -> httpx.Response:
    form = client.get(f"{CONSOLE}/login")
    assert form.status_code == 200
    return client.post(f"{CONSOLE}/login", data={"csrf": csrf_of(form), "token": token})


@pytest.fixture
def as_staff(centre: Centre, world: World) -> Iterator[dict[str, TestClient]]:
    """A logged-in client per staff member, reading English pages."""
    clients: dict[str, TestClient] = {}
    names = (
        "advisor",
        "handler",
        "back-office",
        "other-advisor",
        "other-handler",
        "dpo",
        "auditor",
    )
    for name in names:
        client = centre.new_client()
        client.headers["accept-language"] = "en"
        assert log_in(client, world.tokens[name]).headers["location"] == CONSOLE
        clients[name] = client
    yield clients


def events(centre: Centre, person: str) -> list[LedgerRecord]:
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        return ledger.for_subject(session, keys=rt.keys, subject_id=person)


def details(centre: Centre, record: LedgerRecord) -> dict[str, object]:
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        found = ledger.details(session, keys=rt.keys, record=record)
    return dict(found or {})


def new_events(centre: Centre, person: str, before: int) -> list[LedgerRecord]:
    return events(centre, person)[before:]


PAGES = (
    "",
    "/customers",
    "/exchanges",
    "/complaints",
    "/complaints/1",
    "/conversations/1",
    "/correspondence/1",
    "/ledger",
)


# --- sessions ------------------------------------------------------------------------------


def test_without_a_session_every_page_leads_to_the_console_login(centre: Centre) -> None:
    client = centre.new_client()
    for page in PAGES:
        response = client.get(CONSOLE + page)
        assert response.status_code == 303, page
        assert response.headers["location"] == f"{CONSOLE}/login"
    posted = client.post(f"{CONSOLE}/customers", data={"customer": "x", "reason": "xyz"})
    assert posted.status_code == 303 and posted.headers["location"] == f"{CONSOLE}/login"


def test_staff_log_in_with_a_strict_cookie_and_out_again(centre: Centre, world: World) -> None:
    client = centre.new_client()
    response = log_in(client, world.tokens["advisor"])
    assert response.status_code == 303 and response.headers["location"] == CONSOLE
    cookie = next(c for c in response.headers.get_list("set-cookie") if SESSION_COOKIE in c)
    assert {"HttpOnly", "Secure", "SameSite=strict", "Path=/privacy"} <= {
        p.strip() for p in cookie.split(";")
    }
    home = client.get(CONSOLE, headers={"accept-language": "fr"})
    assert home.status_code == 200 and '<html lang="fr">' in home.text
    assert "Conseiller" in home.text and "KBC Bank SA" in home.text
    assert home.headers["cache-control"] == "no-store"
    # The centre's language switch brings the staff member back to the same console page.
    switched = client.get("/privacy/language/nl", params={"next": f"{CONSOLE}/customers"})
    assert switched.headers["location"] == f"{CONSOLE}/customers"
    assert "Klantendossier" in client.get(f"{CONSOLE}/customers").text
    refused = client.post(f"{CONSOLE}/logout", data={})
    assert refused.status_code == 403
    out = client.post(f"{CONSOLE}/logout", data={"csrf": csrf_of(home)})
    assert out.headers["location"] == f"{CONSOLE}/login"
    assert client.get(CONSOLE).headers["location"] == f"{CONSOLE}/login"


def test_a_customer_token_or_a_wrong_one_opens_no_console(centre: Centre, world: World) -> None:
    client = centre.new_client()
    customer = log_in(client, world.tokens["customer"])
    assert customer.status_code == 403
    assert SESSION_COOKIE not in customer.headers.get("set-cookie", "")
    wrong = log_in(client, "not-a-token")
    assert wrong.status_code == 401
    # A customer's session opened in the privacy centre does not reach the console either.
    centre_login = client.get("/privacy/login")
    client.post(
        "/privacy/login", data={"csrf": csrf_of(centre_login), "token": world.tokens["customer"]}
    )
    assert client.get("/privacy/data").status_code == 200
    for page in PAGES:
        response = client.get(CONSOLE + page)
        assert response.status_code == 403, page
        assert "Amélie" not in response.text and SUMMARY not in response.text
    # Nor can it post the console's forms, whose CSRF token it holds.
    token = csrf_of(client.get("/privacy/choices"))
    before = len(events(centre, world.person))
    posted = client.post(
        f"{CONSOLE}/customers",
        data={"csrf": token, "customer": world.person, "reason": "curious"},
    )
    assert posted.status_code == 403 and "Amélie" not in posted.text
    assert new_events(centre, world.person, before) == []


def test_the_home_page_lists_what_each_role_may_open(as_staff: dict[str, TestClient]) -> None:
    def links(name: str) -> set[str]:
        page = as_staff[name].get(CONSOLE)
        assert page.status_code == 200
        return set(re.findall(r'<li><a href="(/privacy/[a-z/]+)"', page.text))

    assert links("advisor") >= {f"{CONSOLE}/customers", f"{CONSOLE}/exchanges"}
    assert f"{CONSOLE}/complaints" not in links("advisor")
    assert f"{CONSOLE}/ledger" not in links("advisor")
    assert links("handler") >= {f"{CONSOLE}/complaints", f"{CONSOLE}/exchanges"}
    assert f"{CONSOLE}/customers" not in links("handler")
    assert links("dpo") >= {f"{CONSOLE}/ledger", "/privacy/dpo", f"{CONSOLE}/customers"}
    assert links("auditor") == {CONSOLE, f"{CONSOLE}/ledger"}


def test_the_dpo_queue_leads_back_to_the_console(as_staff: dict[str, TestClient]) -> None:
    """The centre's objection queue, opened from the console, links back to it by its name."""
    for lang in LANGUAGES:
        page = as_staff["dpo"].get("/privacy/dpo", headers={"accept-language": lang})
        assert page.status_code == 200
        link = f'<a href="{CONSOLE}">{html.escape(TEXTS[lang]["site"], quote=False)}</a>'
        assert link in page.text, lang


# --- the customer file ---------------------------------------------------------------------


def test_the_file_opens_with_a_reason_and_its_history(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    client = as_staff["advisor"]
    search = client.get(f"{CONSOLE}/customers")
    assert search.status_code == 200
    before = len(events(centre, world.person))
    opened = client.post(
        f"{CONSOLE}/customers",
        data={
            "csrf": csrf_of(search),
            "customer": world.person,
            "reason": "Card limit, appointment 7 Dec",
        },
    )
    assert opened.status_code == 200
    assert "Amélie" in opened.text and "+32470998877" in opened.text
    assert "New phone number given at the branch" in opened.text  # the history
    recorded = new_events(centre, world.person, before)
    kinds = [e.event for e in recorded]
    assert kinds == ["customers.person.read", "customers.rectification.list"]
    assert all(e.decision == "allow" and e.entity == "kbc-bank" for e in recorded)
    assert details(centre, recorded[0])["reason"] == "Card limit, appointment 7 Dec"
    assert world.person not in opened.headers.get("location", "")  # posted, never in a URL


def test_the_file_needs_a_reason_a_valid_number_and_the_form_token(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    client = as_staff["advisor"]
    token = csrf_of(client.get(f"{CONSOLE}/customers"))
    before = len(events(centre, world.person))
    no_reason = client.post(
        f"{CONSOLE}/customers", data={"csrf": token, "customer": world.person, "reason": " "}
    )
    assert no_reason.status_code == 422 and "Amélie" not in no_reason.text
    assert "Say why you open the file" in no_reason.text
    no_csrf = client.post(
        f"{CONSOLE}/customers", data={"customer": world.person, "reason": "appointment"}
    )
    assert no_csrf.status_code == 403 and "Amélie" not in no_csrf.text
    for malformed in ("../etc", "x" * 65, "a b", "é"):
        bad = client.post(
            f"{CONSOLE}/customers",
            data={"csrf": token, "customer": malformed, "reason": "appointment"},
        )
        assert bad.status_code == 422, malformed
    huge = client.post(
        f"{CONSOLE}/customers",
        data={"csrf": token, "customer": world.person, "reason": "x" * 20_000},
    )
    assert huge.status_code == 413
    assert new_events(centre, world.person, before) == []
    unknown = client.post(
        f"{CONSOLE}/customers",
        data={"csrf": token, "customer": "no-such-person", "reason": "appointment"},
    )
    assert unknown.status_code == 404


def test_another_entity_or_role_does_not_see_the_file(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    other = as_staff["other-advisor"]
    token = csrf_of(other.get(f"{CONSOLE}/customers"))
    before = len(events(centre, world.person))
    response = other.post(
        f"{CONSOLE}/customers",
        data={"csrf": token, "customer": world.person, "reason": "appointment"},
    )
    # The same page as for a number nobody has: nothing about the person.
    assert response.status_code == 404
    assert "Amélie" not in response.text and "Not found" in response.text
    refused = new_events(centre, world.person, before)
    assert refused and all(e.decision == "deny" for e in refused)
    assert {e.entity for e in refused} == {"kbc-insurance"}
    # A complaint handler's role may not read files at all: refused before any look-up.
    handler = as_staff["handler"]
    assert handler.get(f"{CONSOLE}/customers").status_code == 403
    posted = handler.post(
        f"{CONSOLE}/customers",
        data={
            "csrf": csrf_of(handler.get(CONSOLE)),
            "customer": world.person,
            "reason": "appointment",
        },
    )
    assert posted.status_code == 403 and "Amélie" not in posted.text


# --- conversations and correspondence ------------------------------------------------------


def test_the_lists_show_metadata_and_record_the_look(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    client = as_staff["advisor"]
    before = len(events(centre, world.person))
    page = client.get(f"{CONSOLE}/exchanges", params={"customer": world.person})
    assert page.status_code == 200
    assert f'href="{CONSOLE}/conversations/{world.conversation}"' in page.text
    assert f'href="{CONSOLE}/correspondence/{world.message}"' in page.text
    assert "Lisbon" not in page.text and "Namur" not in page.text  # no content in the lists
    kinds = [e.event for e in new_events(centre, world.person, before)]
    assert kinds == ["interactions.conversation.list", "correspondence.message.list"]
    # Another entity's advisor: the customer is unknown to them.
    other = as_staff["other-advisor"].get(f"{CONSOLE}/exchanges", params={"customer": world.person})
    assert other.status_code == 404 and "/conversations/" not in other.text
    # A back-office role sees the correspondence only; a handler the conversations only.
    office = as_staff["back-office"].get(f"{CONSOLE}/exchanges", params={"customer": world.person})
    assert "/correspondence/" in office.text and "/conversations/" not in office.text
    handler = as_staff["handler"].get(f"{CONSOLE}/exchanges", params={"customer": world.person})
    assert "/conversations/" in handler.text and "/correspondence/" not in handler.text
    # The analyser's codes in words, in the page's language.
    for lang in LANGUAGES:
        shown = client.get(
            f"{CONSOLE}/exchanges",
            params={"customer": world.person},
            headers={"accept-language": lang},
        )
        link = f'href="{CONSOLE}/correspondence/{world.message}"'
        row = next(r for r in shown.text.split("<tr") if link in r)
        cells = [html.unescape(c) for c in re.findall(r"<td>([^<]*)</td>", row)]
        words = TEXTS[lang]
        assert {words[f"topic.{t.value}"] for t in Topic} & set(cells), cells
        assert words["intent.address-change"] in cells, cells
        assert {words[f"urgency.{u.value}"] for u in Urgency} & set(cells), cells
        assert "address-change" not in cells
    malformed = client.get(f"{CONSOLE}/exchanges", params={"customer": "a/b"})
    assert malformed.status_code == 200 and "This customer number is not valid." in malformed.text
    assert client.get(f"{CONSOLE}/exchanges", params={"customer": "x" * 300}).status_code == 422


def test_a_conversation_opens_for_a_purpose_the_role_may_pursue(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    path = f"{CONSOLE}/conversations/{world.conversation}"
    client = as_staff["advisor"]
    form = client.get(path)
    assert form.status_code == 200 and TRANSCRIPT not in form.text
    assert 'name="use" value="history"' in form.text
    before = len(events(centre, world.person))
    assert client.post(path, data={"use": "history"}).status_code == 403  # no CSRF token
    assert client.post(path, data={"csrf": csrf_of(form)}).status_code == 422  # no purpose
    assert new_events(centre, world.person, before) == []
    opened = client.post(path, data={"csrf": csrf_of(form), "use": "history"})
    assert opened.status_code == 200 and TRANSCRIPT in opened.text
    read = new_events(centre, world.person, before)
    assert [(e.event, e.purpose, e.decision) for e in read] == [
        ("interactions.copy.read", "recorded-conversations", "allow")
    ]
    # The complaint handler may not pursue quality review: refused, with the reason, on record.
    handler = as_staff["handler"]
    refused = handler.post(path, data={"csrf": csrf_of(handler.get(path)), "use": "quality"})
    assert refused.status_code == 403 and TRANSCRIPT not in refused.text
    assert "your role may not pursue this purpose." in refused.text
    last = events(centre, world.person)[-1]
    assert (last.event, last.decision) == ("interactions.copy.read", "deny")
    # Another entity's advisor: as a number that does not exist.
    other = as_staff["other-advisor"]
    hidden = other.post(path, data={"csrf": csrf_of(other.get(path)), "use": "history"})
    assert hidden.status_code == 404 and TRANSCRIPT not in hidden.text
    for bad in ("0", "2147483648", "99999999999999999999"):
        assert client.get(f"{CONSOLE}/conversations/{bad}").status_code == 404
    assert client.get(f"{CONSOLE}/conversations/abc").status_code == 422


def test_a_message_opens_for_a_declared_ground_with_a_justification(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    path = f"{CONSOLE}/correspondence/{world.message}"
    client = as_staff["advisor"]
    form = client.get(path)
    assert form.status_code == 200 and "Namur" not in form.text
    before = len(events(centre, world.person))
    missing = client.post(path, data={"csrf": csrf_of(form), "justification": "moving house"})
    assert missing.status_code == 422 and "Namur" not in missing.text
    assert "Choose one of the declared grounds." in missing.text
    refused = new_events(centre, world.person, before)
    assert [(e.event, e.decision, e.reasons) for e in refused] == [
        ("correspondence.message.examine", "deny", ("examination_ground_missing",))
    ]
    no_csrf = client.post(path, data={"ground": "assignment", "justification": "moving house"})
    assert no_csrf.status_code == 403
    before = len(events(centre, world.person))
    opened = client.post(
        path,
        data={
            "csrf": csrf_of(form),
            "ground": "assignment",
            "justification": "Route the change of address",
        },
    )
    assert opened.status_code == 200 and "rue de Bruxelles 14" in opened.text
    assert "<li>IBAN: " in opened.text  # the personal data found, named in words
    examined = new_events(centre, world.person, before)
    assert [(e.event, e.decision) for e in examined] == [
        ("correspondence.message.examine", "allow")
    ]
    assert details(centre, examined[0])["justification"] == "Route the change of address"
    other = as_staff["other-advisor"]
    hidden = other.post(
        path,
        data={"csrf": csrf_of(other.get(path)), "ground": "assignment", "justification": "xyz"},
    )
    assert hidden.status_code == 404 and "Namur" not in hidden.text
    # A complaint handler's role does not examine correspondence at all.
    assert as_staff["handler"].get(path).status_code == 403
    # A message marked private is examined by its mailbox's holder only: the reason is shown.
    private = f"{CONSOLE}/correspondence/{world.private}"
    refused = client.post(
        private,
        data={"csrf": csrf_of(form), "ground": "security", "justification": "Routine check"},
    )
    assert refused.status_code == 403 and "Personal note" not in refused.text
    assert "only the mailbox&#39;s holder may examine it" in refused.text
    last = events(centre, world.person)[-1]
    assert (last.event, last.decision, last.reasons) == (
        "correspondence.message.examine",
        "deny",
        ("marked_private",),
    )


# --- complaints ----------------------------------------------------------------------------


def test_the_queue_shows_deadlines_and_marks_the_late_ones(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    client = as_staff["handler"]
    before = len(events(centre, world.person))
    page = client.get(f"{CONSOLE}/complaints")
    assert page.status_code == 200
    late_row = re.search(
        rf'<tr class="overdue">\s*<th scope="row"><a href="[^"]+/{world.late}"', page.text
    )
    assert late_row, page.text
    assert f'href="{CONSOLE}/complaints/{world.complaint}"' in page.text
    assert not re.search(
        rf'<tr class="overdue">\s*<th scope="row"><a href="[^"]+/{world.complaint}"', page.text
    )
    assert SUMMARY not in page.text  # the list shows no complaint's text
    assert "complaints.complaint.list" in [
        e.event for e in new_events(centre, world.person, before)
    ]
    only = client.get(f"{CONSOLE}/complaints", params={"overdue": "true"})
    assert f"/complaints/{world.late}" in only.text
    assert f'/complaints/{world.complaint}"' not in only.text
    # Another entity's handler sees none of them; an advisor's role is refused.
    other = as_staff["other-handler"].get(f"{CONSOLE}/complaints")
    assert other.status_code == 200 and f"/complaints/{world.late}" not in other.text
    assert as_staff["advisor"].get(f"{CONSOLE}/complaints").status_code == 403
    assert client.get(f"{CONSOLE}/complaints", params={"after": -1}).status_code == 422
    assert client.get(f"{CONSOLE}/complaints", params={"after": 2**40}).status_code == 422


def test_a_complaint_moves_on_with_the_form_token(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    client = as_staff["handler"]
    path = f"{CONSOLE}/complaints/{world.complaint}"
    before = len(events(centre, world.person))
    detail = client.get(path)
    assert detail.status_code == 200 and SUMMARY in detail.text
    assert [e.event for e in new_events(centre, world.person, before)] == [
        "complaints.complaint.read"
    ]
    assert client.post(f"{path}/status", data={"to": "acknowledged"}).status_code == 403
    assert status_of(centre, world.complaint) is Status.RECEIVED
    moved = client.post(
        f"{path}/status",
        data={"csrf": csrf_of(detail), "to": "acknowledged", "reason": "Letter sent"},
    )
    assert moved.status_code == 303 and moved.headers["location"] == f"{path}?done=moved"
    assert status_of(centre, world.complaint) is Status.ACKNOWLEDGED
    assert "complaints.complaint.transition" in [
        e.event for e in new_events(centre, world.person, before)
    ]
    shown = client.get(moved.headers["location"])
    assert "Done: the step is recorded." in shown.text and "Letter sent" in shown.text
    skipped = client.post(f"{path}/status", data={"csrf": csrf_of(detail), "to": "closed"})
    assert skipped.headers["location"] == f"{path}?problem=conflict"
    assert status_of(centre, world.complaint) is Status.ACKNOWLEDGED
    nonsense = client.post(f"{path}/status", data={"csrf": csrf_of(detail), "to": "gone"})
    assert nonsense.headers["location"] == f"{path}?problem=status"
    # Another entity's handler: as an unknown number, for reading and for moving.
    other = as_staff["other-handler"]
    hidden = other.get(path)
    assert hidden.status_code == 404 and SUMMARY not in hidden.text
    token = csrf_of(other.get(CONSOLE))
    assert (
        other.post(f"{path}/status", data={"csrf": token, "to": "investigating"}).status_code == 404
    )
    assert status_of(centre, world.complaint) is Status.ACKNOWLEDGED
    for bad in ("0", "2147483648"):
        assert client.get(f"{CONSOLE}/complaints/{bad}").status_code == 404
    assert client.get(f"{CONSOLE}/complaints/abc").status_code == 422


def status_of(centre: Centre, complaint: int) -> Status:
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        return complaints.get_complaint(
            session, gate=rt.gate, actor=HANDLER, complaint_id=complaint, today=TODAY
        ).status


# --- the ledger ----------------------------------------------------------------------------


def kept(centre: Centre) -> list[checks.Verification]:
    """The verifications stored, newest first."""
    with unit_of_work(centre.runtime.engine) as session:
        return checks.recent(session, limit=100)


def test_the_dpo_sees_the_signed_head_and_verifies_the_ledger(
    centre: Centre,
    world: World,
    as_staff: dict[str, TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rt = centre.runtime
    head = signed_head(centre)
    client = as_staff["dpo"]
    page = client.get(f"{CONSOLE}/ledger")
    assert page.status_code == 200
    assert head.root_hash.hex() in page.text
    assert "valid: checked with the public key" in page.text
    public = ledger.public_keys(rt.keys)[head.key_id].hex()
    assert public in page.text
    # Nothing verified yet: the page says so, and how to keep it from happening.
    assert kept(centre) == []
    assert "No verification has found the ledger intact yet." in page.text
    assert "Schedule ‘lawful ledger verify’ nightly." in page.text
    assert client.post(f"{CONSOLE}/ledger/verification", data={}).status_code == 403
    assert kept(centre) == []
    verified = client.post(f"{CONSOLE}/ledger/verification", data={"csrf": csrf_of(page)})
    assert verified.status_code == 303
    shown = client.get(verified.headers["location"])
    assert re.search(r"Intact: \d+ events checked, \d+ signed heads\.", shown.text), shown.text
    assert "nightly" not in shown.text
    # Kept in the database, with who ran it: it outlives the server's process.
    [run] = kept(centre)
    assert run.intact and run.first_bad is None and run.problem is None
    assert run.run_by == "dpo:dpo-1" and f"by {run.run_by} (" in shown.text
    assert run.tree_size >= head.tree_size and run.started_at <= run.finished_at
    # `lawful ledger verify` on the same database: kept too, and shown as the latest.
    monkeypatch.setenv("LAWFUL_DATABASE_URL", rt.engine.url.render_as_string(hide_password=False))
    cli = CliRunner().invoke(cli_ledger.app, ["verify"])
    assert cli.exit_code == 0, cli.output
    latest = kept(centre)
    assert [v.run_by for v in latest] == ["cli", "dpo:dpo-1"]
    shown = client.get(f"{CONSOLE}/ledger")
    assert "Last verification:" in shown.text and "by the command line (" in shown.text
    history = shown.text[shown.text.index("Latest verifications") :]
    assert history.count("<td>intact</td>") == 2
    # A day without an intact verification: flagged, with the date of the last one.
    with unit_of_work(rt.engine) as session:
        session.execute(
            sa.text("UPDATE ledger_verification SET finished_at = :at"),
            {"at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)},
        )
    stale = client.get(f"{CONSOLE}/ledger").text
    assert "The last verification that found the ledger intact finished " in stale
    assert "more than 24 hours ago. Schedule ‘lawful ledger verify’ nightly." in stale
    # One verification at a time: while one runs, another is not started.
    with console._VERIFYING:
        busy = client.post(f"{CONSOLE}/ledger/verification", data={"csrf": csrf_of(page)})
    assert busy.headers["location"] == f"{CONSOLE}/ledger?done=busy"
    assert "A verification is already running." in client.get(busy.headers["location"]).text
    assert len(kept(centre)) == 2
    # Other roles do not reach it, nor run it.
    advisor = as_staff["advisor"]
    assert advisor.get(f"{CONSOLE}/ledger").status_code == 403
    token = csrf_of(advisor.get(CONSOLE))
    assert advisor.post(f"{CONSOLE}/ledger/verification", data={"csrf": token}).status_code == 403
    assert len(kept(centre)) == 2


def test_the_auditor_reads_the_ledger_and_no_customer_data(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    auditor = as_staff["auditor"]
    page = auditor.get(f"{CONSOLE}/ledger")
    assert page.status_code == 200
    assert "Tamper-evident ledger" in page.text
    assert "/ledger/verification" not in page.text  # reads; running is the DPO's
    token = csrf_of(page)
    before = len(kept(centre))
    run = auditor.post(f"{CONSOLE}/ledger/verification", data={"csrf": token})
    assert run.status_code == 403 and len(kept(centre)) == before
    # No customer file, conversation, message or complaint: refused before any look-up, so the
    # customer's ledger records no attempt of theirs.
    seen = len(events(centre, world.person))
    for path in (
        "/customers",
        f"/exchanges?customer={world.person}",
        f"/conversations/{world.conversation}",
        f"/correspondence/{world.message}",
        "/complaints",
        f"/complaints/{world.complaint}",
    ):
        refused = auditor.get(CONSOLE + path)
        assert refused.status_code == 403, path
        assert "Amélie" not in refused.text
    posts = {
        "/customers": {"customer": world.person, "reason": "Annual audit of the file"},
        f"/conversations/{world.conversation}": {"use": "history"},
        f"/correspondence/{world.message}": {"ground": "security", "justification": "Audit"},
        f"/complaints/{world.complaint}/status": {"to": "acknowledged"},
    }
    for path, form in posts.items():
        refused = auditor.post(CONSOLE + path, data={"csrf": token, **form})
        assert refused.status_code == 403, path
        assert "Amélie" not in refused.text and SUMMARY not in refused.text
    assert len(events(centre, world.person)) == seen
    assert auditor.get("/privacy/dpo").status_code == 404  # the centre's DPO pages are not theirs


def test_a_modified_event_is_named_by_its_position(
    centre: Centre, world: World, as_staff: dict[str, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run last on this module's database: one recorded event is altered in place, as someone
    with write access to the database and the triggers switched off could."""
    rt = centre.runtime
    signed_head(centre)
    client = as_staff["dpo"]
    token = csrf_of(client.get(f"{CONSOLE}/ledger"))
    before = len(kept(centre))
    # Beyond the console's bound, nothing is verified: the page says to use the command line.
    monkeypatch.setattr(console, "VERIFY_MAX", 1)
    large = client.post(f"{CONSOLE}/ledger/verification", data={"csrf": token})
    assert large.headers["location"] == f"{CONSOLE}/ledger?done=too_large"
    assert "Too large for the console" in client.get(large.headers["location"]).text
    assert len(kept(centre)) == before
    monkeypatch.undo()
    with unit_of_work(rt.engine) as session, append_only_lifted(session):
        select = sa.text("SELECT entry FROM ledger_leaf WHERE leaf_index = 3")
        entry = bytes(session.execute(select).scalar_one())
        session.execute(
            sa.text("UPDATE ledger_leaf SET entry = :e WHERE leaf_index = 3"), {"e": entry + b" "}
        )
    verified = client.post(f"{CONSOLE}/ledger/verification", data={"csrf": token})
    page = client.get(verified.headers["location"], headers={"accept-language": "fr"})
    assert "NON intact à partir de la position 3." in page.text
    assert "un événement ne correspond plus à son empreinte." in page.text
    # Kept as found: the position and the problem, for whoever reads the history later.
    latest = kept(centre)[0]
    assert (latest.intact, latest.first_bad, latest.problem) == (False, 3, Problem.MODIFIED)
    assert latest.run_by == "dpo:dpo-1"
    history = page.text[page.text.index("Dernières vérifications") :]
    assert "NON intact à partir de la position 3." in history
    # The auditor reads the same result.
    audited = as_staff["auditor"].get(f"{CONSOLE}/ledger").text
    assert "NOT intact from position 3. an event no longer matches its hash." in audited


def signed_head(centre: Centre) -> TreeHead:
    """The latest signed tree head once the app's sequencer has signed every pending event."""
    rt = centre.runtime
    deadline = time.monotonic() + 30
    while True:
        with unit_of_work(rt.engine) as session:
            head = ledger.latest_head(session)
            pending = ledger.counts(session).pending
        if head is not None and pending == 0:
            return head
        assert time.monotonic() < deadline, "the sequencer signed no tree head"
        time.sleep(0.1)


def test_every_console_text_exists_in_every_language() -> None:
    keys = [set(TEXTS[lang]) for lang in LANGUAGES]
    assert all(k == keys[0] for k in keys)
    # Every code the analyser gives a message is shown in words.
    codes = {f"topic.{t.value}" for t in Topic} | {f"urgency.{u.value}" for u in Urgency}
    codes |= {f"intent.{i.value}" for i in Intent} | {f"found.{k.value}" for k in Kind}
    assert codes <= keys[0], codes - keys[0]
    for lang in LANGUAGES:
        for key, value in TEXTS[lang].items():
            assert value.strip(), (lang, key)
            assert not re.search(r"\s[,.]", value), (lang, key)


def test_a_form_with_more_fields_than_any_of_the_console_is_refused_not_a_fault(
    centre: Centre, world: World, as_staff: dict[str, TestClient]
) -> None:
    crowded = {f"field{i}": "x" for i in range(30)}
    anonymous = centre.new_client()
    form = anonymous.get(f"{CONSOLE}/login")
    login = anonymous.post(
        f"{CONSOLE}/login",
        data={**crowded, "csrf": csrf_of(form), "token": world.tokens["advisor"]},
    )
    assert login.status_code == 413 and SESSION_COOKIE not in login.cookies
    client = as_staff["advisor"]
    token = csrf_of(client.get(f"{CONSOLE}/customers"))
    before = len(events(centre, world.person))
    opened = client.post(
        f"{CONSOLE}/customers",
        data={**crowded, "csrf": token, "customer": world.person, "reason": "appointment"},
    )
    assert opened.status_code == 413 and "Amélie" not in opened.text
    assert new_events(centre, world.person, before) == []
    assert client.post(f"{CONSOLE}/logout", data={**crowded, "csrf": token}).status_code == 403


def test_a_systems_token_opens_no_console_and_is_not_called_a_customers(centre: Centre) -> None:
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        system = auth.issue_system_token(
            session, register=rt.register, system="card-processor", entity="kbc-bank"
        ).token
    client = centre.new_client()
    client.headers["accept-language"] = "en"
    machine = log_in(client, system)
    assert machine.status_code == 403
    assert SESSION_COOKIE not in machine.headers.get("set-cookie", "")
    assert "opens neither the privacy centre nor the staff console" in machine.text
    assert "belongs to a customer" not in machine.text
