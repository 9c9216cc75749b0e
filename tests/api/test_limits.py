"""Oversize, huge and malformed input on every route: the right 4xx as a problem, never a 5xx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lawful.web.middleware import DEFAULT_MAX_BODY_BYTES

from .conftest import Api, problem
from .test_matrix import ROUTES

BIG = DEFAULT_MAX_BODY_BYTES + 1
_ID_PLACEHOLDERS = (
    "{person}",
    "{objection}",
    "{request}",
    "{application}",
    "{complaint}",
    "{simulation}",
    "{message}",
    "{draft}",
    "{offer}",
    "{size}",
)


def _path(name: str, **values: str) -> str:
    route = ROUTES[name]
    filled = {
        "person": "p",
        "objection": "1",
        "request": "1",
        "application": "1",
        "complaint": "1",
        "simulation": "1",
        "conversation": "1",
        "note": "1",
        "message": "1",
        "draft": "1",
        "offer": "1",
        "size": "1",
        **values,
    }
    return route.path.format(**filled)


def _raw(api: Api, method: str, path: str, content: Any, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response: httpx.Response = api.client.request(
        method, f"/api/v1{path}", headers=headers, content=content
    )
    return response


@pytest.mark.parametrize("name", list(ROUTES))
@pytest.mark.parametrize("who", ["advisor", None], ids=["staff", "no token"])
def test_an_oversize_body_is_413_before_anything_else(api: Api, name: str, who: str | None) -> None:
    token = api.staff_tokens[who] if who else None
    route = ROUTES[name]
    response = _raw(api, route.method, _path(name, person=api.alice.id), b" " * BIG, token)
    assert response.status_code == 413
    body = problem(response)
    assert body["type"] == "/problems/content-too-large"
    assert str(DEFAULT_MAX_BODY_BYTES) in body["detail"]


def test_a_chunked_body_is_counted_as_it_arrives(api: Api) -> None:
    """No Content-Length to trust: the bytes are counted, and the 413 comes at the limit."""

    def chunks() -> Iterator[bytes]:
        yield b'{"purpose": "call-recording", "grounds": "'
        for _ in range(BIG // 65536 + 1):
            yield b"x" * 65536
        yield b'"}'

    path = f"/persons/{api.alice.id}/objections"
    response = _raw(api, "POST", path, chunks(), api.alice.token)
    assert response.status_code == 413
    assert problem(response)["type"] == "/problems/content-too-large"


def test_the_limit_is_a_parameter_of_the_app(api: Api) -> None:
    from fastapi.testclient import TestClient

    from lawful.entrypoints.app import create_app

    with TestClient(create_app(api.runtime, max_body_bytes=100)) as client:
        response = client.post("/api/v1/persons", content=b"x" * 101)
    assert response.status_code == 413


# --- path ids -----------------------------------------------------------------------------------

HUGE = str(2**70)
BAD_IDS = {
    "huge number": HUGE,
    "beyond a 32-bit key": str(2**31),
    "negative": "-1",
    "too long": "a" * 65,
    "NUL": "a%00b",
    "lone surrogate (as UTF-8 bytes)": "%ED%A0%80",
    "dot": "a.b",
}


# Digits and '-' make a well-formed person id (it is then not on file).
_WELL_FORMED_PERSON_IDS = ("negative", "huge number", "beyond a 32-bit key")


def _routes_with_ids() -> list[Any]:
    return [
        pytest.param(name, label, bad, id=f"{name} with {label}")
        for name, route in ROUTES.items()
        if any(p in route.path for p in _ID_PLACEHOLDERS)
        for label, bad in BAD_IDS.items()
        if not ("{person}" in route.path and label in _WELL_FORMED_PERSON_IDS)
        # Tree sizes are 64-bit: 2**31 is a size the log may reach, not a malformed one.
        and not ("/ledger/" in route.path and label == "beyond a 32-bit key")
    ]


@pytest.mark.parametrize(("name", "label", "bad"), _routes_with_ids())
def test_a_malformed_id_is_422_naming_it(api: Api, name: str, label: str, bad: str) -> None:
    route = ROUTES[name]
    # The last id of the path: a malformed one is named whatever the ids before it.
    key = [p.strip("{}") for p in _ID_PLACEHOLDERS if p in route.path][-1]
    body = route.body() if route.body else None
    token = api.staff_tokens["dpo"]
    response = api.call(route.method, _path(name, **{key: bad}), token=token, json=body)
    assert response.status_code == 422, response.text
    fields = [e["field"] for e in problem(response).get("errors", [])]
    named = {"size": "second" if "consistency" in route.path else "tree_size"}
    assert named.get(key, f"{key}_id") in fields, response.text


@pytest.mark.parametrize("path", ["/requests/{n}/extension", "/objections/{n}/decision"])
def test_the_largest_key_is_well_formed_and_not_found(api: Api, path: str) -> None:
    body = {"reason": "three entities"} if "extension" in path else {"upheld": True}
    response = api.as_("dpo", "POST", path.format(n=2**31 - 1), json=body)
    assert response.status_code == 404, response.text


def test_a_malformed_id_without_a_valid_token_is_still_401(api: Api) -> None:
    response = api.call("GET", f"/persons/{'a' * 500}", token="lwf_unknown")
    assert response.status_code == 401


# --- strings in bodies --------------------------------------------------------------------------


def _objection(api: Api, grounds_json: str) -> httpx.Response:
    subject = api.person()
    content = f'{{"purpose": "call-recording", "grounds": {grounds_json}}}'.encode()
    return _raw(api, "POST", f"/persons/{subject.id}/objections", content, subject.token)


@pytest.mark.parametrize(
    ("label", "grounds"),
    [
        ("lone surrogate", '"threatened \\ud800 on the line"'),
        ("NUL", '"threatened \\u0000 on the line"'),
        ("escape", '"threatened \\u001b[2J on the line"'),
        ("too long", json.dumps("x" * 2001)),
    ],
)
def test_an_unstorable_or_oversize_string_is_422_naming_the_field(
    api: Api, label: str, grounds: str
) -> None:
    response = _objection(api, grounds)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in problem(response)["errors"]] == ["grounds"]


def test_grounds_at_the_limit_are_accepted(api: Api) -> None:
    response = _objection(api, json.dumps("x" * 2000))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_name", "A\u0000lice"),
        ("street", "Veldstraat 12\ud800"),
        ("city", "G" * 300),
        ("email", "a" * 250 + "@example.be"),
    ],
)
def test_every_text_field_of_the_file_is_bounded_and_clean(
    api: Api, field: str, value: str
) -> None:
    from .conftest import person_data

    content = json.dumps(person_data(**{field: value})).encode()
    response = _raw(api, "POST", "/persons", content, api.staff_tokens["advisor"])
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in problem(response)["errors"]]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/persons/{p}", {"changes": {"city": "Gent"}, "reason": "r" * 201}, "reason"),
        ("/persons/{p}", {"changes": {"city": "Gent"}, "reason": "ok\u0000ok"}, "reason"),
        ("/persons/{p}", {"changes": {"city": "Gent"}, "reason": "fine", "extra": 1}, "extra"),
    ],
)
def test_the_rectification_reason_is_bounded_and_clean(
    api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    response = api.as_("advisor", "PATCH", path.format(p=api.alice.id), json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in problem(response)["errors"]]
