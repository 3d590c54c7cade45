"""A policy document given with --policy-file, and where each of its JSON values stands."""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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


# The standard library's JSON string scanner (not in typeshed): (text, index after the
# opening quote) -> (decoded string, index after the closing quote).
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
