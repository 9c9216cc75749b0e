"""Errors of the rights domain; like every domain error, they carry no HTTP status."""

from __future__ import annotations

from lawful.core.errors import Conflict


class NotObjectable(Conflict):
    """The purpose gives no right to object; the message is the register's reason, translated."""

    def __init__(self, purpose: str, reason: str) -> None:
        self.purpose = purpose
        self.reason = reason
        super().__init__(reason)
