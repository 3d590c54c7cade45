"""The exit code's rule: what `--fail-on` counts as a problem."""

from __future__ import annotations

from cognito_doctor.engine.model import (
    CheckResult,
    CheckSpec,
    Outcome,
    Report,
    Rules,
    Severity,
    Status,
    Target,
)


def result(check_id: str, severity: Severity, status: Status) -> CheckResult:
    spec = CheckSpec(check_id, check_id, "g", severity, (), (Rules.DEV,), "", lambda: None)
    return CheckResult(spec, Outcome(status, "m"), 0.0)


def report(*results: CheckResult) -> Report:
    target = Target("", region=None, user_pool_id=None, app_client_id=None, endpoint_url=None)
    return Report("0", Rules.DEV, target, results)


def test_a_warning_of_an_info_check_never_fails_the_gate() -> None:
    info = result("g.info", Severity.INFO, Status.WARN)
    warning = result("g.warning", Severity.WARNING, Status.WARN)
    gate = report(info, warning)
    assert gate.problems(Severity.WARNING) == [warning]
    assert gate.problems(Severity.ERROR) == []
    assert gate.ok


def test_fails_and_errors_always_count() -> None:
    failed = result("g.failed", Severity.INFO, Status.FAIL)
    errored = result("g.errored", Severity.WARNING, Status.ERROR)
    gate = report(failed, errored, result("g.passed", Severity.ERROR, Status.PASS))
    assert gate.problems(Severity.ERROR) == [failed, errored]
    assert not gate.ok
