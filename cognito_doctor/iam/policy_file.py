"""The --policy-file (the `policy_file` fact, offline): the file read and parsed with the line
of every JSON value, and the pool the `.env` files name to compare it with."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cognito_doctor.facts import CheckContext, EnvFiles, FactUnavailable, first_value
from cognito_doctor.model import Status
from cognito_doctor.regions import is_region
from cognito_doctor.registry import fact

MAX_POLICY_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class PolicyFile:
    """The --policy-file, read and parsed, with the line of every JSON value."""

    path: Path
    display: str
    text: str = ""
    document: Any = None
    problem: str | None = None
    line: int | None = None
    lines: Mapping[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, *path: str | int) -> int | None:
        """The line of the value at `path`, or of its nearest enclosing value."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


# The standard library's JSON string scanner (not in typeshed): (text, index after the
# opening quote) -> (decoded string, index after the closing quote).
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


def json_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """The 1-based line of every value in a valid JSON text, by path (object members are
    keyed by name and point at their key's line; array items by index)."""
    newlines = [i for i, char in enumerate(text) if char == "\n"]
    lines: dict[tuple[str | int, ...], int] = {}

    def line_of(index: int) -> int:
        return bisect_right(newlines, index - 1) + 1

    def skip(index: int) -> int:
        match = _WHITESPACE.match(text, index)
        return match.end() if match else index

    def value(index: int, path: tuple[str | int, ...], key_line: int | None) -> int:
        index = skip(index)
        lines.setdefault(path, key_line or line_of(index))
        char = text[index]
        if char == "{":
            index = skip(index + 1)
            if text[index] == "}":
                return index + 1
            while True:
                index = skip(index)
                member_line = line_of(index)
                key, index = _scanstring(text, index + 1)
                index = skip(index) + 1  # the colon
                index = skip(value(index, (*path, key), member_line))
                if text[index] == ",":
                    index += 1
                    continue
                return index + 1
        if char == "[":
            index = skip(index + 1)
            if text[index] == "]":
                return index + 1
            position = 0
            while True:
                index = skip(value(index, (*path, position), None))
                position += 1
                if text[index] == ",":
                    index += 1
                    continue
                return index + 1
        if char == '"':
            return _scanstring(text, index + 1)[1]
        match = _SCALAR.match(text, index)
        if match is None:
            raise ValueError(f"unexpected character {char!r} at offset {index}")
        return match.end()

    value(0, (), None)
    return lines


def read_policy_file(path: Path, root: Path) -> PolicyFile:
    """Read and parse a policy file; problems (unreadable, not JSON) are kept, not raised."""
    try:
        display = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        display = str(path)
    try:
        raw = path.read_bytes()[: MAX_POLICY_FILE_BYTES + 1]
    except OSError as exc:
        return PolicyFile(path, display, problem=f"cannot read {display}: {exc.strerror or exc}")
    if len(raw) > MAX_POLICY_FILE_BYTES:
        return PolicyFile(path, display, problem=f"{display} is larger than 1 MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return PolicyFile(path, display, problem=f"{display} is not UTF-8 text ({exc.reason})")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return PolicyFile(
            path,
            display,
            text,
            problem=f"{display} is not valid JSON: {exc.msg} (line {exc.lineno}, column "
            f"{exc.colno})",
            line=exc.lineno,
        )
    return PolicyFile(path, display, text, document, lines=json_lines(text))


@fact("policy_file")
def policy_file(ctx: CheckContext) -> PolicyFile:
    """The JSON policy given with --policy-file, read and parsed (offline)."""
    path = ctx.config.policy_file
    if path is None:
        raise FactUnavailable(
            Status.SKIP,
            "no --policy-file given (run with --policy-file PATH to check a policy file "
            "offline, before you paste it)",
        )
    return read_policy_file(path, ctx.config.root)


def env_pool(ctx: CheckContext, env_files: EnvFiles) -> tuple[str | None, str | None]:
    """(pool id, region) as the `.env` files name them, for offline comparisons."""
    pool_id = first_value(env_files, "COGNITO_USER_POOL_ID")
    region = ctx.config.region or first_value(env_files, "COGNITO_REGION")
    if region is None and pool_id and "_" in pool_id:
        region = pool_id.split("_", 1)[0]
    if region is not None and not is_region(region):
        region = None
    return pool_id, region
