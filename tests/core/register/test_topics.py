"""Notification topics in the register: each problem reported at its YAML path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from lawful.core.register.load import load_register, parse, reference_register_path

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def reference() -> Doc:
    data = yaml.safe_load(reference_register_path().read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def problems_after(reference: Doc, mutate: Callable[[Doc], None]) -> list[str]:
    doc = copy.deepcopy(reference)
    mutate(doc)
    register, problems = parse(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))
    assert register is None, "a broken register must not load"
    return [str(p) for p in problems]


def topic_index(doc: Doc, topic: str) -> int:
    return next(i for i, t in enumerate(doc["notification_topics"]) if t["id"] == topic)


def test_the_reference_declares_every_topic_of_the_notifications_screen() -> None:
    register = load_register()
    topics = {t.id: t for t in register.notification_topics}
    assert set(topics) == {
        "card-balance-reminder",
        "simulation-follow-up",
        "offers",
        "partner-offers",
        "statement-changes",
        "security-alerts",
    }
    assert {t for t, v in topics.items() if v.mandatory} == {"statement-changes", "security-alerts"}
    assert topics["card-balance-reminder"].kind == "service"
    assert register.purpose(topics["card-balance-reminder"].purpose).preference == "card_reminders"


def test_a_topic_for_an_undeclared_purpose(reference: Doc) -> None:
    index = topic_index(reference, "offers")

    def typo(doc: Doc) -> None:
        doc["notification_topics"][index]["purpose"] = "personalised-ofers"

    found = problems_after(reference, typo)
    assert (
        f"notification_topics[{index}].purpose: purpose 'personalised-ofers' is referenced but "
        "not declared (did you mean 'personalised-offers'?)"
    ) in [p.split(" (line")[0] for p in found], found


def test_a_marketing_topic_cannot_be_mandatory_nor_pass_for_a_service_message(
    reference: Doc,
) -> None:
    index = topic_index(reference, "offers")

    def disguise(doc: Doc) -> None:
        doc["notification_topics"][index]["mandatory"] = True
        doc["notification_topics"][index]["kind"] = "service"

    found = problems_after(reference, disguise)
    assert any(
        p.startswith(f"notification_topics[{index}].kind: a service topic cannot be sent")
        for p in found
    ), found
    assert any(p.startswith(f"notification_topics[{index}].products:") for p in found), found


def test_partner_offers_by_email_cannot_be_on_by_default(reference: Doc) -> None:
    index = topic_index(reference, "partner-offers")

    def default_on(doc: Doc) -> None:
        doc["notification_topics"][index]["default_channels"] = ["in_app", "email"]

    found = problems_after(reference, default_on)
    assert any(
        p.startswith(f"notification_topics[{index}].default_channels[1]: 'email' marketing")
        and "opt-in" in p
        for p in found
    ), found


def test_a_channel_its_purpose_does_not_declare(reference: Doc) -> None:
    index = topic_index(reference, "security-alerts")

    def letter(doc: Doc) -> None:
        doc["notification_topics"][index]["channels"].append("letter")

    found = problems_after(reference, letter)
    assert any(
        p.startswith(
            f"notification_topics[{index}].channels[2]: channel 'letter' is not among the "
            "channels of purpose 'access-security'"
        )
        for p in found
    ), found


def test_a_mandatory_notice_needs_a_default_channel_and_a_title_in_every_language(
    reference: Doc,
) -> None:
    index = topic_index(reference, "statement-changes")

    def empty(doc: Doc) -> None:
        doc["notification_topics"][index]["default_channels"] = []
        del doc["notification_topics"][index]["title"]["nl"]

    found = problems_after(reference, empty)
    assert any(
        p.startswith(f"notification_topics[{index}].default_channels: a mandatory notice")
        for p in found
    ), found
    assert any(
        p.startswith(f"notification_topics[{index}].title.nl: missing translation") for p in found
    ), found


def test_an_unknown_channel_is_a_structural_problem_with_its_path(reference: Doc) -> None:
    index = topic_index(reference, "offers")

    def fax(doc: Doc) -> None:
        doc["notification_topics"][index]["channels"] = ["fax"]

    found = problems_after(reference, fax)
    assert any(p.startswith(f"notification_topics[{index}].channels[0]") for p in found), found
