"""Public routes: anyone may check the ledger's signed heads against each other.

With the latest head, a consistency proof from a head they kept, and the public keys, an outsider
sees that the log was only ever appended to; with the proofs in their access report, a customer
sees that their events are in it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from lawful.core.errors import NotFound
from lawful.core.ledger import service as ledger
from lawful.transparency.schemas import ConsistencyRead, PublicKeyRead, TreeHeadRead
from lawful.web.deps import RuntimeDep, SessionDep
from lawful.web.routing import UnitOfWorkRouter

# Leaf indexes are 64-bit integers in the database: a larger size names no tree.
MAX_TREE_SIZE = 2**63 - 1
TreeSize = Annotated[int, Path(ge=1, le=MAX_TREE_SIZE, description="A signed tree size.")]

router = UnitOfWorkRouter(prefix="/ledger", tags=["ledger"])


@router.get("/tree-heads/latest", summary="The latest signed tree head")
def latest_tree_head(session: SessionDep) -> TreeHeadRead:
    head = ledger.latest_head(session)
    if head is None:
        raise NotFound("the ledger has no signed tree head yet")
    return TreeHeadRead.of(head)


@router.get("/tree-heads/{tree_size}", summary="The signed tree head of a given size")
def tree_head(tree_size: TreeSize, session: SessionDep) -> TreeHeadRead:
    return TreeHeadRead.of(ledger.tree_head(session, tree_size=tree_size))


@router.get(
    "/consistency",
    summary="Proof that the tree of size `second` extends the tree of size `first` (RFC 9162)",
)
def consistency(
    session: SessionDep,
    first: int = Query(
        ge=1, le=MAX_TREE_SIZE, description="A smaller (or equal) signed tree size."
    ),
    second: int = Query(
        ge=1, le=MAX_TREE_SIZE, description="A larger (or equal) signed tree size."
    ),
) -> ConsistencyRead:
    proof = ledger.consistency(session, first=first, second=second)
    return ConsistencyRead(first=first, second=second, proof=[h.hex() for h in proof])


@router.get("/public-keys", summary="Every key whose tree heads this installation accepts")
def public_keys(rt: RuntimeDep) -> list[PublicKeyRead]:
    return [
        PublicKeyRead(key_id=key_id, public_key=raw.hex())
        for key_id, raw in ledger.public_keys(rt.keys).items()
    ]
