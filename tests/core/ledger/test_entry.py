"""An entry made from a template is byte for byte the entry `encode` makes of the same fields."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lawful.core.db import utc_text
from lawful.core.ledger import entry as encoding

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
