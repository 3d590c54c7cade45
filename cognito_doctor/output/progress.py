"""A single updating line on standard error while a run waits for its facts: only on a
terminal, only once the run has taken ~0.5 s, never in CI or under a machine format (the
caller decides that with `progress_wanted`)."""

from __future__ import annotations

import os
import shutil
import threading
from collections import Counter
from collections.abc import Mapping
from typing import IO

DELAY_S = 0.5
INTERVAL_S = 0.1
# Set by the usual CI services (GitHub Actions, GitLab, CircleCI, Travis, Buildkite, …).
_CI_VARIABLES = ("CI", "BUILD_NUMBER", "RUN_ID", "TF_BUILD")


def progress_wanted(
    stream: IO[str], human_output: bool, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether to show progress on `stream`: a terminal, not CI, TERM not dumb, and the report
    is for a person (the table), not a machine."""
    env = os.environ if environ is None else environ
    if not human_output or any(env.get(name) for name in _CI_VARIABLES):
        return False
    return env.get("TERM") != "dumb" and stream.isatty()


class Progress:
    """The facts in flight, as one line rewritten in place; `fact_started` and
    `fact_finished` may be called from any thread."""

    def __init__(self, stream: IO[str], delay_s: float = DELAY_S) -> None:
        self._stream = stream
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._shown = False
        self._thread = threading.Thread(
            target=self._run, args=(delay_s,), name="progress", daemon=True
        )
        self._thread.start()

    def fact_started(self, name: str) -> None:
        with self._lock:
            self._in_flight[name] += 1

    def fact_finished(self, name: str) -> None:
        with self._lock:
            self._in_flight[name] -= 1
            if self._in_flight[name] <= 0:
                del self._in_flight[name]

    def line(self) -> str:
        """What the line says now."""
        with self._lock:
            names = sorted(self._in_flight)
        return f"… waiting for {', '.join(names)}" if names else "… checking"

    def _run(self, delay_s: float) -> None:
        if self._stop.wait(delay_s):
            return
        while not self._stop.is_set():
            width = shutil.get_terminal_size((80, 24)).columns - 1
            text = self.line()
            text = text if len(text) <= width else text[: max(0, width - 1)] + "…"
            self._stream.write(f"\r\x1b[K{text}")
            self._stream.flush()
            self._shown = True
            self._stop.wait(INTERVAL_S)

    def close(self) -> None:
        """Stop, and clear the line if one was shown (the report follows on a clean line)."""
        self._stop.set()
        self._thread.join()
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
