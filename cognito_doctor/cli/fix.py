"""`cognito-doctor fix`: the plan that makes every proposed change, one command per resource;
with `--apply`, the only command that writes (after showing the plan and a confirmation)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cognito_doctor.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    environment_names,
    fail_usage,
    load_checks,
    load_file_config,
)
from cognito_doctor.platform.settings import RunConfig

_EPILOG = """\b
Exit codes: 0 nothing to change (with --apply: every change applied and the re-check passes
them); 1 the plan has changes (with --apply: something was not applied or still fails);
2 usage or configuration error, or --apply refused to run without confirmation."""


def interactive() -> bool:
    """Whether a person at a terminal can confirm (both ends are a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.command(epilog=_EPILOG)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, readable=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The platform repository (holds services/user-management/.env and services/auth/.env).",
)
@click.option("--env", "environment", metavar="NAME", help="dev (default), prod, or a config's.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Config file (default: cognito-doctor.toml in --root, or its pyproject.toml).",
)
@click.option("--profile", help="AWS profile for the reads (and, with --apply, the writes).")
@click.option("--region", help="Region to look for the pool in (default: COGNITO_REGION).")
@click.option(
    "--endpoint-url",
    envvar="AWS_ENDPOINT_URL",
    help="Send every AWS call here (e.g. a moto server); also read from AWS_ENDPOINT_URL.",
)
@click.option("--offline", is_flag=True, help="Plan only the .env edits (no AWS).")
@click.option(
    "--checks-dir",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also load checks from every .py file in this directory.",
)
@click.option(
    "--apply",
    "apply_changes",
    is_flag=True,
    help="Make the planned changes (asks first; the only command that writes).",
)
@click.option("--yes", is_flag=True, help="With --apply: confirm without asking (for scripts).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True)
@click.option("--connect-timeout", type=click.FloatRange(min=0.01), default=5.0, hidden=True)
@click.option("--read-timeout", type=click.FloatRange(min=0.01), default=10.0, hidden=True)
@click.option("--max-attempts", type=click.IntRange(min=1), default=3, hidden=True)
def fix(
    root: Path,
    environment: str | None,
    config_path: Path | None,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    offline: bool,
    checks_dir: tuple[Path, ...],
    apply_changes: bool,
    yes: bool,
    timeout: float,
    connect_timeout: float,
    read_timeout: float,
    max_attempts: int,
) -> None:
    """Print one plan that fixes what the checks found: per resource (the pool, its MFA, the
    app client, the service's IAM policies, each .env file) the settings that change, before
    → after, and one command that makes them all. Writes nothing unless --apply."""
    from cognito_doctor.platform.configfile import run_config_for

    root = root.resolve()
    registry = load_checks(checks_dir)
    file_config = load_file_config(config_path, root, registry)
    name = environment_names(file_config, (environment,) if environment else ())[0]
    base = RunConfig(
        root=root,
        profile=profile,
        region=region,
        endpoint_url=endpoint_url or None,
        offline=offline,
        timeout=timeout,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_attempts=max_attempts,
    )
    config = run_config_for(base, file_config, name)
    if apply_changes and not yes and not interactive():
        fail_usage(
            "fix --apply needs a confirmation and this is not a terminal: run it on a "
            "terminal, or pass --yes to confirm (e.g. in a script)"
        )
    from cognito_doctor.remediation.render import plan_text
    from cognito_doctor.remediation.run import plan_fixes

    run = plan_fixes(config, registry)
    click.echo(plan_text(run.plan), nl=False)
    if not apply_changes:
        sys.exit(EXIT_PROBLEMS if run.plan.has_changes else EXIT_OK)
    if not run.plan.resources:
        click.echo("Nothing to apply.")
        sys.exit(EXIT_PROBLEMS if run.plan.has_changes else EXIT_OK)
    if not yes and not click.confirm("Apply this plan?", default=False):
        click.echo("Nothing was changed.")
        sys.exit(EXIT_USAGE)
    _apply(run)


def _apply(run: object) -> None:
    from cognito_doctor.output import OutputFormat
    from cognito_doctor.output.sinks import write_report
    from cognito_doctor.remediation.apply import applied_text
    from cognito_doctor.remediation.run import FixRun, apply_fixes

    assert isinstance(run, FixRun)
    result = apply_fixes(run)
    click.echo(applied_text(result.applied, run.plan), nl=False)
    click.echo("\nThe checks again, after the changes:")
    write_report([result.recheck], OutputFormat.TABLE, None, verbose=False)
    if result.still_failing:
        click.echo(f"Still not passing: {', '.join(result.still_failing)}.")
    sys.exit(EXIT_OK if result.ok else EXIT_PROBLEMS)
