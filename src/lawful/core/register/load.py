"""Read a register file and report every problem with its YAML path and line."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lawful.core.errors import RegisterInvalid
from lawful.core.register.models import Register
from lawful.core.register.validate import semantic_problems

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return f"{self.path}: {self.message}{where}" if self.path else f"{self.message}{where}"


def reference_register_path() -> Path:
    return Path(str(resources.files("lawful.reference").joinpath("register.yaml")))


def format_path(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _line_of(root: yaml.Node | None, loc: Loc) -> int | None:
    """The 1-based line of the node at `loc`, or of its nearest existing parent."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            nxt = node.value[part] if 0 <= part < len(node.value) else None
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
        line = node.start_mark.line + 1
    return line


def _pydantic_problems(exc: ValidationError, root: yaml.Node | None) -> list[Problem]:
    problems = []
    for error in exc.errors():
        loc: Loc = tuple(p for p in error["loc"] if p != "[key]")
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
        elif error["type"] == "missing":
            message = f"missing required field '{loc[-1]}'"
        problems.append(Problem(format_path(loc), message, _line_of(root, loc)))
    return problems


def parse(text: str) -> tuple[Register | None, list[Problem]]:
    """Validate register text; return the register (None when invalid) and every problem."""
    try:
        # One parse: the node tree locates problems, the data is constructed from that same tree.
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data: Any = None if root is None else loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        return None, [Problem("", f"YAML syntax error: {exc.problem or exc}", line)]
    except yaml.YAMLError as exc:
        return None, [Problem("", f"YAML error: {exc}")]
    if not isinstance(data, dict):
        return None, [Problem("", "the register must be a YAML mapping at the top level", 1)]
    try:
        register = Register.model_validate(data)
    except ValidationError as exc:
        return None, _pydantic_problems(exc, root)
    problems = [
        Problem(format_path(loc), message, _line_of(root, loc))
        for loc, message in semantic_problems(register)
    ]
    return (None if problems else register), problems


def check_file(path: Path) -> tuple[Register | None, list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Problem("", f"cannot read {path}: {exc.strerror or exc}")]
    except UnicodeDecodeError:
        return None, [Problem("", f"{path} is not UTF-8 text")]
    return parse(text)


def load_register(path: Path | None = None) -> Register:
    """The validated register at `path` (default: the reference register); raise on any problem."""
    register, problems = check_file(path or reference_register_path())
    if register is None:
        raise RegisterInvalid([str(p) for p in problems])
    return register
