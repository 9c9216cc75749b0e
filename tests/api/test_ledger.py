"""The ledger over HTTP: the server sequences in the background; anyone can check its signed
heads against each other and a customer can check their events, with code of their own."""

from __future__ import annotations

import base64
from types import ModuleType

from lawful.core.gate import unit_of_work
from lawful.core.ledger import service as ledger

from .conftest import Api, problem, signed_size


def test_heads_consistency_and_keys_need_no_token_and_check_out(
    api: Api, rfc9162: ModuleType
) -> None:
    first = signed_size(api)
    api.person("Nora")  # more events, a later head
    second = signed_size(api, at_least=first + 1)
    heads = {n: api.call("GET", f"/ledger/tree-heads/{n}").json() for n in (first, second)}
    keys = {k["key_id"]: k for k in api.call("GET", "/ledger/public-keys").json()}
    for head in heads.values():
        key = keys[head["key_id"]]
        assert key["algorithm"] == "Ed25519"
        assert rfc9162.signature_holds(
            bytes.fromhex(key["public_key"]),
            head["timestamp"],
            head["tree_size"],
            bytes.fromhex(head["root_hash"]),
            bytes.fromhex(head["signature"]),
        )
    response = api.call("GET", f"/ledger/consistency?first={first}&second={second}")
    assert response.status_code == 200, response.text
    proof = [bytes.fromhex(h) for h in response.json()["proof"]]
    assert rfc9162.consistency_holds(
        first,
        second,
        bytes.fromhex(heads[first]["root_hash"]),
        proof,
        bytes.fromhex(heads[second]["root_hash"]),
    )


def test_unknown_sizes_and_impossible_proofs_are_problems(api: Api) -> None:
    size = signed_size(api)
    assert problem(api.call("GET", "/ledger/tree-heads/999999999"))["status"] == 404
    body = problem(api.call("GET", f"/ledger/consistency?first={size + 10**9}&second=1"))
    assert body["status"] == 422 and "first <= second" in body["detail"]


def test_a_customer_checks_the_proofs_in_their_access_report(api: Api, rfc9162: ModuleType) -> None:
    signed_size(api)
    with unit_of_work(api.runtime.engine) as session:
        recorded = ledger.counts(session).total
    signed_size(api, at_least=recorded)  # all recorded so far, alice's events among them
    response = api.call("GET", f"/persons/{api.alice.id}/access-report", token=api.alice.token)
    assert response.status_code == 200, response.text
    proofs = response.json()["ledger"]
    head = proofs["tree_head"]
    key = next(
        k for k in api.call("GET", "/ledger/public-keys").json() if k["key_id"] == head["key_id"]
    )
    root = bytes.fromhex(head["root_hash"])
    assert rfc9162.signature_holds(
        bytes.fromhex(key["public_key"]),
        head["timestamp"],
        head["tree_size"],
        root,
        bytes.fromhex(head["signature"]),
    )
    included = [e for e in proofs["events"] if e["status"] == "included"]
    assert included
    for event in included:
        path = [bytes.fromhex(h) for h in event["inclusion_path"]]
        entry = base64.b64decode(event["entry"])
        assert rfc9162.inclusion_holds(event["leaf_index"], head["tree_size"], entry, path, root)
        assert entry.startswith(b"lawful-entry-v1\x1f")
