"""One `fix` run: the checks, the plan from their changes, and, with `--apply`, the writes and
the re-check (the CLI only asks for confirmation and prints)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cognito_doctor.engine import runner
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.engine.registry import Registry
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.remediation.apply import Applied, apply_plan
from cognito_doctor.remediation.build import build_plan
from cognito_doctor.remediation.plan import Plan

if TYPE_CHECKING:
    from cognito_doctor.aws.clients import AwsAccess


@dataclass
class FixRun:
    """A run of `fix`: the report the plan came from, the plan, and AWS access for apply."""

    config: RunConfig
    registry: Registry
    report: Report
    plan: Plan
    aws: AwsAccess | None


def _check(config: RunConfig, registry: Registry, aws: AwsAccess | None) -> Report:
    context = CheckContext(config, _aws=aws)
    return runner.run_checks(config, registry, context=context)


def plan_fixes(config: RunConfig, registry: Registry) -> FixRun:
    """Run the checks and build the plan; writes nothing."""
    aws = None
    if not config.offline:
        from cognito_doctor.aws.clients import AwsAccess

        aws = AwsAccess(config)
    report = _check(config, registry, aws)
    return FixRun(config, registry, report, build_plan(report, config, aws), aws)


@dataclass(frozen=True)
class ApplyRun:
    """What `--apply` did and what the checks say afterwards."""

    applied: Applied
    recheck: Report
    still_failing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Every planned change applied, and every check that asked for one passes now."""
        return self.applied.complete and not self.still_failing


def apply_fixes(run: FixRun) -> ApplyRun:
    """Write the plan, then run the checks again."""
    applied = apply_plan(run.plan, run.aws)
    recheck = _check(run.config, run.registry, run.aws)
    wanted = {check_id for item in run.plan.resources for check_id in item.checks}
    failing = tuple(
        r.spec.id for r in recheck.results if r.spec.id in wanted and r.status is not Status.PASS
    )
    return ApplyRun(applied, recheck, failing)
