"""Triage's input as text: reading it (bytes to text, refusing binary), masking what must
never be shown, and, for a log, the lines a cause concerns (its own lines and the lines that
share a request id with them), so a verdict never uses users from other requests."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from cognito_doctor.engine.redact import scrub
from cognito_doctor.oncall.error_facts import user_emails

MAX_INPUT_BYTES = 5_000_000
MAX_EXCERPT = 100

# Each pattern starts only where a run of its characters starts (the look-behind), so a long
# run is scanned once, not once per position: linear time on any input.
_JWT = re.compile(r"(?<![\w-])eyJ[\w-]*+\.[\w-]++\.[\w-]*+")
_LONG_SECRET = re.compile(r"(?<![\w/+=])[A-Za-z0-9/+=]{40,}(?![\w/+=])")
# What ties a log's lines to one request: a UUID (the SDK's RequestId, a NestJS request id).
_REQUEST_ID = re.compile(
    r"(?<![0-9a-fA-F-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"(?![0-9a-fA-F-])"
)

# Any piece of a lower-cased line that could equal one of those ids.
_ID_SHAPED = re.compile(r"(?=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}))")


class TriageInputError(ValueError):
    """The input cannot be triaged (empty, binary, not text)."""


def read_text(data: bytes, source: str) -> str:
    """Bytes from an argument, a file or stdin as text; TriageInputError when they aren't."""
    if len(data) > MAX_INPUT_BYTES:
        # Keep the end of a long log: that is where the failure is.
        data = data[-MAX_INPUT_BYTES:]
    if not data.strip():
        raise TriageInputError(f"{source} is empty: give an error message, a log or a symptom")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise TriageInputError(
            f"{source} looks binary (a NUL byte at offset {offset}): give a text log, an error "
            "message or a symptom in words"
        )
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    if bad > max(8, len(text) // 20):
        raise TriageInputError(
            f"{source} is not UTF-8 text ({bad} bytes could not be decoded): give a text log"
        )
    return text


def mask(text: str) -> str:
    """Text safe to show: JWTs, access key ids and long secret-like strings masked."""
    text = _JWT.sub("<jwt>", text)
    # scrub: the secret patterns (access key ids to their last four, KEY=VALUE), then the
    # run's known secrets (the .env files', the fetched client secret).
    return scrub(_LONG_SECRET.sub("[redacted]", text))


def excerpt(found: str) -> str:
    """A matched piece of the input, on one line, short and masked."""
    # Masked before it is cut: a secret cut short would be too short for the patterns.
    compact = mask(" ".join(found.split()))
    if len(compact) > MAX_EXCERPT:
        compact = compact[: MAX_EXCERPT - 1] + "…"
    return compact


def emails_in(text: str) -> list[str]:
    """The distinct email addresses in `text` that could be a user's, in order."""
    return user_emails(text)


class Lines:
    """The input split into lines, with the offset each starts at."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines() or [text]
        self.starts: list[int] = []
        offset = 0
        for line in text.splitlines(keepends=True) or [text]:
            self.starts.append(offset)
            offset += len(line)

    @property
    def is_log(self) -> bool:
        """Whether the input has several non-blank lines (then causes are scoped to lines)."""
        return sum(1 for line in self.lines if line.strip()) > 1

    def line_of(self, offset: int) -> int:
        """The index of the line holding character `offset`."""
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def scope(self, indices: Sequence[int]) -> str:
        """The text of lines `indices` and of every line sharing a request id with them."""
        if not self.is_log:
            return "\n".join(self.lines)
        chosen = set(indices)
        ids = {m.group(0).lower() for i in chosen for m in _REQUEST_ID.finditer(self.lines[i])}
        if ids:
            # A line shares a request id when one of its id-shaped pieces (overlapping ones
            # too, hence the look-ahead) is one: one pass per line, however many ids there are
            # (testing each id against each line was quadratic).
            for index, line in enumerate(self.lines):
                if index not in chosen and any(
                    m.group(1) in ids for m in _ID_SHAPED.finditer(line.lower())
                ):
                    chosen.add(index)
        return "\n".join(self.lines[i] for i in sorted(chosen))

    def emails(self, indices: Sequence[int]) -> list[str]:
        """The users the lines `indices` (and their requests) name."""
        return user_emails(self.scope(indices))
