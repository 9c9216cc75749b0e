"""The OpenAPI document fuzzed with schemathesis: whatever is sent, the API answers as documented.

Every operation, as a customer (their own token), as the DPO and without a token, with a bounded
number of generated requests each (valid and invalid ones) so that the suite stays fast. Checked:
no 5xx; every status and content type is one the document lists; bodies match their schemas;
invalid input is refused; and every error is an RFC 9457 problem.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext
from schemathesis.specs.openapi import checks as openapi_checks

from lawful.entrypoints.app import create_app
from lawful.web.problems import MEDIA_TYPE

from .conftest import Api

EXAMPLES = 12  # per operation and principal: ~21 x 3 x 12 requests, about half a minute


# The app's own document, built when the tests are collected (no database needed for that); the
# requests go over HTTP to the app served by uvicorn on the API suite's database.
schema = schemathesis.openapi.from_dict(create_app().openapi())


def errors_are_problems(ctx: CheckContext, response: schemathesis.Response, case: Any) -> None:
    if response.status_code >= 400:
        kind = response.headers.get("content-type", [""])[0]
        assert kind == MEDIA_TYPE, f"{response.status_code} answered as {kind!r}"
        body = response.json()
        assert body["status"] == response.status_code
        assert {"type", "title", "detail", "instance"} <= body.keys()


CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
    errors_are_problems,
]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_documented(api: Api, server: str, case: Any) -> None:
    """Each generated request is sent as the customer, as the DPO and without a token."""
    asked = dict(case.path_parameters or {})
    valid = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
    for token in (api.alice.token, api.staff_tokens["dpo"], None):
        case.path_parameters = dict(asked)
        if valid and token == api.alice.token and len(str(asked.get("person_id", ""))) % 2:
            # Half of the customer's valid requests are about themselves, to get past the door.
            case.path_parameters["person_id"] = api.alice.id
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        case.call_and_validate(base_url=server, headers=headers, checks=CHECKS)
