"""`cognito-doctor permissions`: the least-privilege read-only IAM policy the operator's
identity needs to run every check."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cognito_doctor.cli.common import load_checks
from cognito_doctor.engine.registry import Registry


@click.command()
@click.option(
    "--checks-dir", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
def permissions(checks_dir: tuple[Path, ...]) -> None:
    """Print the read-only IAM policy the operator (the identity running cognito-doctor)
    needs for every check: attach it to the user or role you run it as."""
    from cognito_doctor.facts.permissions import least_privilege_policy

    registry = load_checks(checks_dir)
    click.echo(json.dumps(least_privilege_policy(needed_facts(registry)), indent=2))


def needed_facts(registry: Registry) -> set[str]:
    """Every fact a check of `registry` needs, and the facts those need."""
    return registry.facts_behind(name for spec in registry.checks.values() for name in spec.needs)
