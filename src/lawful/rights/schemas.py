"""What the rights domain takes in and hands out: requests, objections, erasure, access."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class RequestType(StrEnum):
    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    PORTABILITY = "portability"
    OBJECTION = "objection"


class RequestStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"  # e.g. an objection awaiting the DPO's decision
    COMPLETED = "completed"
    REFUSED = "refused"


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class Channel(StrEnum):
    API = "api"  # the customer, by automated means (Art. 21(5))
    STAFF = "staff"  # registered by a staff member for the customer


class ObjectionKind(StrEnum):
    # objection.kind is VARCHAR(16) (migration 0002): "particular_situation" does not fit.
    PARTICULAR_SITUATION = "particular"  # Art. 21(1), on grounds of the person's situation
    DIRECT_MARKETING = "direct_marketing"  # Art. 21(2)-(3)


class ObjectionState(StrEnum):
    """The stored status; the first three are the policy's `ObjectionStatus`."""

    PENDING = "pending"
    UPHELD = "upheld"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the person: no longer stands against anything


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class RequestRead(Output):
    id: int
    person_id: str
    type: RequestType
    status: RequestStatus
    channel: Channel
    registered_by: str
    received_on: dt.date
    deadline: dt.date
    original_deadline: dt.date
    extension_reason: str | None
    completed_at: dt.datetime | None
    outcome: dict[str, Any] | None
    entity: str | None = None  # the entity the request was made to
    decision_grounds: str | None = None  # why it was answered so, as the person is told
    decided_by: str | None = None
    closing_grounds: str | None = None  # why a restriction was lifted


class RequestPage(Output):
    """One page of the request queue; `next_cursor` fetches the next one (None: the last)."""

    items: list[RequestRead]
    next_cursor: str | None


class ObjectionRead(Output):
    id: int
    person_id: str
    kind: ObjectionKind
    purpose: str | None  # None: every direct-marketing purpose
    status: ObjectionState
    grounds: str | None
    decision_grounds: str | None
    decided_by: str | None
    received_at: dt.datetime
    decided_at: dt.datetime | None
    request_id: int | None


class PendingObjection(Output):
    """An objection in the DPO's queue: who, to what, by when (not the grounds)."""

    id: int
    person_id: str
    purpose: str | None
    received_at: dt.datetime
    deadline: dt.date
    request_id: int | None


class KeptItem(Output):
    """A section kept despite erasure, why, and until when (None: the end the hold counts from,
    the contract's or the relationship's, has not come yet; `ends` says it in words)."""

    section: str
    hold: str  # a register legal hold id
    reason: str  # in the person's language
    until: dt.date | None
    ends: str  # in the person's language: a date, or what the end counts from


class ErasureOutcome(Output):
    request_id: int
    erased: list[str]
    kept: list[KeptItem]


# --- The access report (Art. 15): finished strings, in the person's language ---------------------


class PurposeInfo(Output):
    id: str
    title: str
    description: str
    controllers: list[str]
    basis: str
    interest: str | None
    categories: list[str]
    recipients: list[str]
    retention: str
    retention_note: str | None
    source: str | None
    automated_logic: str | None
    automated_safeguards: str | None
    objection_mode: str  # none, balancing, absolute
    objection: str  # how to object, or why one cannot


class TimelineEntry(Output):
    """One line of the timeline: consecutive events of one day, entity, purpose and recipient."""

    occurred_at: dt.datetime  # the latest of them
    events: list[str]  # what was recorded, latest first
    entity: str
    purpose: str
    purpose_title: str
    categories: list[str]
    recipient: str | None
    text: str


class ObjectionInfo(Output):
    id: int
    purpose: str | None
    purpose_title: str
    status: ObjectionState
    received_on: dt.date
    decided_on: dt.date | None
    decision_grounds: str | None
    text: str  # where the objection stands, for the person


class HoldInfo(Output):
    hold: str
    reason: str
    until: dt.date | None  # None while the end the hold counts from has not come
    ends: str  # until when, in words


class RightInfo(Output):
    id: str
    title: str
    text: str


class AuthorityInfo(Output):
    name: str
    text: str  # how to complain to it
    address: str
    email: str
    url: str | None
    phone: str | None


class TreeHeadInfo(Output):
    """A signed tree head of the ledger (see GET /api/v1/ledger/tree-heads/latest)."""

    tree_size: int
    root_hash: str  # hex
    timestamp: int  # milliseconds since the epoch: what the signature covers
    signed_at: dt.datetime
    key_id: str
    signature: str  # hex, Ed25519 over RFC 9162 TreeHeadDataV2


class MemberProof(Output):
    """The person's place among the members of a batch disclosure (one entry for a transfer of
    many people's data): their member is proven under the root the batch's entry names."""

    member_index: int
    members: int  # the size of the batch's member tree
    member: str  # base64 of the member's bytes: "lawful-member-v1" US batch US pseudonym
    inclusion_path: list[str]  # hex, RFC 9162 PATH(member_index, D[members]) to the batch's root


class EventProof(Output):
    """One event of the timeline as the ledger holds it, with its proof of inclusion."""

    status: str  # "included": proven under `tree_head`; "pending": not yet sequenced and signed
    leaf_index: int | None
    occurred_at: dt.datetime
    event: str
    entry: str  # base64 of the exact bytes hashed (SHA-256 of 0x00 and these is the leaf hash)
    inclusion_path: list[str]  # hex, RFC 9162 PATH(leaf_index, D[tree_size]); empty if pending
    member: MemberProof | None = None  # a batch disclosure: the person's membership in it


class LedgerProofs(Output):
    text: str  # what the proofs are and how to check them, in the person's language
    summary: str  # the signed head and how many events it proves, in the person's language
    tree_head: TreeHeadInfo | None
    public_keys: str  # where the keys that sign tree heads are published
    events: list[EventProof]


class AccessReport(Output):
    person_id: str
    request_id: int
    generated_on: dt.date
    lang: str
    brand: str
    brand_name: str
    confirmation: str
    data: dict[str, Any]
    entities: dict[str, str]  # the group entities the data names, by id: their legal names
    purposes: list[PurposeInfo]
    timeline: list[TimelineEntry]
    objections: list[ObjectionInfo]
    holds: list[HoldInfo]
    rights: list[RightInfo]
    how_to_exercise: str
    authority: AuthorityInfo
    ledger: LedgerProofs
