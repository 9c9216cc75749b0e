"""The timeline a page at a time: the access report's lines, in the same words, 50 per page,
each with its proof status; a page past the last is not found."""

from __future__ import annotations

import re
import time
from dataclasses import replace

from tests.webui.conftest import TODAY, Centre, customer_token, open_customer
from tests.webui.test_pages import log_in

from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger
from lawful.core.policy.types import Actor
from lawful.customers import service as customers
from lawful.entrypoints.sequencer import Sequencer
from lawful.flows import access_report as access
from lawful.rights import service as rights
from lawful.web.security import CATEGORIES, GUARD_ROLE, SECURITY_PURPOSE

SELF = Actor("self-service", "kbc-bank")


def busy_customer(centre: Centre, lines: int) -> str:
    """A customer whose timeline has at least `lines` lines: an advisor's reads alternate with
    access-security checks, each its own purpose, so each event is a line of its own."""
    rt = centre.runtime
    person_id = open_customer(rt, "Lotte", "nl")
    adviser, guard = Actor("advisor", "kbc-bank"), Actor(GUARD_ROLE, "kbc-bank")
    with unit_of_work(rt.engine) as session:
        checks = rt.gate.open(session, actor=guard, purpose=SECURITY_PURPOSE)
        for _ in range(lines // 2):
            customers.get_person(
                session, gate=rt.gate, actor=adviser, person_id=person_id, reason="appointment"
            )
            checks.access(person_id, categories=CATEGORIES, event="security.access.checked")
    # Sequenced and signed: by this sequencer, or by the server's own running beside it.
    deadline = time.monotonic() + 30
    while True:
        Sequencer(rt.engine, rt.keys).drain()
        with unit_of_work(rt.engine) as session:
            recorded = ledger.subject_ledger(session, keys=rt.keys, subject_id=person_id)
        if all(p.inclusion is not None for p in recorded.events):
            return person_id
        assert time.monotonic() < deadline, "the events were not signed"
        time.sleep(0.1)


def test_a_page_says_what_the_access_report_says(centre: Centre) -> None:
    rt = centre.runtime
    person_id = busy_customer(centre, 120)
    with unit_of_work(rt.engine) as session:
        page = rights.timeline_page(
            session,
            gate=rt.gate,
            actor=SELF,
            person_id=person_id,
            today=TODAY,
            language="fr",
            brand="kbc",
            page=1,
        )
    assert page.pages == 3 and len(page.lines) == 50 and page.lang == "fr"
    with unit_of_work(rt.engine) as session:
        data = access.access_report(
            session, gate=rt.gate, actor=SELF, person_id=person_id, today=TODAY
        )
    file = {**data.file, "contact": {**data.file["contact"], "language": "fr"}}
    report = rights.report_view(rt.register, replace(data, file=file))
    # The report was asked after the page: its newest lines are the page's reading, then the
    # same lines as the page's, in the same words.
    page_texts = [line.entry.text for line in page.lines]
    report_texts = [line.text for line in report.timeline]
    start = report_texts.index(page_texts[1])
    assert report_texts[start : start + 49] == page_texts[1:]
    assert all(line.proven for line in page.lines[5:])


def test_the_pages_of_a_long_timeline(centre: Centre) -> None:
    person_id = busy_customer(centre, 120)
    client = centre.new_client()
    log_in(client, customer_token(centre.runtime, person_id))
    first = client.get("/privacy/timeline")
    assert first.status_code == 200
    assert len(re.findall(r"<tr>\s*<td><time", first.text)) == 50
    assert "Pagina 1 van 3" in first.text
    assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
    assert "Bewezen in het ondertekende register" in first.text
    last = client.get("/privacy/timeline", params={"page": 3})
    assert last.status_code == 200
    assert 'rel="prev"' in last.text and 'rel="next"' not in last.text
    past = client.get("/privacy/timeline", params={"page": 9})
    assert past.status_code == 404
    assert (
        "Pagina niet gevonden" in past.text
        and 'aria-label="Menu van het privacycentrum"' in past.text
    )
    assert client.get("/privacy/timeline", params={"page": 0}).status_code == 422
    assert client.get("/privacy/timeline", params={"page": "x"}).status_code == 422
