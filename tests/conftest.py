"""Shared fixtures: one moto server on loopback for the whole session, and ways to run checks."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.demo.sandbox import SANDBOX_OPERATOR_ENV, Sandbox, running_sandbox
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.engine.registry import Registry, load_registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.platform.settings import RunConfig


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """moto's server on 127.0.0.1, reached over real HTTP through --endpoint-url."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with running_sandbox() as started:
        yield started


@pytest.fixture(autouse=True)
def fresh_vault() -> None:
    """Each test starts with the redactor knowing no secret, as a new process does: the vault
    is process-wide, so a secret one in-process test planted (the fuzz test's
    AWS_SECRET_ACCESS_KEY=eu-west-2, say) would otherwise be masked in every later test."""
    from cognito_doctor.engine.redact import VAULT

    VAULT.forget_all()


@pytest.fixture(autouse=True)
def operator_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Throwaway operator credentials; no test can pick up a real profile or reach AWS."""
    for key, value in SANDBOX_OPERATOR_ENV.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(plugins=False)


@pytest.fixture
def run_report(registry: Registry) -> Callable[..., Report]:
    """Run every check (or those `only` selects) over `root` and return the Report."""

    def run(root: Path, endpoint_url: str | None = None, **options: Any) -> Report:
        return run_checks(RunConfig(root=root, endpoint_url=endpoint_url, **options), registry)

    return run


def statuses(report: Report) -> dict[str, Status]:
    """Check id → status, for compact assertions."""
    return {result.spec.id: result.status for result in report.results}


def result_of(report: Report, check_id: str) -> Any:
    """The CheckResult of one check id (fails the test if the check did not run)."""
    for result in report.results:
        if result.spec.id == check_id:
            return result
    raise AssertionError(f"{check_id} not in report: {sorted(statuses(report))}")


def report_text(report: Report) -> str:
    """Everything a report shows about its results (messages, fixes, commands, evidence,
    locations), as one string: what a secret or a word must (not) appear in."""
    parts = []
    for result in report.results:
        outcome = result.outcome
        parts += [outcome.message, outcome.fix, outcome.fix_command or ""]
        parts += [json.dumps(dict(outcome.evidence), default=str), str(outcome.location or "")]
    return "\n".join(parts)


LAYERS = ("unit", "integration", "properties", "oracles")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its layer, the folder it lives in (tests/unit, …)."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        layer = next((part for part in LAYERS if part in parts), None)
        if layer is not None:
            item.add_marker(getattr(pytest.mark, layer))
