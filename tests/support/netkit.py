"""Helpers for the tests that watch or break the network between cognito-doctor and moto:
a moto server behind tests.support.net's middleware (sharing the session sandbox's
moto backends, so setups made there are served here too), the command line run as a real
subprocess, and which checks a broken fact should take down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cognito_doctor.demo.sandbox import SANDBOX_OPERATOR_ENV, running_sandbox
from cognito_doctor.engine.model import Rules
from cognito_doctor.engine.registry import Registry
from tests.support.net import NetworkMiddleware

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Net:
    """A moto server behind a middleware: its URL and the middleware (faults, requests)."""

    endpoint_url: str
    middleware: NetworkMiddleware


@contextmanager
def middleware_sandbox(latency: float = 0.0) -> Iterator[Net]:
    middleware = NetworkMiddleware(latency)
    with running_sandbox(middleware) as server:
        yield Net(server.endpoint_url, middleware)


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a cognito-doctor subprocess: the sandbox's throwaway operator keys,
    no AWS profile, config file or instance metadata, no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(SANDBOX_OPERATOR_ENV)
    env.update(
        {
            "AWS_CONFIG_FILE": str(home / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_COLOR": "1",
        }
    )
    env.update(extra)
    return env


@dataclass(frozen=True)
class CliRun:
    """One finished `python -m cognito_doctor …`."""

    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    seconds: float

    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data

    def statuses(self) -> dict[str, str]:
        return {r["id"]: r["status"] for r in self.report()["results"]}

    def result(self, check_id: str) -> dict[str, Any]:
        for result in self.report()["results"]:
            if result["id"] == check_id:
                return dict(result)
        raise AssertionError(f"{check_id} not in the report")


def run_cli(args: Sequence[str], env: dict[str, str], *, limit: float = 120) -> CliRun:
    """Run the command line as a subprocess (a fresh interpreter, its real stdout/stderr)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "cognito_doctor", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=limit,
        check=False,
    )
    return CliRun(
        tuple(args),
        completed.returncode,
        completed.stdout,
        completed.stderr,
        time.perf_counter() - started,
    )


def checks_needing(
    registry: Registry, facts: Iterable[str], environment: Rules = Rules.DEV
) -> set[str]:
    """The checks that run in `environment` and need (through any chain) one of `facts`."""
    wanted = set(facts)
    return {
        spec.id
        for spec in registry.checks.values()
        if environment in spec.environments and registry.facts_behind(spec.needs) & wanted
    }
