"""The `.env` parser of the npm package `dotenv` 16 (what `@nestjs/config` loads), in Python.

dotenv 16's `parse()` (lib/main.js) normalises line breaks to `\\n`, runs one multiline regex
(`LINE`) over the text and, for each match, trims the value, strips one pair of surrounding
quotes (', " or `) and, for double quotes only, turns the two characters `\\n` and `\\r` into
line breaks. Nothing is ever expanded (`${VAR}` stays as written) and a line the regex does not
match is skipped without a word. JavaScript's regex classes differ from Python's (`\\s`, `\\w`,
`.`, `^` and `$` under the `m` flag), so each is spelled out below as JavaScript defines it.
tests/oracles/test_dotenv_node.py runs the real package on generated input and requires the
same key/value maps.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

# ECMAScript WhiteSpace and LineTerminator: what `\s` and String.prototype.trim() cover.
_JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_S = f"[{_JS_SPACE}]"
_TERMINATORS = "\n\r\u2028\u2029"
# The same white space without the line terminators.
_INLINE_S = "[" + "".join(c for c in _JS_SPACE if c not in _TERMINATORS) + "]"
# `^` and `$` with the `m` flag: at either end of the text or next to a line terminator.
_BOL = f"(?<![^{_TERMINATORS}])"
_EOL = f"(?![^{_TERMINATORS}])"
_DOT = f"[^{_TERMINATORS}]"

# dotenv 16's LINE, term for term:
# /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|
#  \s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/mg
# One change keeps the scan linear: LINE's leading `\s*` also crosses line breaks, so on a run
# of blank lines it starts at every one of them and scans to the run's end (quadratic). A
# match that crosses a line break is the match that starts after the run's last one (same
# groups; it covers only more white space), so the leading run here stays on its line.
_LINE = re.compile(
    f"{_BOL}{_INLINE_S}*(?:export{_S}+)?([A-Za-z0-9_.-]+)(?:{_S}*={_S}*?|:{_S}+?)"
    f"({_S}*'(?:\\\\'|[^'])*'|{_S}*\"(?:\\\\\"|[^\"])*\"|{_S}*`(?:\\\\`|[^`])*`|[^#\r\n]+)?"
    f"{_S}*(?:#{_DOT}*)?{_EOL}"
)
# /^(['"`])([\s\S]*)\1$/mg
_QUOTED = re.compile(f"{_BOL}(['\"`])([\\s\\S]*)\\1{_EOL}")
_LINE_BREAKS = re.compile(r"\r\n?")


@dataclass(frozen=True)
class NodeBinding:
    """One assignment dotenv for Node makes, and where its key sits."""

    key: str
    value: str
    line: int
    raw: str  # the value as written (trimmed), before quotes are removed


@dataclass(frozen=True)
class NodeParse:
    """Every assignment, in order, and the lines the loader skips (not blank, not a comment)."""

    bindings: tuple[NodeBinding, ...]
    skipped_lines: tuple[int, ...]


def _js_trim(value: str) -> str:
    return value.strip(_JS_SPACE)


def parse_node(text: str) -> NodeParse:
    """Parse `.env` text exactly as dotenv 16's `parse()` does, with true line numbers."""
    text = _LINE_BREAKS.sub("\n", text)
    # Line numbers as an editor counts them (every \n, after \r\n and \r became \n).
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    covered = bytearray(len(text))
    bindings: list[NodeBinding] = []
    for match in _LINE.finditer(text):
        covered[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
        raw = _js_trim(match.group(2) or "")
        quote = raw[:1]
        value = _QUOTED.sub(r"\2", raw)
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        # The line holding the key: a binary search (a count from the start is quadratic).
        line = bisect.bisect_right(starts, match.start(1))
        bindings.append(NodeBinding(match.group(1), value, line, raw))
    skipped = []
    for number, start in enumerate(starts, start=1):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        content = [i for i in range(start, end) if text[i] not in _JS_SPACE]
        if not content or text[content[0]] == "#":
            continue
        if not any(covered[i] for i in content):
            skipped.append(number)
    return NodeParse(tuple(bindings), tuple(skipped))
