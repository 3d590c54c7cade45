"""`cognito-doctor demo`: the real check path against a healthy and a broken setup in moto."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from cognito_doctor.demo.sandbox import SANDBOX_OPERATOR_ENV, running_sandbox
from cognito_doctor.engine.registry import load_registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.output import OutputFormat
from cognito_doctor.platform.settings import RunConfig

REAL_POOL_HINT = """\
To check your real setup, run this in the platform repository's root, with AWS credentials
that may describe the pool (a profile, or `aws sso login` first):

    cognito-doctor check                 # dev rules; add --env prod for prod
    cognito-doctor check --offline       # .env files only, no AWS (for CI)
    cognito-doctor explain pool.mfa      # what a check checks, why, and how to fix it
"""


@contextmanager
def _sandbox_operator() -> Iterator[None]:
    """Throwaway operator credentials for the sandbox, restoring the caller's afterwards."""
    saved = {key: os.environ.get(key) for key in (*SANDBOX_OPERATOR_ENV, "AWS_PROFILE")}
    os.environ.update(SANDBOX_OPERATOR_ENV)
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_demo(*, verbose: bool = False) -> None:
    """Build both setups, print both reports, explain how to go on, clean up."""
    from cognito_doctor.output.sinks import write_report

    registry = load_registry()
    with (
        _sandbox_operator(),
        running_sandbox() as sandbox,
        tempfile.TemporaryDirectory(prefix="cognito-doctor-demo-") as tmp,
    ):
        click.echo(f"Started moto's server on {sandbox.endpoint_url} (no AWS account is used).\n")
        setups = [
            (
                "A healthy setup, made as the runbook says",
                sandbox.create_setup(Path(tmp, "healthy")),
            ),
            (
                "A broken setup: self sign-up on, no `name` attribute, a public client without the "
                "admin flow, the provider left on mock, an issuer with a trailing slash, and an "
                "IAM policy that names the wrong region",
                sandbox.create_broken_setup(Path(tmp, "broken")),
            ),
        ]
        for title, setup in setups:
            click.echo(click.style(f"== {title} ==", bold=True))
            config = RunConfig(root=setup.root, endpoint_url=sandbox.endpoint_url)
            report = run_checks(config, registry)
            write_report([report], OutputFormat.TABLE, None, verbose)
            click.echo()
    click.echo(REAL_POOL_HINT, nl=False)
