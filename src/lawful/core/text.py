"""Text that may be stored: bounded in length, valid Unicode, free of control characters.

JSON can carry what no database stores: a lone UTF-16 surrogate (`"\\ud800"`) cannot be encoded
to UTF-8, and PostgreSQL refuses NUL in text. Every free-text field of every request goes through
`clean` (as the `Text` type), so such input is refused at the edge, naming the field, instead of
failing later in the database.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

# C0 controls and DEL, except tab, line feed and carriage return, which free text may hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(value: str) -> str:
    """The value unchanged, or ValueError naming what makes it unstorable."""
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters (such as NUL)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode (no lone surrogate)") from None
    return value


SHORT = 200  # a reason, a name, a label: one line or two
LONG = 2_000  # grounds in the person's own words: a few paragraphs

ShortText = Annotated[str, StringConstraints(max_length=SHORT), AfterValidator(clean)]
LongText = Annotated[str, StringConstraints(max_length=LONG), AfterValidator(clean)]
