"""An entry made from a template is byte for byte the entry `encode` makes of the same fields."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from lawful.core.db import utc_text
from lawful.core.ledger import entry as encoding
from lawful.core.ledger.records import LedgerRecord

_text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20)
_pseudonym = st.binary(min_size=32, max_size=32).map(bytes.hex)
_lists = st.lists(_text, max_size=3).map(encoding.json_list)


@given(
    instant=st.datetimes(timezones=st.just(dt.UTC)),
    subject=st.none() | _pseudonym,
    event=_text,
    decision=st.sampled_from(["allow", "deny"]),
    entity=_text,
    actor=_text,
    actor_ref=st.none() | _pseudonym,
    purpose=_text,
    categories=_lists,
    recipient=st.none() | _text,
    reasons=_lists,
    details=st.none() | st.binary(max_size=40),
)
def test_a_template_encodes_as_encode_does(
    instant: dt.datetime, subject: str | None, event: str, decision: str, entity: str,
    actor: str, actor_ref: str | None, purpose: str, categories: str, recipient: str | None,
    reasons: str, details: bytes | None,
) -> None:  # fmt: skip
    occurred = utc_text(instant)
    fields = {
        "event": event, "decision": decision, "entity": entity, "actor": actor,
        "actor_kind": "system", "actor_ref": actor_ref, "purpose": purpose,
        "legal_basis": "contract", "data_categories": categories, "recipient": recipient,
        "reasons": reasons, "obligations": "[]",
    }  # fmt: skip
    expected = encoding.encode(
        encoding.Entry(occurred_at=occurred, subject_pseudonym=subject, details=details, **fields)
    )
    made = encoding.Template(**fields).encode(
        occurred.encode(), None if subject is None else subject.encode(), details
    )
    assert made == expected
    assert encoding.decode(made).subject_pseudonym == subject


def test_a_record_decoded_again_is_the_same_and_changed_bytes_are_decoded_anew() -> None:
    """Records are decoded once per entry's bytes: read again, a record is equal to the first
    reading, with its own leaf index; an entry whose bytes changed says what the new bytes say."""
    fields = {
        "event": "customers.person.read", "decision": "allow", "entity": "kbc-bank",
        "actor": "advisor", "actor_kind": "staff", "actor_ref": None,
        "purpose": "customer-file", "legal_basis": "contract",
        "data_categories": encoding.json_list(["user.name"]), "recipient": None,
        "reasons": "[]", "obligations": "[]",
    }  # fmt: skip
    data = encoding.encode(
        encoding.Entry(
            occurred_at="2026-12-07T10:00:00.000000Z", subject_pseudonym="ab" * 32,
            details=None, **fields,
        )
    )  # fmt: skip
    first = LedgerRecord.of(data, None)
    again = LedgerRecord.of(bytes(data), 7)
    assert (first.leaf_index, again.leaf_index) == (None, 7)
    assert replace(again, leaf_index=None) == first
    changed = LedgerRecord.of(data.replace(b"customers.person.read", b"customers.person.sold"), 7)
    assert changed.event == "customers.person.sold"
    assert LedgerRecord.of(data, 8).event == "customers.person.read"
