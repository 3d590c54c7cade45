"""Every entry point that runs regexes over user text stays linear on adversarial input.

Each entry point (triage on standard input and on --log, token, the redactor over a report
message, both .env readers, the user command's email check) runs in its own process on an
adversarial input at two sizes, ten times apart: long runs of the characters the patterns'
quantifiers accept (`%41`, `a.`, `a@b.`, line breaks, blank lines, JWT-ish runs, `AKIA`,
`arn:aws:`, request ids, `KEY=`), ending in a character that makes a match fail. A linear
scan takes about ten times as long on the big input, a quadratic one about a hundred times:
the assertion is that ratio (under 15x, plus a floor of a few seconds for a shared machine),
not a wall-clock target (those live in bench/patterns.py and bench/run.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
RATIO = 15
FLOOR_SECONDS = 5.0
HARD_LIMIT_SECONDS = 240

Builder = Callable[[int], str]


def _mixed_log(size: int) -> str:
    """A log of `size` characters: a line that matches causes and names request ids (their
    number grows with the input), then lines made of each adversarial run."""
    ids = [str(uuid.UUID(int=n)) for n in range(1, size // 2500 + 1)]
    head = "AccessDeniedException: no email arrived, token rejected " + " ".join(ids) + "\n"
    units = ["%41", "a.", "a@b.", "a.b@", "=", "_", "eyJhbGci.", "-eyJ", "AKIA", "arn:aws:"]
    units += ["eu-west-2_", "us-east-1-", "client ", "token:", "User: arn:", "https://a."]
    units += ["KEY=", "secret=aaaaaaaa1", "ab12", "abcdef12-", " \n", "\n", "promote "]
    # Lines that share the head's request ids, so the scope has something to collect.
    tail = "\n".join(f"retry {i}" for i in ids[:50]) + "!"
    per_unit = (size - len(head) - len(tail)) // len(units)
    return head + "".join(_lines_of(unit, per_unit) for unit in units) + tail


def _lines_of(unit: str, size: int) -> str:
    """`size` characters of `unit` repeated, in lines of about 80 characters."""
    line = unit * max(1, 80 // len(unit)) + "\n"
    return line * max(1, size // len(line))


def _percent_run(size: int) -> str:
    return "%41" * (size // 3) + "!"


def _token_like(size: int) -> str:
    return "eyJ" + "A" * (size // 3) + "." + "eyJ." * (size // 12) + "a" * (size // 3) + "!"


def _report_message(size: int) -> str:
    units = ["eyJhbGci.", "-eyJ", "AKIA", "KEY=", "secret=aaaaaaaa1", "token: ", "%41", "a_"]
    return "".join(unit * (size // len(unit) // len(units)) for unit in units) + "!"


def _env_text(size: int) -> str:
    units = ["\n", " \n", "A=1\n", "export \n", "A='\\'\n", 'A="x\n', "#c\n", "A: \n"]
    return "".join(unit * (size // len(unit) // len(units)) for unit in units) + "!"


def _email_like(size: int) -> str:
    return "a@" + "." * size + "@"


def _timed(command: Sequence[str], stdin: bytes | None = None) -> tuple[float, str, str, int]:
    env = {**os.environ, "NO_COLOR": "1", "AWS_EC2_METADATA_DISABLED": "true"}
    started = time.perf_counter()
    try:
        done = subprocess.run(
            list(command),
            input=stdin,
            capture_output=True,
            env=env,
            cwd=REPO_ROOT,
            timeout=HARD_LIMIT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{' '.join(command[:4])} ran past {HARD_LIMIT_SECONDS} s")
    seconds = time.perf_counter() - started
    stdout = done.stdout.decode("utf-8", "replace")
    stderr = done.stderr.decode("utf-8", "replace")
    return seconds, stdout, stderr, done.returncode


def _assert_linear(name: str, small: float, large: float) -> None:
    bound = RATIO * small + FLOOR_SECONDS
    assert large < bound, (
        f"{name}: {large:.2f} s on the big input against {small:.2f} s on one ten times "
        f"smaller (over the {bound:.1f} s a linear scan stays under): a pattern or loop is "
        "super-linear"
    )


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "cognito_doctor", *args]


@pytest.mark.parametrize(
    ("name", "build", "how", "large"),
    [
        ("triage --log, URL-encoded run", _percent_run, "log", 5_000_000),
        # Every pattern matches somewhere in this one, so each scans it whole: 2 MB keeps the
        # suite's time down and still shows a quadratic scan (100x) against a linear one.
        ("triage on standard input, mixed adversarial log", _mixed_log, "stdin", 2_000_000),
    ],
)
def test_triage_is_linear(tmp_path: Path, name: str, build: Builder, how: str, large: int) -> None:
    root = tmp_path / "root"
    root.mkdir()
    timings = []
    for size in (large // 10, large):
        text = build(size).encode()
        base = _cli("triage", "--offline", "--root", str(root), "--timeout", "600")
        if how == "log":
            log = tmp_path / f"{size}.log"
            log.write_bytes(text)
            seconds, out, err, code = _timed([*base, "--log", str(log)])
        else:
            seconds, out, err, code = _timed([*base, "-"], stdin=text)
        assert code in (0, 1), err[-2000:]
        assert "Traceback" not in err
        # The user gets the diagnosis: the input's size is reported, and the mixed log's
        # AccessDenied line is named.
        assert f"{len(text.decode())} characters" in out, out[:500]
        if how == "stdin":
            assert "AccessDenied" in out
        timings.append(seconds)
    _assert_linear(name, *timings)


def test_token_reader_is_linear(tmp_path: Path) -> None:
    timings = []
    for size in (90_000, 900_000):
        seconds, _, err, code = _timed(
            _cli("token", "-", "--offline", "--root", str(tmp_path), "--timeout", "600"),
            stdin=_token_like(size).encode(),
        )
        assert code == 2, err[-500:]  # not a JWT: a clear usage error, no traceback
        assert "not a JWT" in err and "Traceback" not in err
        timings.append(seconds)
    _assert_linear("token -", *timings)


_SCRUB = """
import sys
from cognito_doctor.engine.model import Outcome, Status
from cognito_doctor.engine.redact import Redactor, remember
remember("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAIOSFODNN7EXAMPLE")
message = sys.stdin.read()
outcome = Redactor(["aaaaaaaa1-not-a-secret-but-told"]).outcome(
    Outcome(Status.FAIL, message, "fix: " + message[:1000], evidence={"echo": message[:100_000]})
)
print(len(outcome.message))
"""


def test_redactor_is_linear_over_a_report_message() -> None:
    timings = []
    for size in (500_000, 5_000_000):
        seconds, out, err, code = _timed(
            [sys.executable, "-c", _SCRUB], stdin=_report_message(size).encode()
        )
        assert code == 0, err[-2000:]
        assert int(out.strip()) > 0
        timings.append(seconds)
    _assert_linear("redactor", *timings)


_ENV = """
import sys
from pathlib import Path
from cognito_doctor.platform.envfiles import EnvReader, parse_env_text
text = sys.stdin.read()
parsed = parse_env_text("x", Path(".env"), text, EnvReader(sys.argv[1]))
print(len(parsed.entries))
"""


@pytest.mark.parametrize("reader", ["node", "python"])
def test_env_readers_are_linear(reader: str) -> None:
    timings = []
    # The readers take files up to 1 MB (MAX_ENV_BYTES).
    for size in (100_000, 1_000_000):
        seconds, out, err, code = _timed(
            [sys.executable, "-c", _ENV, reader], stdin=_env_text(size).encode()
        )
        assert code == 0, err[-2000:]
        assert int(out.strip()) > 0  # the A=1 lines are read
        timings.append(seconds)
    _assert_linear(f".env reader {reader}", *timings)


def test_user_email_check_is_linear(tmp_path: Path) -> None:
    timings = []
    # An argument is at most 128 KiB on Linux.
    for size in (12_000, 120_000):
        seconds, _, err, code = _timed(
            _cli("user", _email_like(size), "--root", str(tmp_path), "--timeout", "600")
        )
        assert code == 2 and "not an email address" in err, err[-500:]
        timings.append(seconds)
    _assert_linear("user EMAIL", *timings)
