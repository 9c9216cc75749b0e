"""Data-subject rights (GDPR Art. 12-22): the functions adapters call.

Each lives in the module of its concept; this module is the domain's one public surface:
- tracked requests and their Art. 12(3) deadlines: `requests`; deciding and closing rectification
  and restriction requests: `decisions`
- the access report (Art. 15), worded by `report` and rendered by `render`; gathered by the
  use case in `lawful.flows.access_report`; its timeline a page at a time: `timeline`
- objections (Art. 21): `objections`
- legal holds (Art. 17(3)), what they keep and until when: `holds`, stored in `kept`; the
  erasure, retention and restore use cases that span domains are in `lawful.flows`
- portability (Art. 20): `portability`
- the policy's subject states from the database: `state`
Every function takes the session and keyword-only arguments, asks the gate under
data-subject-rights and never commits.
"""

from __future__ import annotations

from lawful.rights.decisions import close_request, decide_request, file_request
from lawful.rights.errors import NotObjectable
from lawful.rights.holds import Keep, retention_end
from lawful.rights.holds import plan_many as plan_holds
from lawful.rights.holds import standing_keeps as standing_holds_from
from lawful.rights.kept import (
    end_holds,
    expired_hold_persons,
    release_all_holds,
    standing_holds,
    store_holds,
)
from lawful.rights.objections import (
    DPO,
    decide_objection,
    list_objections,
    object,
    objection_queue,
    objection_to_decide,
    withdraw_objection,
)
from lawful.rights.portability import portability
from lawful.rights.render import to_html, to_json, to_pdf
from lawful.rights.report import ReportData, concerned, grouped, report_view, restrictions
from lawful.rights.requests import (
    PURPOSE,
    RightsEvent,
    answered_request,
    channel_of,
    complete_request,
    extend_request,
    finish_request,
    get_request,
    list_requests,
    record,
    request_queue,
    submit_request,
)
from lawful.rights.schemas import RequestType
from lawful.rights.state import DbSubjectStates
from lawful.rights.summary import DataSummary, PurposeSummary, data_summary
from lawful.rights.timeline import TimelinePage, timeline_page

__all__ = [
    "DPO",
    "PURPOSE",
    "DataSummary",
    "DbSubjectStates",
    "Keep",
    "NotObjectable",
    "PurposeSummary",
    "ReportData",
    "RequestType",
    "RightsEvent",
    "TimelinePage",
    "answered_request",
    "channel_of",
    "close_request",
    "complete_request",
    "concerned",
    "data_summary",
    "decide_objection",
    "decide_request",
    "end_holds",
    "expired_hold_persons",
    "extend_request",
    "file_request",
    "finish_request",
    "get_request",
    "grouped",
    "list_objections",
    "list_requests",
    "object",
    "objection_queue",
    "objection_to_decide",
    "plan_holds",
    "portability",
    "record",
    "release_all_holds",
    "report_view",
    "request_queue",
    "restrictions",
    "retention_end",
    "standing_holds",
    "standing_holds_from",
    "store_holds",
    "submit_request",
    "timeline_page",
    "to_html",
    "to_json",
    "to_pdf",
    "withdraw_objection",
]
