"""The DPO's queue: the objections awaiting a decision at the DPO's entity, decided from the page
(upheld, or rejected with written grounds), CSRF-checked; customers and other staff never reach it.
"""

from __future__ import annotations

import re

from tests.webui.conftest import TODAY, Centre, open_customer
from tests.webui.test_pages import csrf_of, log_in

from lawful.core.gate import unit_of_work
from lawful.core.policy.types import Actor
from lawful.rights import service as rights
from lawful.rights.schemas import ObjectionState
from lawful.webui.texts import LANGUAGES, TEXTS

PURPOSE = "recorded-conversations"  # legitimate interest: an objection waits for the DPO


def pending_objection(centre: Centre, grounds: str = "I am a journalist protecting sources") -> int:
    rt = centre.runtime
    person_id = open_customer(rt, "Lotte", "nl")
    actor = Actor("self-service", "kbc-bank")
    with unit_of_work(rt.engine) as session:
        objection = rights.object(
            session,
            gate=rt.gate,
            actor=actor,
            person_id=person_id,
            purpose=PURPOSE,
            grounds=grounds,
            channel=rights.channel_of(actor),
            registered_by="customer",
            today=TODAY,
        )
    assert objection.status is ObjectionState.PENDING
    return objection.id


def status_of(centre: Centre, objection_id: int) -> ObjectionState:
    rt = centre.runtime
    with unit_of_work(rt.engine) as session:
        queue = rights.objection_queue(
            session, gate=rt.gate, actor=Actor("dpo", "kbc-bank"), today=TODAY
        )
    return (
        ObjectionState.PENDING
        if any(o.id == objection_id for o in queue)
        else (ObjectionState.UPHELD)
    )


def test_the_dpo_decides_from_the_queue(centre: Centre) -> None:
    first, second = pending_objection(centre), pending_objection(centre)
    client = centre.new_client()
    login = log_in(client, centre.staff_token)
    assert login.status_code == 303 and login.headers["location"] == "/privacy/dpo"
    queue = client.get("/privacy/dpo", headers={"accept-language": "en"})
    assert queue.status_code == 200
    assert f'href="/privacy/dpo/objections/{first}"' in queue.text
    assert "journalist" not in queue.text  # the grounds are not shown in the queue
    opened = client.get(f"/privacy/dpo/objections/{first}", headers={"accept-language": "en"})
    assert opened.status_code == 200
    assert "I am a journalist protecting sources" in opened.text

    # Rejecting takes written grounds; without them nothing changes.
    refused = client.post(
        f"/privacy/dpo/objections/{first}/decision",
        data={"csrf": csrf_of(queue), "decision": "reject", "grounds": ""},
    )
    assert refused.headers["location"] == f"/privacy/dpo/objections/{first}?problem=grounds"
    shown = client.get(refused.headers["location"], headers={"accept-language": "en"})
    assert "To reject an objection, write the compelling grounds." in shown.text
    assert status_of(centre, first) is ObjectionState.PENDING

    upheld = client.post(
        f"/privacy/dpo/objections/{first}/decision",
        data={"csrf": csrf_of(queue), "decision": "uphold"},
    )
    assert upheld.headers["location"] == "/privacy/dpo?done=upheld"
    assert status_of(centre, first) is not ObjectionState.PENDING
    rejected = client.post(
        f"/privacy/dpo/objections/{second}/decision",
        data={
            "csrf": csrf_of(queue),
            "decision": "reject",
            "grounds": "Recording is required to prove instructions given by phone.",
        },
    )
    assert rejected.headers["location"] == "/privacy/dpo?done=rejected"
    again = client.post(
        f"/privacy/dpo/objections/{second}/decision",
        data={"csrf": csrf_of(queue), "decision": "uphold"},
    )
    assert again.headers["location"] == "/privacy/dpo?problem=decided"
    page = client.get("/privacy/dpo?done=rejected", headers={"accept-language": "en"})
    assert f'href="/privacy/dpo/objections/{second}"' not in page.text
    assert "Done: the objection is rejected, with its grounds." in page.text


def test_without_csrf_or_as_a_customer_nothing_is_decided(centre: Centre) -> None:
    objection = pending_objection(centre)
    dpo = centre.new_client()
    log_in(dpo, centre.staff_token)
    refused = dpo.post(f"/privacy/dpo/objections/{objection}/decision", data={"decision": "uphold"})
    assert refused.status_code == 403
    customer = centre.new_client()
    log_in(customer, centre.customer("fr").token)
    assert customer.get("/privacy/dpo").status_code == 404
    page = customer.get("/privacy/choices")
    posted = customer.post(
        f"/privacy/dpo/objections/{objection}/decision",
        data={"csrf": csrf_of(page), "decision": "uphold"},
    )
    assert posted.status_code == 404
    assert status_of(centre, objection) is ObjectionState.PENDING
    unknown = dpo.get("/privacy/dpo")
    missing = dpo.post(
        "/privacy/dpo/objections/2147483000/decision",
        data={"csrf": csrf_of(unknown), "decision": "uphold"},
    )
    assert missing.status_code == 404
    assert dpo.get("/privacy/dpo/objections/2147483000").status_code == 404
    # Beyond the key's range (which PostgreSQL would refuse to compare) and malformed: refused
    # alike, before anything is looked up.
    assert dpo.get("/privacy/dpo/objections/99999999999999999999").status_code == 404
    assert dpo.get("/privacy/dpo/objections/0").status_code == 404
    assert dpo.get("/privacy/dpo/objections/abc").status_code == 422
    assert customer.get(f"/privacy/dpo/objections/{objection}").status_code == 404


def test_every_text_exists_in_every_language() -> None:
    keys = [set(TEXTS[lang]) for lang in LANGUAGES]
    assert all(k == keys[0] for k in keys)
    for lang in LANGUAGES:
        for key, value in TEXTS[lang].items():
            assert value.strip(), (lang, key)
            # French: the thin spaces of typography are not required, but never a space before
            # a comma or a full stop.
            assert not re.search(r"\s[,.]", value), (lang, key)
