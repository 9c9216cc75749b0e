"""What an open complaint keeps from erasure (GDPR art. 17(3)(e)), and until when.

The erasure and retention use cases ask `holds_for` and pass its answer to the rights domain's
plan, which stores the hold; closing a complaint gives a stored hold its end (`hold_end`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.orm import Session

from lawful.complaints import repository
from lawful.complaints.deadlines import add_months
from lawful.core.register.models import Register
from lawful.customers import service as customers
from lawful.customers.service import Section
from lawful.rights.service import Keep

OPEN_COMPLAINT = "open-complaint"
# Who complains and how to reach them; the section of the product complained about is added.
HELD_SECTIONS = (Section.IDENTITY, Section.CONTACT)


def hold_end(register: Register, closed_on: dt.date) -> dt.date:
    duration = register.legal_hold(OPEN_COMPLAINT).duration
    later = add_months(closed_on, duration.years * 12 + duration.months)
    return later + dt.timedelta(days=duration.days)


def holds_for(
    session: Session, *, register: Register, person_ids: Sequence[str], today: dt.date
) -> dict[str, list[Keep]]:
    """Per person, what their complaints keep from erasure (GDPR art. 17(3)(e)): who complains,
    how to reach them and the product complained about, while the complaint is open (no end
    yet), then five years from its closing."""
    duration = register.legal_hold(OPEN_COMPLAINT).duration
    months = duration.years * 12 + duration.months
    closed_since = add_months(today, -months) - dt.timedelta(days=duration.days)
    out: dict[str, list[Keep]] = defaultdict(list)
    for row in repository.held(session, person_ids, closed_since=closed_since):
        until = None if row.closed_on is None else hold_end(register, row.closed_on)
        sections = (*HELD_SECTIONS, customers.PRODUCT_SECTIONS[row.product_kind])
        out[row.person_id] += [Keep(s, OPEN_COMPLAINT, until) for s in sections]
    return dict(out)
