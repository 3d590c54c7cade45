"""`cognito-doctor fix`: the plan that makes every proposed change, one command per resource;
with `--apply`, the only command that writes (after showing the plan and a confirmation)."""

from __future__ import annotations

import sys
from typing import Any

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
from cognito_doctor.cli.options import TargetOptions, target_options

_EPILOG = """\b
Exit codes: 0 nothing to change (with --apply: every change applied and the re-check passes
them); 1 the plan has changes (with --apply: something was not applied or still fails);
2 usage or configuration error, or --apply refused to run without confirmation."""


def interactive() -> bool:
    """Whether a person at a terminal can confirm (both ends are a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.command(epilog=_EPILOG)
@target_options(
    offline_help="Plan only the .env edits (no AWS).",
    profile_help="AWS profile for the reads (and, with --apply, the writes).",
    timeout_help="Bound the checks the plan is made from: those still waiting then count as "
    "unverified.",
)
@click.option("--env", "environment", metavar="NAME", help="dev (default), prod, or a config's.")
@click.option(
    "--apply",
    "apply_changes",
    is_flag=True,
    help="Make the planned changes (asks first; the only command that writes).",
)
@click.option("--yes", is_flag=True, help="With --apply: confirm without asking (for scripts).")
def fix(environment: str | None, apply_changes: bool, yes: bool, **options: Any) -> None:
    """Print one plan that fixes what the checks found: per resource (the pool, its MFA, the
    app client, the service's IAM policies, each .env file) the settings that change, before
    → after, and one command that makes them all. Writes nothing unless --apply."""
    from cognito_doctor.platform.configfile import run_config_for

    target = TargetOptions.take(options)
    registry = load_checks(target.checks_dir, timeout=target.timeout)
    file_config = load_file_config(target.config_path, target.root.resolve(), registry)
    name = environment_names(file_config, (environment,) if environment else ())[0]
    config = run_config_for(target.run_config(), file_config, name)
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
