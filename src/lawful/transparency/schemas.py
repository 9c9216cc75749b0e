"""What the transparency endpoints answer. Hashes and signatures are lowercase hex."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lawful.core.ledger.service import TreeHead


class TreeHeadRead(BaseModel):
    """A signed tree head: the Ed25519 signature covers the TLS encoding of RFC 9162's
    TreeHeadDataV2 — uint64 timestamp, uint64 tree_size, one byte 32 and the root hash, two zero
    bytes (no extensions)."""

    model_config = ConfigDict(frozen=True)

    tree_size: int
    root_hash: str
    timestamp: int = Field(description="Milliseconds since 1970-01-01T00:00:00Z: what is signed.")
    signed_at: dt.datetime
    key_id: str = Field(description="The first 32 hex digits of SHA-256 of the raw public key.")
    signature: str

    @classmethod
    def of(cls, head: TreeHead) -> TreeHeadRead:
        return cls(
            tree_size=head.tree_size,
            root_hash=head.root_hash.hex(),
            timestamp=head.timestamp,
            signed_at=head.signed_at,
            key_id=head.key_id,
            signature=head.signature.hex(),
        )


class ConsistencyRead(BaseModel):
    first: int
    second: int
    proof: list[str] = Field(description="PROOF(first, D[second]) of RFC 9162 §2.1.4, in order.")


class PublicKeyRead(BaseModel):
    key_id: str
    algorithm: str = "Ed25519"
    public_key: str = Field(description="The raw 32-byte public key.")
