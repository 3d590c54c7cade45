"""Editing a `.env` file in place: only the assignments the plan changes are rewritten, and
everything else (comments, blank lines, order, `export`, spacing, quoting style, inline
comments, line endings, a BOM) stays byte for byte as it was.

The file is cut into the bindings python-dotenv's parser finds (each binding's original
text, which joined give back the file); the assignment that wins for a key (the last one, as
the dotenv loaders do) has only its value replaced. A key the file does not have is added at
the end, with the file's line ending.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Mapping

from dotenv.parser import parse_stream

from cognito_doctor.platform.envfiles import is_secret_key

_BOM = "\ufeff"
# One binding's text: what precedes the key (blank lines, indentation, `export `), the key,
# the `=` with its spacing, the value (quoted or not), then spacing, a comment, the line end.
_ASSIGNMENT = re.compile(
    r"(?P<lead>\s*(?:export[ \t]+)?)(?P<key>[^=\s]+)(?P<eq>[ \t]*=[ \t]*)"
    r"(?P<value>'(?:\\'|[^'])*'|\"(?:\\\"|[^\"])*\"|`[^`]*`|[^\r\n]*?)"
    r"(?P<rest>[ \t]+#[^\r\n]*|[ \t]*)(?P<end>\r\n|\n|\r)?",
    re.DOTALL,
)
# Characters that make an unquoted value mean something else to a loader.
_NEEDS_QUOTES = re.compile(r"[\s#'\"`\\$]")


def line_ending(text: str) -> str:
    """The file's line ending: CRLF if it uses any, else CR alone if it uses only that, else LF."""
    if "\r\n" in text:
        return "\r\n"
    if "\r" in text and "\n" not in text:
        return "\r"
    return "\n"


def quoted(value: str, style: str) -> str:
    """`value` in the quoting style of the value it replaces (`'`, `"`, a backtick or none);
    an unquoted value that needs quotes gets double quotes."""
    if style == "'" and "'" not in value:
        return f"'{value}'"
    if style == "`" and "`" not in value:
        return f"`{value}`"
    if style in ("'", '"', "`") or _NEEDS_QUOTES.search(value):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return value


def _rewrite(original: str, key: str, value: str | None) -> str:
    match = _ASSIGNMENT.fullmatch(original)
    if match is None or match.group("key") != key:
        raise ValueError(f"cannot rewrite the assignment of {key}")
    lead = match.group("lead")
    if value is None:
        # Keep the blank lines before it; drop the assignment and its line end.
        return lead[: len(lead) - len(lead.lstrip("\r\n"))] if lead.strip(" \t") else ""
    old = match.group("value")
    style = old[0] if old[:1] in ("'", '"', "`") else ""
    return (
        f"{lead}{key}{match.group('eq')}{quoted(value, style)}"
        f"{match.group('rest')}{match.group('end') or ''}"
    )


def edit_env_text(text: str, keys: Mapping[str, str | None]) -> str:
    """`text` with each of `keys` set to its value (None: its assignment removed)."""
    bom = _BOM if text.startswith(_BOM) else ""
    body = text.removeprefix(_BOM)
    originals: list[str] = []
    last: dict[str, int] = {}
    for binding in parse_stream(io.StringIO(body)):
        originals.append(binding.original.string)
        if binding.key is not None and binding.key in keys and not binding.error:
            last[binding.key] = len(originals) - 1
    if "".join(originals) != body:  # never write a file we could not cut up exactly
        raise ValueError("the file could not be read back exactly as it is")
    for key, index in last.items():
        originals[index] = _rewrite(originals[index], key, keys[key])
    edited = "".join(originals)
    added = [
        f"{key}={quoted(value, '')}"
        for key, value in keys.items()
        if key not in last and value is not None
    ]
    if added:
        end = line_ending(body)
        if edited and not edited.endswith(("\n", "\r")):
            edited += end
        edited += end.join(added) + end
    return bom + edited


def unified_diff(label: str, before: str, after: str) -> str:
    """A unified diff of the edit with no context lines: the unchanged lines, which may hold
    secrets, are never shown."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{label}",
        tofile=f"b/{label}",
        n=0,
    )
    return "".join(
        _masked(line) if line.endswith(("\n", "\r")) else _masked(line) + "\n" for line in lines
    )


def _masked(line: str) -> str:
    """A diff line with a secret's value masked (a line next to an edit can be a secret)."""
    match = re.match(r"([-+ ][ \t]*(?:export[ \t]+)?)([^=\s]+)([ \t]*=)", line)
    if match and line[:3] not in ("---", "+++") and is_secret_key(match.group(2)):
        return f"{match.group(0)}[redacted]" + ("\n" if line.endswith(("\n", "\r")) else "")
    return line
