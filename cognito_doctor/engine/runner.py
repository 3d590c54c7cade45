"""Selecting checks, producing each fact they need once (independent ones concurrently),
calling every check, and turning whatever goes wrong into that check's result alone."""

from __future__ import annotations

import fnmatch
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from cognito_doctor import __version__
from cognito_doctor.engine.causes import collapse
from cognito_doctor.engine.model import (
    Change,
    CheckResult,
    CheckSpec,
    FactUnavailable,
    Location,
    Outcome,
    Report,
    Severity,
    Status,
    Target,
)
from cognito_doctor.engine.redact import Redactor
from cognito_doctor.engine.registry import Registry
from cognito_doctor.engine.resolve import (
    FactObserver,
    WaitingFor,
    described,
    resolve_facts,
)
from cognito_doctor.engine.selection import RunOptions

# The fact that says what a run looked at (the report's header); a registry without it gets an
# empty target.
TARGET_FACT = "report_target"


def select_checks(registry: Registry, config: RunOptions) -> list[CheckSpec]:
    """The checks `--only` and `--skip` select (globs on ids) and the config file enables, in
    registry order, each with its severity as the config file overrides it."""
    selected = []
    for spec in registry.checks.values():
        override = config.override(spec.id)
        if not override.enabled:
            continue
        if override.severity is not None:
            spec = replace(spec, severity=override.severity)
        if config.only and not any(_matches(spec, pattern) for pattern in config.only):
            continue
        if any(_matches(spec, pattern) for pattern in config.skip):
            continue
        selected.append(spec)
    return selected


def _matches(spec: CheckSpec, pattern: str) -> bool:
    # A bare group name ("pool") selects the whole group, like "pool.*".
    return fnmatch.fnmatchcase(spec.id, pattern) or spec.group == pattern


def plan_checks(
    registry: Registry, config: RunOptions
) -> tuple[list[CheckSpec], dict[str, Outcome], list[CheckSpec]]:
    """The selected checks, the skips decided before any fact (ignored, another environment's,
    needing AWS under --offline) by check id, and the checks left to run."""
    specs = select_checks(registry, config)
    runnable: list[CheckSpec] = []
    early: dict[str, Outcome] = {}
    for spec in specs:
        ignore = config.ignored(spec.id)
        if ignore is not None:
            early[spec.id] = Outcome(Status.SKIP, f"ignored by the config file: {ignore.reason}")
        elif config.rules not in spec.environments:
            names = ", ".join(e.value for e in spec.environments)
            early[spec.id] = Outcome(Status.SKIP, f"applies only with --env {names}")
        elif config.offline and registry.needs_network(spec):
            early[spec.id] = Outcome(Status.SKIP, "needs AWS; not run with --offline")
        else:
            runnable.append(spec)
    return specs, early, runnable


def run_checks(
    config: RunOptions,
    registry: Registry,
    *,
    context: object = None,
    observer: FactObserver | None = None,
    waiting_for: WaitingFor | None = None,
) -> Report:
    """Run the selected checks against `config` and return the finished report.

    `context` is handed to every fact provider that takes a `ctx` parameter (the facts layer's
    view of the run: its settings and AWS access); checks get facts only. `observer` is told
    of every network fact as it starts and finishes. `waiting_for(fact)` names what a fact's
    thread is still waiting for (AWS calls), for the message of one that times out.
    """
    started = time.perf_counter()
    specs, early, runnable = plan_checks(registry, config)

    deadline = started + config.timeout
    ready_at: dict[str, float] = {}
    wanted = {name for spec in runnable for name in spec.needs}
    if TARGET_FACT in registry.facts:
        wanted.add(TARGET_FACT)
    facts = resolve_facts(
        context,
        registry,
        wanted,
        deadline,
        ready_at,
        config.timeout,
        observer=observer,
        waiting_for=waiting_for,
    )
    redactor = Redactor(_secrets_in(facts.values()))
    results = []
    for spec in specs:
        # A check's duration is the wall time to its answer: waiting for its facts, then itself.
        facts_ready = max((ready_at.get(name, started) for name in spec.needs), default=started)
        check_started = time.perf_counter()
        outcome = early.get(spec.id) or _bounded_check(spec, facts, deadline, config.timeout)
        outcome = _with_severity(outcome, config.override(spec.id).severity)
        elapsed_ms = (facts_ready - started + time.perf_counter() - check_started) * 1000
        results.append(CheckResult(spec, redactor.outcome(outcome), round(elapsed_ms, 3)))
    causes = {
        value.cause.key: value.cause
        for value in facts.values()
        if isinstance(value, FactUnavailable) and value.cause is not None
    }
    results, roots = collapse(results, causes)
    roots = tuple(
        replace(
            root,
            cause=replace(
                root.cause,
                summary=redactor.text(root.cause.summary),
                fix=redactor.text(root.cause.fix),
            ),
        )
        for root in roots
    )
    target = facts.get(TARGET_FACT)
    if not isinstance(target, Target):
        target = Target("", region=None, user_pool_id=None, app_client_id=None, endpoint_url=None)
    return Report(
        __version__,
        config.rules,
        target,
        tuple(results),
        environment_name=config.name,
        anchor=target.anchor,
        root_causes=roots,
    )


def _with_severity(outcome: Outcome, override: Severity | None) -> Outcome:
    """A config file's severity override decides whether a problem fails (error) or only
    warns (warning, info)."""
    if override is None or outcome.status not in (Status.FAIL, Status.WARN):
        return outcome
    return replace(outcome, status=Status.FAIL if override is Severity.ERROR else Status.WARN)


def _bounded_check(
    spec: CheckSpec,
    facts: Mapping[str, Any | FactUnavailable],
    deadline: float,
    timeout_s: float,
) -> Outcome:
    """The check's outcome, computed on a worker thread and waited for until `deadline`: a
    plugin check that hangs is that check's error, and the report still comes out."""
    answer: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
    worker = threading.Thread(
        target=lambda: answer.put(_call_check(spec, facts)),
        name=f"check-{spec.id}",
        daemon=True,
    )
    worker.start()
    try:
        return answer.get(timeout=max(0.05, deadline - time.perf_counter()))
    except queue.Empty:
        return Outcome(
            Status.ERROR,
            f"timed out: check {spec.id} gave no answer within --timeout {timeout_s:g} s",
            f"Check {spec.origin}: the check itself did not return.",
        )


def _call_check(spec: CheckSpec, facts: Mapping[str, Any | FactUnavailable]) -> Outcome:
    for name in spec.needs:
        value = facts[name]
        if isinstance(value, FactUnavailable):
            cause = value.cause.key if value.cause is not None else None
            return Outcome(value.status, value.reason, value.fix, cause=cause)
    kwargs = {name: facts[name] for name in spec.needs}
    try:
        outcome = spec.function(**kwargs)
    except BaseException as exc:  # one broken check (even sys.exit) never stops the others
        return Outcome(
            Status.ERROR,
            f"check {spec.id} crashed: {described(exc)}",
            f"This is a bug in {spec.origin}; please report it with this message.",
        )
    problem = malformed(outcome)
    if problem is not None:
        return Outcome(
            Status.ERROR,
            f"check {spec.id} returned {problem}",
            f"This is a bug in {spec.origin}.",
        )
    if outcome.status in (Status.FAIL, Status.WARN) and not outcome.fix:
        return replace(outcome, fix=spec.doc_section("How to fix"))
    return outcome


def malformed(outcome: object) -> str | None:
    """What is wrong with a check's return value, None when it is a well-formed Outcome."""
    if not isinstance(outcome, Outcome):
        return f"{type(outcome).__name__}, not an Outcome"
    where = "a malformed Outcome:"
    expected: tuple[tuple[str, type | tuple[type, ...]], ...] = (
        ("status", Status),
        ("message", str),
        ("fix", str),
        ("fix_command", (str, type(None))),
        ("evidence", Mapping),
        ("location", (Location, type(None))),
        ("change", (Change, type(None))),
        ("cause", (str, type(None))),
        ("root", (str, type(None))),
    )
    for name, kind in expected:
        value = getattr(outcome, name)
        if not isinstance(value, kind):
            return f"{where} its {name} is {type(value).__name__} {str(value)[:40]!r}"
    return None


def _secrets_in(values: Iterable[Any]) -> Iterator[str]:
    """Every secret a fact value knows of (values with a `secret_values()` method)."""
    for value in values:
        if hasattr(value, "secret_values"):
            yield from value.secret_values()
