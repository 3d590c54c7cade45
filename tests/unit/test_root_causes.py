"""Root causes as data: checks that could not verify for one cause are said once (the first
check keeps the words, the others skip "see <it>"), and the run's verdict (its exit code)
tells "couldn't verify" (3) from "problems found" (1)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from cognito_doctor.engine.model import (
    Cause,
    FactUnavailable,
    Severity,
    Status,
    Verdict,
)
from cognito_doctor.engine.registry import Registry
from cognito_doctor.engine.runner import run_checks
from cognito_doctor.platform.settings import RunConfig

DEAD = Cause("cannot-connect", "AWS can't be reached at http://127.0.0.1:9/", "Start it.")


FAILURES: dict[str, FactUnavailable | None] = {}

SOURCE = """
from cognito_doctor.engine.model import passed
from cognito_doctor.engine.registry import check, fact
from tests.unit.test_root_causes import FAILURES

def _provide(name):
    failure = FAILURES[name]
    if failure is not None:
        raise failure
    return "ok"
"""

ONE = """
@fact("{name}", network=True)
def fact_{name}():
    return _provide("{name}")

@check("grp.{name}", title="{name}", severity="error")
def check_{name}({name}):
    \"\"\"
    ## What it checks
    x
    ## Why it matters
    y
    ## How to fix
    z
    \"\"\"
    return passed("fine")
"""


def run(failures: dict[str, FactUnavailable | None]) -> Any:
    """Run a check per fact, each fact failing as `failures` says (None: it answers)."""
    FAILURES.clear()
    FAILURES.update(failures)
    source = SOURCE + "".join(ONE.format(name=name) for name in failures)
    module = ModuleType("root_cause_checks")
    exec(compile(source, "root_cause_checks", "exec"), module.__dict__)
    registry = Registry()
    registry.add_module(module, "test")
    return run_checks(RunConfig(root=Path(".")), registry)


def test_one_cause_met_by_three_facts_is_said_once_on_the_first_check() -> None:
    report = run(
        {
            "a": FactUnavailable(Status.ERROR, "a: cannot connect", "fix a", DEAD),
            "b": FactUnavailable(Status.ERROR, "b: cannot connect", "fix b", DEAD),
            "c": FactUnavailable(Status.ERROR, "c: cannot connect", "fix c", DEAD),
            "d": None,
        }
    )
    outcomes = {r.spec.id: r.outcome for r in report.results}
    assert outcomes["grp.a"].status is Status.ERROR
    assert outcomes["grp.a"].message == "a: cannot connect"
    for other in ("grp.b", "grp.c"):
        assert outcomes[other].status is Status.SKIP
        assert outcomes[other].message == "couldn't verify: see grp.a"
        assert outcomes[other].root == "grp.a"
    assert outcomes["grp.b"].evidence == {"reason": "b: cannot connect"}
    assert outcomes["grp.d"].status is Status.PASS
    [root] = report.root_causes
    assert (root.check_id, root.cause, root.dependents) == ("grp.a", DEAD, ("grp.b", "grp.c"))
    assert report.verdict(Severity.ERROR) is Verdict.UNVERIFIED


def test_different_causes_and_causeless_errors_stay_apart() -> None:
    denied = Cause("access-denied cognito-idp:DescribeUserPool the operator", "denied", "grant")
    report = run(
        {
            "a": FactUnavailable(Status.ERROR, "a", "", DEAD),
            "b": FactUnavailable(Status.ERROR, "b", "", denied),
            "c": FactUnavailable(Status.ERROR, "c"),
            "d": FactUnavailable(Status.ERROR, "d"),
        }
    )
    assert {r.spec.id: r.status for r in report.results} == {
        "grp.a": Status.ERROR,
        "grp.b": Status.ERROR,
        "grp.c": Status.ERROR,
        "grp.d": Status.ERROR,
    }
    assert report.root_causes == ()


def test_a_failure_beside_an_unverified_check_is_problems_found() -> None:
    report = run({"a": FactUnavailable(Status.ERROR, "a", "", DEAD), "b": None})
    assert report.verdict(Severity.ERROR) is Verdict.UNVERIFIED
    failing = run(
        {"a": FactUnavailable(Status.ERROR, "a", "", DEAD), "b": FactUnavailable(Status.FAIL, "b")}
    )
    assert failing.verdict(Severity.ERROR) is Verdict.PROBLEMS
    assert run({"a": None}).verdict(Severity.ERROR) is Verdict.OK
