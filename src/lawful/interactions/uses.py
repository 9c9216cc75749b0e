"""Which purpose each copy of a recording is kept for, on which channel, and until when."""

from __future__ import annotations

import calendar
import datetime as dt

from lawful.core.register.models import Duration, Register
from lawful.interactions.schemas import Channel, Use

HISTORY = "recorded-conversations"  # also the purpose of minutes and tasks
QUALITY = "conversation-quality"
TRAINING = "call-recording"
EVIDENCE = "call-evidence"
ANSWERS = "answering-questions"
MIFID = "mifid-call-recording"
# A MiFID copy is sealed with a key of its own for the person, which erasure leaves in place: the
# law requires the recording be produced for five years (seven at the regulator's request), which
# an erasure request does not override (GDPR Art. 17(3)(b)). The copy, and with it all that key
# opens, goes when the retention job deletes it on its last day.
_MIFID_KEY = "/mifid"


def sealing_subject(person_id: str, purpose: str) -> str:
    """Whose key seals a copy kept for `purpose`: the person's own, or for the MiFID record the
    person's key for that record alone."""
    return person_id + _MIFID_KEY if purpose == MIFID else person_id


OPEN_COMPLAINT = "open-complaint"

PURPOSES: dict[Use, str] = {
    Use.HISTORY: HISTORY,
    Use.QUALITY: QUALITY,
    Use.TRAINING: TRAINING,
    Use.EVIDENCE: EVIDENCE,
    Use.ANSWERS: ANSWERS,
}
# What each channel's recording may be kept for, and is by default. Training is on phone calls
# only, evidence of instructions on calls and chats; the assistant's transcript also serves the
# follow-up of the questions it answered.
CHANNEL_USES: dict[Channel, tuple[Use, ...]] = {
    Channel.BRANCH: (Use.HISTORY, Use.QUALITY),
    Channel.PHONE: (Use.HISTORY, Use.QUALITY, Use.TRAINING, Use.EVIDENCE),
    Channel.CHAT: (Use.HISTORY, Use.QUALITY, Use.EVIDENCE),
    Channel.KATE: (Use.HISTORY, Use.QUALITY, Use.ANSWERS),
}
# MiFID II art. 16(7): investment-service calls and electronic communications are recorded.
MIFID_CHANNELS = (Channel.PHONE, Channel.CHAT)
MIFID_EXTENDED_YEARS = 7  # "up to seven years" at the competent authority's request


def purpose_of(use: Use, *, investment: bool) -> str:
    """An investment conversation's evidence is the recording the law requires."""
    return MIFID if use is Use.EVIDENCE and investment else PURPOSES[use]


def add_duration(day: dt.date, duration: Duration) -> dt.date:
    """Calendar months, not 30 days: 31 Jan + 1 month is the last day of February."""
    index = day.year * 12 + day.month - 1 + duration.years * 12 + duration.months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last)) + dt.timedelta(days=duration.days)


def expiry(register: Register, purpose: str, kept_from: dt.date) -> dt.date:
    """The copy's last day: its purpose's retention counted from the conversation."""
    return add_duration(kept_from, register.purpose(purpose).retention.duration)


def extended_expiry(kept_from: dt.date) -> dt.date:
    return add_duration(kept_from, Duration(years=MIFID_EXTENDED_YEARS))


def held_by_complaint(register: Register, purpose: str) -> bool:
    """Whether an open complaint keeps this purpose's copies past their day."""
    return OPEN_COMPLAINT in register.purpose(purpose).legal_holds
