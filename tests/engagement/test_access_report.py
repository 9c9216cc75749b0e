"""The access report (Art. 15) carries the person's message settings, choices and messages, in
their words: no topic, channel or outcome shown as a code, no table running off the page."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from sqlalchemy.orm import Session
from tests.layout import overflowing, render

from lawful.core.gate import Gate
from lawful.engagement import service as engagement
from lawful.engagement.schemas import PreferencesUpdate
from lawful.flows import access_report
from lawful.rights import service as rights

from .conftest import SELF, TODAY, card_holder

NOW = dt.datetime.combine(TODAY, dt.time(10, 0), tzinfo=dt.UTC)


def words(html: str) -> str:
    body = html.split("</style>", 1)[-1]
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def test_the_report_shows_what_engagement_holds_in_the_readers_words(
    session: Session, gate: Gate
) -> None:
    person, _ = card_holder(
        session, gate, due=TODAY + dt.timedelta(days=2), language="fr", region="wallonia"
    )
    engagement.set_preferences(
        session,
        gate=gate,
        actor=SELF,
        person_id=person,
        changes=PreferencesUpdate.model_validate(
            {
                "quiet_hours": {"start": "22:00", "end": "07:00"},
                "topics": {"card-balance-reminder": ["in_app", "sms"], "offers": []},
            }
        ),
        today=TODAY,
    )
    due = [r for r in engagement.reminders_due(session, day=TODAY) if r.person_id == person]
    engagement.remind(session, gate=gate, rows=due, now=NOW, day=TODAY)
    data = access_report.access_report(
        session, gate=gate, actor=SELF, person_id=person, today=TODAY
    )
    assert data.file["notification_choices"] == [
        {"message_topic": "card-balance-reminder", "message_channels": ["in_app", "sms"]},
        {"message_topic": "offers", "message_channels": []},
    ]
    assert [m["delivery"] for m in data.file["notifications"]] == ["kept"]
    report = rights.report_view(gate.register, data)
    html = rights.to_html(report)
    text = words(html)
    assert "Vos choix par sujet de message" in text
    assert "rappel du solde de la carte de crédit" in text and "dans l'app" in text
    assert "Silence à partir de Silence jusqu'à" in text and "22:00 07:00" in text
    assert "Rappel : solde de votre carte de crédit" in text
    assert "dans votre boîte de l'app" in text
    for code in ("card-balance-reminder", "in_app", "kept", "quiet_start", "message_topic"):
        assert code not in text, code
    assert overflowing(render(html)) == []
