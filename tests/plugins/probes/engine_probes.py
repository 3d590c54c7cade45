"""Checks and facts that probe the runner: a crash, an unavailable fact, a counted fact,
two facts that only finish if they run at the same time, and network facts for --offline."""

from __future__ import annotations

import threading
from typing import Any

from cognito_doctor.engine.model import FactUnavailable, Outcome, Status, passed
from cognito_doctor.engine.registry import check, fact
from cognito_doctor.facts.context import CheckContext

DOC = """
## What it checks
A property of the runner.

## Why it matters
The runner must keep one check's trouble to that check.

## How to fix
Nothing: this is a test probe.
"""

CALLS = {"counted": 0}
# Both facts wait here; a runner that produced them one after the other breaks the barrier.
BARRIER = threading.Barrier(2, timeout=10)
DENIED_REASON = "the operator may not call cognito-idp:GetUserPoolMfaConfig (AccessDeniedException)"
DENIED_FIX = "Grant the operator cognito-idp:GetUserPoolMfaConfig."


def _documented(function: Any) -> Any:
    function.__doc__ = DOC
    return function


# --- facts ---------------------------------------------------------------------------


@fact("probe_counted")
def probe_counted(ctx: CheckContext) -> int:
    CALLS["counted"] += 1
    return CALLS["counted"]


@fact("probe_denied")
def probe_denied(ctx: CheckContext) -> str:
    raise FactUnavailable(Status.ERROR, DENIED_REASON, DENIED_FIX)


@fact("probe_after_denied", needs=["probe_denied"])
def probe_after_denied(ctx: CheckContext, probe_denied: str) -> str:
    return f"built on {probe_denied}"


def _meet(side: str) -> str:
    try:
        BARRIER.wait()
    except threading.BrokenBarrierError:
        raise FactUnavailable(Status.ERROR, f"{side} waited alone: facts ran one by one") from None
    return side


@fact("probe_left")
def probe_left(ctx: CheckContext) -> str:
    return _meet("left")


@fact("probe_right")
def probe_right(ctx: CheckContext) -> str:
    return _meet("right")


@fact("probe_remote", network=True)
def probe_remote(ctx: CheckContext) -> str:
    import boto3  # never reached with --offline

    return str(boto3.__version__)


# --- checks --------------------------------------------------------------------------


@check("probe.crashes", title="A check that raises", severity="error")
@_documented
def crashes() -> Outcome:
    raise RuntimeError("probe exploded on purpose")


@check("probe.steady", title="A check that passes", severity="error")
@_documented
def steady() -> Outcome:
    return passed("steady as ever")


@check("probe.counted-a", title="Counted fact, reader a", severity="info", needs=["probe_counted"])
@_documented
def counted_a(probe_counted: int) -> Outcome:
    return passed(f"saw call {probe_counted}", calls=probe_counted)


@check("probe.counted-b", title="Counted fact, reader b", severity="info", needs=["probe_counted"])
@_documented
def counted_b(probe_counted: int) -> Outcome:
    return passed(f"saw call {probe_counted}", calls=probe_counted)


@check("probe.counted-c", title="Counted fact, reader c", severity="info", needs=["probe_counted"])
@_documented
def counted_c(probe_counted: int) -> Outcome:
    return passed(f"saw call {probe_counted}", calls=probe_counted)


@check("probe.denied-a", title="Needs the denied fact", severity="error", needs=["probe_denied"])
@_documented
def denied_a(probe_denied: str) -> Outcome:
    return passed("unreachable")


@check(
    "probe.denied-b",
    title="Needs a fact built on the denied fact",
    severity="error",
    needs=["probe_after_denied"],
)
@_documented
def denied_b(probe_after_denied: str) -> Outcome:
    return passed("unreachable")


@check(
    "probe.concurrent",
    title="Two facts that must run at once",
    severity="error",
    needs=["probe_left", "probe_right"],
)
@_documented
def concurrent(probe_left: str, probe_right: str) -> Outcome:
    return passed(f"{probe_left} and {probe_right} met")


@check(
    "probe.remote", title="Needs a plugin network fact", severity="error", needs=["probe_remote"]
)
@_documented
def remote(probe_remote: str) -> Outcome:
    return passed(f"boto3 {probe_remote}")


@check("probe.pool", title="Needs a built-in AWS fact", severity="error", needs=["user_pool"])
@_documented
def pool(user_pool: dict[str, Any]) -> Outcome:
    return passed(f"pool {user_pool.get('Id')}")
