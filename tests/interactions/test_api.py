"""Conversations and the assistant over HTTP, tried as an attacker would: another customer,
another entity's staff, no token, oversize and malformed input, a recording without notice."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from tests.api.conftest import BANK, Api, Subject, problem

from lawful.auth import service as auth
from lawful.core.gate import unit_of_work

from .transcripts import FR_INVESTMENT, NL_SERVICE

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "channel": "phone",
        "started_at": NOW.isoformat(),
        "language": "nl",
        "participants": ["customer", "advisor:advisor-1"],
        "notice_given": True,
        "recording": {"kind": "transcript", "content": NL_SERVICE},
        **fields,
    }


@pytest.fixture(scope="module")
def tokens(api: Api) -> dict[str, str]:
    """An advisor of the insurer, and the bank's quality reviewer."""
    with unit_of_work(api.runtime.engine) as session:
        issue = auth.issue_staff_token
        return {
            "insurer": issue(
                session,
                register=api.runtime.register,
                staff_id="adv-ins-1",
                display_name="Insurer adviser",
                role="advisor",
                entity="kbc-insurance",
            ).token,
            "quality": issue(
                session,
                register=api.runtime.register,
                staff_id="q-1",
                display_name="Quality reviewer",
                role="quality-reviewer",
                entity=BANK,
            ).token,
        }


def _recorded(api: Api, subject: Subject | None = None, **fields: Any) -> dict[str, Any]:
    subject = subject or api.alice
    response = api.call(
        "POST",
        f"/persons/{subject.id}/conversations",
        token=api.staff_tokens["advisor"],
        json=_body(**fields),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_advisor_records_and_reads_a_call_kept_per_purpose(api: Api) -> None:
    call = _recorded(api)
    assert {c["use"] for c in call["copies"]} == {"history", "quality", "training", "evidence"}
    read = api.call("GET", f"/conversations/{call['id']}", token=api.staff_tokens["advisor"])
    assert read.status_code == 200 and read.json()["transcript"] == NL_SERVICE
    assert read.headers["cache-control"] == "no-store"


def test_a_recording_without_the_notice_is_refused(api: Api) -> None:
    response = api.call(
        "POST",
        f"/persons/{api.alice.id}/conversations",
        token=api.staff_tokens["advisor"],
        json=_body(notice_given=False),
    )
    assert response.status_code == 422
    assert "notice" in problem(response)["detail"]


def test_the_customer_reads_their_own_and_another_customers_is_unknown(api: Api) -> None:
    call = _recorded(api)
    own = api.call("GET", f"/conversations/{call['id']}", token=api.alice.token)
    assert own.status_code == 200 and own.json()["transcript"] == NL_SERVICE
    theirs = api.call("GET", f"/conversations/{call['id']}", token=api.bob.token)
    nobodys = api.call("GET", f"/conversations/{2**31 - 1}", token=api.bob.token)
    assert theirs.status_code == nobodys.status_code == 404
    assert problem(theirs)["detail"].split()[:2] == problem(nobodys)["detail"].split()[:2]
    listed = api.call("GET", f"/persons/{api.alice.id}/conversations", token=api.bob.token)
    assert listed.status_code == 403


def test_another_entitys_staff_get_the_answer_an_unknown_number_gets(
    api: Api, tokens: dict[str, str]
) -> None:
    call = _recorded(api)
    for method, path, body in [
        ("GET", "/conversations/{n}", None),
        ("GET", "/conversations/{n}/copies/evidence", None),
        ("POST", "/conversations/{n}/notes", {"kind": "minutes", "text": "seen"}),
        ("POST", "/conversations/{n}/proposals", None),
    ]:
        theirs = api.call(method, path.format(n=call["id"]), token=tokens["insurer"], json=body)
        nobodys = api.call(method, path.format(n=2**31 - 1), token=tokens["insurer"], json=body)
        assert theirs.status_code == nobodys.status_code == 404, theirs.text
    recorded = api.call(
        "POST", f"/persons/{api.alice.id}/conversations", token=tokens["insurer"], json=_body()
    )
    assert recorded.status_code == 404


def test_no_token_is_401(api: Api) -> None:
    for method, path in [
        ("GET", "/conversations/1"),
        ("POST", f"/persons/{api.alice.id}/conversations"),
        ("GET", "/conversations/quality-sample"),
        ("GET", "/reminders"),
        ("POST", "/assistant/messages"),
    ]:
        response = api.call(method, path, json={"text": "hello"})
        assert response.status_code == 401
        problem(response)


def test_an_oversize_transcript_is_refused_as_a_problem(api: Api) -> None:
    too_long = _body(recording={"kind": "transcript", "content": "x" * 100_001})
    response = api.call(
        "POST",
        f"/persons/{api.alice.id}/conversations",
        token=api.staff_tokens["advisor"],
        json=too_long,
    )
    assert response.status_code in (413, 422)
    problem(response)
    huge = _body(recording={"kind": "audio", "content": "A" * 3_000_000})
    response = api.call(
        "POST",
        f"/persons/{api.alice.id}/conversations",
        token=api.staff_tokens["advisor"],
        json=huge,
    )
    assert response.status_code == 413
    problem(response)


def test_malformed_input_is_422(api: Api) -> None:
    for body in [
        _body(channel="fax"),
        _body(uses=["training"], channel="chat"),
        _body(recording={"kind": "audio", "content": "not base64!"}),
        _body(ended_at=(NOW - dt.timedelta(hours=1)).isoformat()),
        _body(surprise=1),
        _body(recording={"kind": "transcript", "content": "Klant: \u0000 hallo"}),
    ]:
        response = api.call(
            "POST",
            f"/persons/{api.alice.id}/conversations",
            token=api.staff_tokens["advisor"],
            json=body,
        )
        assert response.status_code == 422, body
        problem(response)
    # A lone surrogate, as JSON may carry it and no database stores it.
    raw = json.dumps(_body()).replace("Adviseur:", "Adviseur \\ud800:", 1)
    response = api.client.post(
        f"/api/v1/persons/{api.alice.id}/conversations",
        content=raw.encode(),
        headers={
            "Authorization": f"Bearer {api.staff_tokens['advisor']}",
            "Content-Type": "application/json",
            "X-Lawful-Reason": "call of the day",
        },
    )
    assert response.status_code == 422, response.text
    problem(response)


def test_a_customer_records_no_conversation(api: Api) -> None:
    response = api.call(
        "POST", f"/persons/{api.alice.id}/conversations", token=api.alice.token, json=_body()
    )
    assert response.status_code == 403


def test_the_mifid_call_and_the_regulators_request(api: Api) -> None:
    call = _recorded(
        api,
        language="fr",
        investment=True,
        recording={"kind": "transcript", "content": FR_INVESTMENT},
    )
    evidence = next(c for c in call["copies"] if c["use"] == "evidence")
    assert evidence["purpose"] == "mifid-call-recording"
    extended = api.call(
        "POST",
        f"/conversations/{call['id']}/extension",
        token=api.staff_tokens["back-office"],
        json={"reference": "FSMA 2026/117"},
    )
    assert extended.status_code == 200, extended.text
    kept = next(c for c in extended.json()["copies"] if c["use"] == "evidence")
    assert kept["expires_on"] == NOW.date().replace(year=NOW.year + 7).isoformat()


def test_the_quality_sample_is_the_reviewers(api: Api, tokens: dict[str, str]) -> None:
    _recorded(api)
    sample = api.call("GET", "/conversations/quality-sample?size=3", token=tokens["quality"])
    assert sample.status_code == 200 and sample.json()
    advisor = api.call("GET", "/conversations/quality-sample", token=api.staff_tokens["advisor"])
    assert advisor.status_code == 403


def test_without_a_speech_model_transcription_answers_409_saying_so(api: Api) -> None:
    call = _recorded(api, recording={"kind": "audio", "content": "UklGRiQAAABXQVZF"})
    response = api.call(
        "POST", f"/conversations/{call['id']}/transcription", token=api.staff_tokens["advisor"]
    )
    assert response.status_code == 409
    assert "no speech model" in problem(response)["detail"]


def test_a_task_becomes_the_advisors_reminder(api: Api) -> None:
    call = _recorded(api)
    due = (NOW.date() + dt.timedelta(days=2)).isoformat()
    note = api.call(
        "POST",
        f"/conversations/{call['id']}/notes",
        token=api.staff_tokens["advisor"],
        json={"kind": "task", "text": "Call back about the card limit", "due_on": due},
    )
    assert note.status_code == 201, note.text
    due_list = api.call("GET", f"/reminders?due_by={due}", token=api.staff_tokens["advisor"])
    assert "Call back about the card limit" in [r["text"] for r in due_list.json()]


def test_the_assistant_answers_the_customer_and_not_staff(api: Api) -> None:
    answer = api.call(
        "POST",
        "/assistant/messages",
        token=api.alice.token,
        json={"text": "Wat weten jullie over mij?"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["language"] == "nl" and "Uw dossier bevat" in answer.json()["text"]
    following = api.call(
        "POST",
        "/assistant/messages",
        token=api.bob.token,
        json={"text": "ja", "conversation_id": answer.json()["conversation_id"]},
    )
    assert following.status_code == 404
    staff = api.call(
        "POST", "/assistant/messages", token=api.staff_tokens["advisor"], json={"text": "hi"}
    )
    assert staff.status_code == 403
    long = api.call("POST", "/assistant/messages", token=api.alice.token, json={"text": "x" * 1001})
    assert long.status_code == 422
    problem(long)
    nul = api.call("POST", "/assistant/messages", token=api.alice.token, json={"text": "hi\u0000"})
    assert nul.status_code == 422
    problem(nul)
