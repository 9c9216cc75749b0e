"""Domain errors. They carry no HTTP status: each entrypoint maps them once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple


class LawfulError(Exception):
    """Base of every error the product reports to a user as a clear message."""


class NotFound(LawfulError):
    pass


class NotOnFile(NotFound):
    """The subject is unknown, or erased, where processing needs the subject's file."""


class Conflict(LawfulError):
    pass


class InvalidInput(LawfulError):
    """Input that breaks a rule; `field` names the offending field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)


class ItemProblem(NamedTuple):
    """What is wrong with one item of a batch: its position, the field, and why."""

    at: int  # the item's index, or a file's line number: the batch says which (`unit`)
    field: str
    message: str


class InvalidItems(InvalidInput):
    """Items of a batch that break a rule, each named by position and field; nothing of the
    batch was applied."""

    def __init__(self, problems: Sequence[ItemProblem], *, unit: str = "item") -> None:
        self.problems = list(problems)
        self.unit = unit
        bad = len({p.at for p in self.problems})
        super().__init__(f"{bad} invalid {unit}(s); nothing was recorded", field=None)

    def lines(self) -> list[str]:
        """One line per problem, as a person fixing the batch reads them."""
        return [f"{self.unit} {p.at}: {p.field}: {p.message}" for p in self.problems]


class Unauthenticated(LawfulError):
    """No valid credentials were presented."""


class NotPermitted(LawfulError):
    """The caller may not do this, for a reason that is not a policy decision (e.g. ownership)."""


class ConfigurationError(LawfulError):
    """The installation itself is unusable (e.g. a damaged key file): an operator must act."""


class RegisterInvalid(LawfulError):
    """The processing register failed validation; `problems` lists each one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the register")


class RenderError(LawfulError):
    pass


class ProcessingDenied(LawfulError):
    """The policy refused an access; the refusal itself was recorded in the ledger."""

    def __init__(self, purpose: str, reasons: Sequence[str]) -> None:
        self.purpose = purpose
        self.reasons = tuple(reasons)
        super().__init__(f"processing for '{purpose}' denied: {', '.join(self.reasons)}")


class LedgerTampered(LawfulError):
    pass


class KeyDestroyed(LawfulError):
    """The subject's vault key was destroyed (erasure): the payload is unreadable."""
