"""Which channel the electronic-marketing rules leave (Code of Economic Law XII.13), without a
database: the soft opt-in covers the group's own client for an own, analogous product only."""

from __future__ import annotations

import pytest

from lawful.core.register.models import NotificationChannel, NotificationTopic, Register
from lawful.engagement import service as engagement

EMAIL = NotificationChannel.EMAIL


def _topic(
    register: Register, topic: str, defaults: list[NotificationChannel]
) -> NotificationTopic:
    return register.topic(topic).model_copy(update={"default_channels": defaults})


@pytest.mark.parametrize(
    ("analogous", "client", "expected"),
    [
        (True, True, ("email", None)),
        (False, True, (None, "opt_in_required")),
        (True, False, (None, "opt_in_required")),
    ],
)
def test_soft_opt_in_for_own_analogous_products_of_own_clients(
    register: Register, analogous: bool, client: bool, expected: tuple[str | None, str | None]
) -> None:
    topic = _topic(register, "offers", [EMAIL])
    got = engagement.marketing_channel(topic, None, own_client=client, analogous=analogous)
    assert got == expected


def test_partners_offers_need_the_persons_own_opt_in(register: Register) -> None:
    topic = _topic(register, "partner-offers", [EMAIL])
    assert engagement.marketing_channel(topic, None, own_client=True, analogous=True) == (
        None,
        "opt_in_required",
    )
    assert engagement.marketing_channel(topic, ["email"], own_client=True, analogous=False) == (
        "email",
        None,
    )


def test_a_topic_switched_off_sends_nothing(register: Register) -> None:
    topic = register.topic("offers")
    assert engagement.marketing_channel(topic, [], own_client=True, analogous=True) == (
        None,
        "preference_off",
    )


def test_without_e_mail_allowed_the_next_channel_kept_is_used(register: Register) -> None:
    topic = register.topic("offers")
    chosen = ["email", "in_app"]  # explicit: e-mail is their opt-in
    assert engagement.marketing_channel(topic, chosen, own_client=False, analogous=False) == (
        "email",
        None,
    )
    defaults = _topic(register, "offers", [EMAIL, NotificationChannel.IN_APP])
    assert engagement.marketing_channel(defaults, None, own_client=True, analogous=False) == (
        "in_app",
        None,
    )
