"""The online part of a triage: the checks the matched entries name (or, for an error no
entry knows, the full check), run once through the normal runner with the config file's CI
ignores lifted, and the users the lines of each cause name, looked up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.error_facts import ErrorFacts
from cognito_doctor.oncall.knowledge import Entry
from cognito_doctor.platform.settings import RunConfig

MAX_USER_LOOKUPS = 3


@dataclass(frozen=True)
class CheckFinding:
    """A check of the full run (for an error no entry knows) that did not pass."""

    id: str
    status: str
    message: str
    fix: str


@dataclass
class ChecksRun:
    """What the online part of a triage found: check results, users, notes."""

    results: dict[str, Any] | None = None
    users: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    full_check: tuple[CheckFinding, ...] | None = None
    target: dict[str, str | None] | None = None


def _run_checks(config: RunConfig, registry: Registry, ids: Sequence[str], run: ChecksRun) -> Any:
    """Run `ids` (every check when empty) with the config file's CI ignores lifted."""
    from cognito_doctor.facts.context import run_checks

    wanted = tuple(ids) or tuple(registry.checks)
    for check_id in wanted:
        ignore = config.ignored(check_id)
        if ignore is not None:
            run.notes.append(
                f"the config file ignores {check_id} for the CI gate ({ignore.reason}); "
                "triage ran it anyway"
            )
    report = run_checks(replace(config, only=tuple(ids), skip=(), ignores=()), registry)
    run.results = {r.spec.id: r for r in report.results}
    run.target = {
        "user_pool_id": report.target.user_pool_id,
        "region": report.target.region,
        "app_client_id": report.target.app_client_id,
    }
    return report


def _full_check(report: Any) -> tuple[CheckFinding, ...]:
    bad = ("fail", "warn", "error")
    return tuple(
        CheckFinding(r.spec.id, r.status.value, r.outcome.message, r.outcome.fix)
        for r in report.results
        if r.status.value in bad
    )


def run_online(
    entries: Sequence[Entry],
    emails_by_entry: dict[str, list[str]],
    facts: ErrorFacts,
    config: RunConfig,
    registry: Registry,
    now: datetime | None,
) -> ChecksRun:
    """The checks `entries` name and the users they need looked up (the full check when no
    entry matched but the text names facts)."""
    run = ChecksRun()
    if not entries:
        if not facts.empty:
            run.full_check = _full_check(_run_checks(config, registry, (), run))
        return run
    wanted = _unique(ref.id for entry in entries for ref in entry.checks)
    known = tuple(i for i in wanted if i in registry.checks)
    if known:
        _run_checks(config, registry, known, run)
    to_look_up = _unique(
        e for entry in entries if entry.needs_user for e in emails_by_entry.get(entry.id, [])
    )
    if to_look_up:
        run.users = _lookup_users(config, registry, to_look_up[:MAX_USER_LOOKUPS], now)
    return run


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _lookup_users(
    config: RunConfig, registry: Registry, emails: Sequence[str], now: datetime | None
) -> dict[str, Any]:
    from cognito_doctor.oncall.users import UserInputError, lookup_user

    reports: dict[str, Any] = {}
    for email in emails:
        try:
            reports[email] = lookup_user(config, registry, email, now=now)
        except UserInputError as exc:
            reports[email] = str(exc)
    return reports
