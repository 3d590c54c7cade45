"""The process's one way out: standard output and standard error wrapped so that every byte
written (reports, usage errors, click's own messages, progress) passes the redactor."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from cognito_doctor.engine.redact import scrub


class RedactingStream(io.TextIOBase):
    """A text stream writing to `target` with every known secret masked. It has no `buffer`,
    so nothing (click included) can write around it."""

    def __init__(self, target: TextIO) -> None:
        super().__init__()
        self._target = target

    @property
    def target(self) -> TextIO:
        """The stream written to."""
        return self._target

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._target, "errors", None)

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._target.write(scrub(text))
        return len(text)

    def writable(self) -> bool:
        return True

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()


@contextmanager
def redacted_streams() -> Iterator[None]:
    """sys.stdout and sys.stderr redacted for the duration (restored after, for tests that run
    several commands in one process)."""
    saved = sys.stdout, sys.stderr
    for stream in saved:
        if isinstance(stream, io.TextIOWrapper):
            # A terminal that can't show a character gets '?', never a UnicodeEncodeError.
            stream.reconfigure(errors="replace")
    sys.stdout = RedactingStream(saved[0])
    sys.stderr = RedactingStream(saved[1])
    try:
        yield
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        sys.stdout, sys.stderr = saved


def unwrapped(stream: object) -> object:
    """The stream a RedactingStream writes to (for terminal checks), else `stream`."""
    return stream.target if isinstance(stream, RedactingStream) else stream
