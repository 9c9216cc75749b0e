"""Data-subject rights (GDPR Art. 12-22): the functions adapters call.

Each lives in the module of its concept; this module is the domain's one public surface:
- tracked requests and their Art. 12(3) deadlines: `requests`; deciding and closing rectification
  and restriction requests: `decisions`
- the access report (Art. 15) and its renderers: `report`, `render`
- objections (Art. 21): `objections`
- erasure with legal holds (Art. 17) and the retention job: `holds`, `retention`
- portability (Art. 20): `portability`
- the policy's subject states from the database: `state`
Every function takes the session and keyword-only arguments, asks the gate under
data-subject-rights and never commits.
"""

from __future__ import annotations

from lawful.rights.decisions import close_request, decide_request, file_request
from lawful.rights.errors import NotObjectable
from lawful.rights.holds import erase
from lawful.rights.objections import decide_objection, list_objections, object, withdraw_objection
from lawful.rights.portability import portability
from lawful.rights.render import to_html, to_json, to_pdf
from lawful.rights.report import access_report
from lawful.rights.requests import (
    channel_of,
    complete_request,
    extend_request,
    get_request,
    list_requests,
    request_queue,
    submit_request,
)
from lawful.rights.restore import Replayed, replay_erasures
from lawful.rights.retention import run_retention
from lawful.rights.state import DbSubjectStates

__all__ = [
    "DbSubjectStates",
    "NotObjectable",
    "Replayed",
    "access_report",
    "channel_of",
    "close_request",
    "complete_request",
    "decide_objection",
    "decide_request",
    "erase",
    "extend_request",
    "file_request",
    "get_request",
    "list_objections",
    "list_requests",
    "object",
    "portability",
    "replay_erasures",
    "request_queue",
    "run_retention",
    "submit_request",
    "to_html",
    "to_json",
    "to_pdf",
    "withdraw_objection",
]
