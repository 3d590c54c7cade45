"""Is every regex over user text linear? Per-pattern timings on adversarial inputs.

    python bench/patterns.py [--small 500000] [--large 5000000] [--timeout 20] [--only NAME]

Collects every compiled pattern that runs over text a user supplies (triage's input and
--log, error facts, the knowledge base's patterns and `unless`es, the redactor, the token
reader, the .env readers, the user command's email check, the pool-id check) and, for each
one, runs `finditer` to the end (or `match` for anchored ones) over adversarial inputs built
from the characters its quantifiers accept: at --small and --large characters, as one line and
as short lines, with and without a final character that makes the match fail. Each pattern
runs in its own child process, each input under a timer (`re` checks signals while it
matches), so a runaway pattern is cut off and reported as such.

A linear pattern takes ~large/small times as long on the large input (10x by default);
a quadratic one ~100x. Rows over 20x that took over 0.5 s (below that, a shared machine's noise
wins), or that timed out, are marked SLOW.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

# Units an adversarial input is made of: runs of what the patterns' quantifiers accept.
UNITS: dict[str, str] = {
    "pct41": "%41",
    "a.": "a.",
    "a@": "a@",
    "a@b.": "a@b.",
    "a.b@": "a.b@",
    "eq": "=",
    "under": "_",
    "a_": "a_",
    "dash": "-",
    "a-": "a-",
    "a": "a",
    "A": "A",
    "digit": "1",
    "hex": "ab12",
    "hex-": "abcdef12-",
    "space": " ",
    "nl": "\n",
    "sp-nl": " \n",
    "eyJ": "eyJhbGci.",
    "eyJ-": "-eyJ",
    "b64url": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.",
    "AKIA": "AKIA",
    "arn": "arn:aws:",
    "arn-full": "arn:aws:iam::123456789012:",
    "pool": "eu-west-2_",
    "region": "eu-west-2-",
    "us-a": "us-a",
    "client": "client ",
    "clientid": "client_id=",
    "key=": "KEY=",
    "tok:": "token:",
    "sec=a": "secret=aaaaaaaa1",
    "user": "User: arn:",
    "host": "https://a.",
    "amz": "a.amazonaws.",
    "Exc": "AaException",
    "status": "status ",
    "quote1": "A='\\'",
    "quote2": 'A="x',
    "export": "export ",
    "promote": "promote ",
    "token ": "token ",
    "no email": "no email ",
    "kid": "kid ",
    "aud": "aud ",
    "http": "HTTP/1.1 ",
    "mock": "mock-abcdef12-abcd-",
}
FAIL_CHARACTERS = "!"


def inputs(size: int) -> Iterator[tuple[str, str]]:
    """(name, text) for every unit: one line, short lines, each with and without a final '!'."""
    for name, unit in UNITS.items():
        one_line = unit * (size // len(unit))
        per_line = max(1, 80 // len(unit))
        line = unit * per_line + "\n"
        lines = line * (size // len(line))
        for shape, text in (("line", one_line), ("lines", lines)):
            yield f"{name}/{shape}", text
            yield f"{name}/{shape}!", text + FAIL_CHARACTERS


def collect() -> dict[str, Callable[[str], object]]:
    """Every pattern over user text, as a function that runs it over a whole text."""
    from cognito_doctor.engine import redact
    from cognito_doctor.oncall import error_facts, tokens, triage_text, users
    from cognito_doctor.oncall.knowledge import load_knowledge
    from cognito_doctor.platform import dotenv_node, envfiles, target

    found: dict[str, Callable[[str], object]] = {}
    for module in (error_facts, triage_text, redact, tokens, users, target, dotenv_node, envfiles):
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{module.__name__.rsplit('.', 1)[-1]}.{attr}"] = _runner(value)
    for entry in load_knowledge():
        for index, pattern in enumerate(entry.patterns):
            found[f"kb.{entry.id}.{index}"] = _runner(pattern.compiled)
            if pattern.unless is not None:
                found[f"kb.{entry.id}.{index}.unless"] = _runner(pattern.unless)
        if entry.text_confirms is not None:
            found[f"kb.{entry.id}.text_confirms"] = _runner(entry.text_confirms.compiled)
    return found


def _runner(pattern: re.Pattern[str]) -> Callable[[str], object]:
    if pattern.pattern.startswith("^"):
        return lambda text: pattern.match(text)
    return lambda text: sum(1 for _ in pattern.finditer(text))


class _Timeout(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Timeout


def child(name: str, small: int, large: int, timeout: float) -> None:
    """Time one pattern on every input (run in a child process); prints JSON rows."""
    run = collect()[name]
    signal.signal(signal.SIGALRM, _alarm)
    small_inputs = dict(inputs(small))
    for key, text in inputs(large):
        row: dict[str, object] = {"pattern": name, "input": key}
        for label, sample in (("small", small_inputs[key]), ("large", text)):
            signal.setitimer(signal.ITIMER_REAL, timeout)
            started = time.perf_counter()
            try:
                run(sample)
                row[label] = time.perf_counter() - started
            except _Timeout:
                row[label] = None
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if row[label] is None:
                break
        print(json.dumps(row), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=500_000)
    parser.add_argument("--large", type=int, default=5_000_000)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--only", default="")
    parser.add_argument("--all", action="store_true", help="print every row, not only SLOW ones")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.small, args.large, args.timeout)
        return 0
    slow = 0
    for name in collect():
        if args.only and args.only not in name:
            continue
        command = [sys.executable, __file__, "--child", name, "--small", str(args.small)]
        command += ["--large", str(args.large), "--timeout", str(args.timeout)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        worst = 0.0
        for raw in done.stdout.splitlines():
            row = json.loads(raw)
            small, large = row.get("small"), row.get("large")
            ratio = None if not small or large is None else large / max(small, 1e-4)
            bad = large is None or (ratio is not None and ratio > 20 and large > 0.5)
            slow += bad
            if ratio is not None:
                worst = max(worst, ratio if large and large > 0.5 else 0)
            if bad or args.all:
                shown = "timeout" if large is None else f"{large:8.3f}s"
                print(
                    f"{'SLOW' if bad else '    '} {name:45} {row['input']:18} "
                    f"{small if small is None else round(small, 4)!s:>8}s -> {shown}"
                )
        if done.returncode:
            print(f"FAIL {name}: {done.stderr.strip()[-300:]}")
            slow += 1
        print(f"     {name:45} worst ratio {worst:6.1f}", file=sys.stderr, flush=True)
    print(f"{slow} slow (pattern, input) pairs")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
