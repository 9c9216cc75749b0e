"""The privacy centre's notification preferences, assistant, complaints and "my data" summary
over HTTP: what each shows and changes, through the services the API uses, and who reaches what."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.webui.conftest import TODAY, Centre
from tests.webui.test_pages import csrf_of, log_in

from lawful.complaints import service as complaints
from lawful.complaints.schemas import ComplaintCreate, ProductKind, RootCause
from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.engagement import service as engagement

ADVISOR = Actor("advisor", "kbc-bank")
HANDLER = Actor("complaint-handler", "kbc-bank", "h-1")


def plain(page_text: str) -> str:
    return page_text.replace("&#39;", "'").replace("&#34;", '"')


def channels_of(centre: Centre, person_id: str, topic: str) -> list[str]:
    with unit_of_work(centre.runtime.engine) as session:
        found = engagement.get_preferences(
            session, gate=centre.runtime.gate, actor=ADVISOR, person_id=person_id, today=TODAY
        )
    return next([c.value for c in t.channels] for t in found.topics if t.topic == topic)


def events_of(centre: Centre, person_id: str, event: str) -> int:
    with unit_of_work(centre.runtime.engine) as session:
        records = ledger.for_subject(session, keys=centre.runtime.keys, subject_id=person_id)
    return sum(r.event == event for r in records)


def session_of(centre: Centre, lang: str) -> TestClient:
    client = centre.new_client()
    assert log_in(client, centre.customer(lang).token).status_code == 303
    return client


# --- notification preferences ------------------------------------------------------------------


def test_without_a_session_the_new_pages_and_forms_lead_to_the_login(centre: Centre) -> None:
    client = centre.new_client()
    for page in ("/privacy/complaints", "/privacy/assistant"):
        response = client.get(page)
        assert response.status_code == 303 and response.headers["location"] == "/privacy/login"
    for form in ("/privacy/choices/notifications/offers", "/privacy/assistant"):
        response = client.post(form, data={"csrf": "0" * 64})
        assert response.status_code == 303 and response.headers["location"] == "/privacy/login"


def test_a_topics_channels_change_with_one_form_through_the_service(centre: Centre) -> None:
    customer = centre.customer("en")
    client = session_of(centre, "en")
    page = client.get("/privacy/choices")
    assert "Offers from the group" in page.text
    assert "untick them all to stop them" in page.text  # what the choice changes, in plain words
    assert 'name="channel.email" value="on" checked' in page.text
    changes = events_of(centre, customer.id, "engagement.notification_preferences.change")
    done = client.post(
        "/privacy/choices/notifications/offers",
        data={"csrf": csrf_of(page), "channel.push": "on", "channel.sms": "on", "channel.x": "on"},
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    assert "Done: your notification preferences are saved." in after.text
    # The same preferences the API reads, in the topic's order; a channel it lacks is ignored.
    assert channels_of(centre, customer.id, "offers") == ["push", "sms"]
    assert events_of(centre, customer.id, "engagement.notification_preferences.change") == (
        changes + 1
    )
    # Unticking every channel of a topic switches it off.
    client.post("/privacy/choices/notifications/offers", data={"csrf": csrf_of(page)})
    assert channels_of(centre, customer.id, "offers") == []


def test_a_mandatory_notice_keeps_a_channel_and_an_unknown_topic_is_not_found(
    centre: Centre,
) -> None:
    customer = centre.customer("fr")
    client = session_of(centre, "fr")
    page = client.get("/privacy/choices")
    assert "Ce message est obligatoire" in plain(page.text)
    refused = client.post(
        "/privacy/choices/notifications/security-alerts", data={"csrf": csrf_of(page)}
    )
    assert refused.status_code == 303
    shown = plain(client.get(refused.headers["location"]).text)
    assert "Rien n'a été modifié : un message obligatoire doit garder au moins un canal." in shown
    assert channels_of(centre, customer.id, "security-alerts") == ["push", "in_app"]
    kept = client.post(
        "/privacy/choices/notifications/security-alerts",
        data={"csrf": csrf_of(page), "channel.in_app": "on"},
    )
    assert kept.status_code == 303
    assert channels_of(centre, customer.id, "security-alerts") == ["in_app"]
    unknown = client.post("/privacy/choices/notifications/nope", data={"csrf": csrf_of(page)})
    assert unknown.status_code == 404


def test_partners_offers_ticked_is_the_consent_given(centre: Centre) -> None:
    customer = centre.customer("nl")
    client = session_of(centre, "nl")
    page = client.get("/privacy/choices")
    client.post(
        "/privacy/choices/notifications/partner-offers",
        data={"csrf": csrf_of(page), "channel.in_app": "on"},
    )
    with unit_of_work(centre.runtime.engine) as session:
        states = centre.runtime.gate.states.load(session, [customer.id], as_of=TODAY)
    assert "third-party-offers" in states[customer.id].consents
    client.post("/privacy/choices/notifications/partner-offers", data={"csrf": csrf_of(page)})
    with unit_of_work(centre.runtime.engine) as session:
        states = centre.runtime.gate.states.load(session, [customer.id], as_of=TODAY)
    assert "third-party-offers" not in states[customer.id].consents


def test_quiet_hours_set_refused_and_removed(centre: Centre) -> None:
    client = session_of(centre, "nl")
    page = client.get("/privacy/choices")
    assert "U hebt geen rusturen." in page.text
    set_ = client.post(
        "/privacy/choices/quiet-hours",
        data={"csrf": csrf_of(page), "start": "21:30", "end": "07:00"},
    )
    assert set_.status_code == 303
    after = client.get(set_.headers["location"])
    assert "Klaar: uw rusturen zijn opgeslagen." in after.text
    assert "Geen berichten tussen 21:30 en 07:00." in after.text
    for start, end in (("08:00", "08:00"), ("25:00", "07:00"), ("", "")):
        refused = client.post(
            "/privacy/choices/quiet-hours",
            data={"csrf": csrf_of(page), "start": start, "end": end},
        )
        assert refused.headers["location"].startswith("/privacy/choices?problem=quiet")
    assert "Geen berichten tussen 21:30 en 07:00." in client.get("/privacy/choices").text
    off = client.post("/privacy/choices/quiet-hours", data={"csrf": csrf_of(page), "off": "1"})
    assert "Klaar: u hebt geen rusturen meer." in client.get(off.headers["location"]).text


def preferences_of(centre: Centre, person_id: str) -> tuple[str | None, int]:
    with unit_of_work(centre.runtime.engine) as session:
        found = engagement.get_preferences(
            session, gate=centre.runtime.gate, actor=ADVISOR, person_id=person_id, today=TODAY
        )
    return found.language, found.card_reminder_days


def test_messages_language_and_card_reminder_days(centre: Centre) -> None:
    customer = centre.customer("fr")
    client = session_of(centre, "fr")
    page = client.get("/privacy/choices")
    assert "Langue de mes messages" in page.text
    assert '<option value="3" selected>3 jours avant</option>' in page.text  # the default
    done = client.post(
        "/privacy/choices/message-language", data={"csrf": csrf_of(page), "language": "nl"}
    )
    assert done.status_code == 303
    after = plain(client.get(done.headers["location"]).text)
    assert "C'est fait : la langue de vos messages est enregistrée." in after
    assert '<option value="nl" lang="nl" selected>Nederlands</option>' in after
    reminder = client.post(
        "/privacy/choices/card-reminder-days", data={"csrf": csrf_of(page), "days": "1"}
    )
    assert reminder.status_code == 303
    assert preferences_of(centre, customer.id) == ("nl", 1)
    assert "1 jour avant</option>" in client.get("/privacy/choices").text
    # Back to the file's language; values the form does not offer change nothing.
    client.post("/privacy/choices/message-language", data={"csrf": csrf_of(page), "language": ""})
    for form, field, value in (
        ("message-language", "language", "de"),
        ("card-reminder-days", "days", "15"),
        ("card-reminder-days", "days", "-1"),
        ("card-reminder-days", "days", "x"),
    ):
        refused = client.post(
            f"/privacy/choices/{form}", data={"csrf": csrf_of(page), field: value}
        )
        assert refused.status_code == 404, (form, value)
    assert preferences_of(centre, customer.id) == (None, 1)
    for form in ("message-language", "card-reminder-days"):
        assert client.post(f"/privacy/choices/{form}", data={"days": "2"}).status_code == 403
    assert preferences_of(centre, customer.id) == (None, 1)


def test_preference_forms_without_csrf_change_nothing(centre: Centre) -> None:
    customer = centre.customer("en")
    client = session_of(centre, "en")
    before = channels_of(centre, customer.id, "card-balance-reminder")
    for given in ({}, {"csrf": "0" * 64}):
        refused = client.post(
            "/privacy/choices/notifications/card-balance-reminder",
            data={**given, "channel.sms": "on"},
        )
        assert refused.status_code == 403
        assert client.post(
            "/privacy/choices/quiet-hours", data={**given, "off": "1"}
        ).status_code == (403)
    assert channels_of(centre, customer.id, "card-balance-reminder") == before


def test_one_customers_preferences_are_not_anothers(centre: Centre) -> None:
    fr, nl = centre.customer("fr"), centre.customer("nl")
    client = session_of(centre, "fr")
    page = client.get("/privacy/choices")
    client.post(
        "/privacy/choices/notifications/simulation-follow-up",
        data={"csrf": csrf_of(page), "channel.push": "on"},
    )
    assert channels_of(centre, fr.id, "simulation-follow-up") == ["push"]
    assert channels_of(centre, nl.id, "simulation-follow-up") == ["in_app"]


# --- the assistant ------------------------------------------------------------------------------


def test_ask_the_assistant_without_script_and_go_on_with_the_conversation(
    centre: Centre,
) -> None:
    client = session_of(centre, "en")
    page = client.get("/privacy/assistant")
    assert page.status_code == 200
    assert "Ask Kate a question" in page.text
    answered = client.post(
        "/privacy/assistant",
        data={"csrf": csrf_of(page), "question": "What do you know about me?"},
    )
    assert answered.status_code == 200
    assert "What do you know about me?" in answered.text
    assert "your name" in answered.text  # the answer, from the file
    conversation = re.search(r'name="conversation" value="(\d+)"', answered.text)
    assert conversation
    again = client.post(
        "/privacy/assistant",
        data={
            "csrf": csrf_of(answered),
            "question": "Which accounts do I have?",
            "conversation": conversation.group(1),
        },
    )
    assert again.status_code == 200
    assert "1 account" in again.text
    assert f'value="{conversation.group(1)}"' in again.text
    empty = client.post("/privacy/assistant", data={"csrf": csrf_of(page), "question": "  "})
    assert empty.status_code == 200 and 'aria-invalid="true"' in empty.text
    assert "Write your question" in empty.text


def test_anothers_conversation_or_a_malformed_number_is_not_found(centre: Centre) -> None:
    owner = session_of(centre, "nl")
    page = owner.get("/privacy/assistant")
    answered = owner.post("/privacy/assistant", data={"csrf": csrf_of(page), "question": "Hallo"})
    conversation = re.search(r'name="conversation" value="(\d+)"', answered.text)
    assert conversation
    intruder = session_of(centre, "fr")
    mine = intruder.get("/privacy/assistant")
    for number in (conversation.group(1), "abc", "0", "²", "-1", "99999999999999999999"):
        response = intruder.post(
            "/privacy/assistant",
            data={"csrf": csrf_of(mine), "question": "Bonjour", "conversation": number},
        )
        assert response.status_code == 404, number
        assert "Hallo" not in response.text
    refused = intruder.post("/privacy/assistant", data={"question": "Bonjour"})
    assert refused.status_code == 403


# --- my complaints ------------------------------------------------------------------------------


def file_complaint(centre: Centre, person_id: str, summary: str) -> int:
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        held = customers.products(
            session, gate=rt.gate, actor=ADVISOR, person_id=person_id, reason="complaint received"
        )
        found = complaints.file_complaint(
            session,
            gate=rt.gate,
            actor=HANDLER,
            person_id=person_id,
            data=ComplaintCreate(
                product_kind=ProductKind.ACCOUNT,
                product_id=held.accounts[0].id,
                root_cause=RootCause.FEES,
                summary=summary,
            ),
            today=TODAY,
            by="h-1",
            staff=True,
        )
    return found.id


def test_my_complaints_with_status_and_deadline_and_only_mine(centre: Centre) -> None:
    owner = centre.customer("fr")
    number = file_complaint(centre, owner.id, "Des frais prélevés deux fois sur mon compte.")
    client = session_of(centre, "fr")
    page = client.get("/privacy/complaints")
    assert page.status_code == 200
    text = plain(page.text)
    assert f'<th scope="row">{number}</th>' in text
    assert "Compte — frais" in text and "reçue" in text
    assert "Accusé de réception au plus tard le" in text
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', text)
    other = session_of(centre, "en").get("/privacy/complaints")
    assert other.status_code == 200
    assert f'<th scope="row">{number}</th>' not in other.text
    assert "You have made no complaint." in other.text


# --- my data and the access report -------------------------------------------------------------


def test_my_data_is_a_summary_recorded_and_the_report_is_built_on_download(
    centre: Centre,
) -> None:
    customer = centre.customer("nl")
    client = session_of(centre, "nl")
    reports = events_of(centre, customer.id, "rights.access.report")
    summaries = events_of(centre, customer.id, "rights.data_summary.read")
    page = client.get("/privacy/data")
    assert page.status_code == 200
    assert "Lotte" in page.text and "Nederlands" in page.text
    assert "Wat we met mijn gegevens hebben gedaan" in page.text
    assert 'href="/privacy/report.pdf"' in page.text and 'href="/privacy/report.html"' in page.text
    assert events_of(centre, customer.id, "rights.data_summary.read") == summaries + 1
    assert events_of(centre, customer.id, "rights.access.report") == reports  # no report built
    assert "Amélie" not in page.text and "Oliver" not in page.text


def test_the_access_report_downloads_as_a_real_pdf_holding_my_events(
    centre: Centre, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `apt-get install -y poppler-utils` (`make test`)")
    client = session_of(centre, "en")
    page = client.get("/privacy/data")
    uses = re.findall(r'<tr><th scope="row">([^<]+)</th>', page.text)
    assert uses  # at least the opening of the file and the readings since
    pdf = client.get("/privacy/report.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith('attachment; filename="report-')
    assert pdf.content.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Oliver" in flat
    assert "Amélie" not in flat and "Lotte" not in flat  # nobody else's
    # Every purpose the summary shows is in the report's timeline.
    for title in uses:
        assert " ".join(plain(title).split()) in flat, title
