"""The catalogue commands: list-checks, list-facts, explain and schema (what the doctor knows,
without running anything)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cognito_doctor.cli.common import (
    did_you_mean,
    fail_usage,
    load_checks,
)
from cognito_doctor.engine.model import DOC_HEADINGS
from cognito_doctor.output import OutputFormat

F = TypeVar("F", bound=Callable[..., Any])


def _catalogue_options(function: F) -> F:
    """The options of list-checks and list-facts: --format table|json and --checks-dir."""
    function = click.option(
        "--checks-dir",
        multiple=True,
        type=click.Path(exists=True, file_okay=False, path_type=Path),
    )(function)
    return click.option(
        "--format",
        "output_format",
        type=click.Choice([OutputFormat.TABLE.value, OutputFormat.JSON.value]),
        default=OutputFormat.TABLE.value,
        show_default=True,
    )(function)


@click.command("list-checks")
@_catalogue_options
def list_checks(output_format: str, checks_dir: tuple[Path, ...]) -> None:
    """List every check: id, severity, where it applies, and what it checks."""
    registry = load_checks(checks_dir)
    if OutputFormat(output_format) is OutputFormat.JSON:
        entries = [
            {
                "id": spec.id,
                "title": spec.title,
                "group": spec.group,
                "severity": spec.severity.value,
                "environments": [e.value for e in spec.environments],
                "needs": list(spec.needs),
                "offline": not registry.needs_network(spec),
                "origin": spec.origin,
                "doc": {heading: spec.doc_section(heading) for heading in DOC_HEADINGS},
            }
            for spec in registry.checks.values()
        ]
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    from tabulate import tabulate

    rows = [
        [
            spec.id,
            spec.severity.value,
            "/".join(e.value for e in spec.environments),
            "offline" if not registry.needs_network(spec) else "aws",
            spec.title,
        ]
        for spec in registry.checks.values()
    ]
    click.echo(
        tabulate(rows, headers=["id", "severity", "env", "needs", "title"], tablefmt="simple")
    )


@click.command("list-facts")
@_catalogue_options
def list_facts(output_format: str, checks_dir: tuple[Path, ...]) -> None:
    """List every fact a check can name as a parameter: what it holds, what it needs, and
    whether it reaches AWS (the catalogue for plugin authors)."""
    registry = load_checks(checks_dir)
    entries: list[dict[str, Any]] = [
        {
            "name": spec.name,
            "needs": list(spec.needs),
            "network": registry.fact_needs_network(spec.name),
            "origin": spec.origin,
            "doc": " ".join((spec.function.__doc__ or "").strip().split("\n\n")[0].split()),
        }
        for spec in sorted(registry.facts.values(), key=lambda f: f.name)
    ]
    if OutputFormat(output_format) is OutputFormat.JSON:
        click.echo(json.dumps(entries, indent=2, ensure_ascii=False))
        return
    from tabulate import tabulate

    rows = [
        [e["name"], "aws" if e["network"] else "offline", ", ".join(e["needs"]) or "-", e["doc"]]
        for e in entries
    ]
    click.echo(tabulate(rows, headers=["fact", "reaches", "needs", "holds"], tablefmt="simple"))


@click.command()
@click.argument("check_id")
@click.option(
    "--checks-dir", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
def explain(check_id: str, checks_dir: tuple[Path, ...]) -> None:
    """Print a check's whole doc: what it checks, why it matters, how to fix it."""
    registry = load_checks(checks_dir)
    spec = registry.checks.get(check_id)
    if spec is None:
        hint = did_you_mean(check_id, registry.checks) or " See `cognito-doctor list-checks`."
        fail_usage(f"no check {check_id!r}.{hint}")
    environments = ", ".join(e.value for e in spec.environments)
    click.echo(f"{spec.id}: {spec.title}")
    click.echo(
        f"severity {spec.severity.value} · environments {environments} · "
        f"{'offline' if not registry.needs_network(spec) else 'needs AWS'} · {spec.origin}"
    )
    click.echo()
    click.echo(spec.doc)


@click.command()
@click.option("--triage", "of_triage", is_flag=True, help="The schema of `triage --format json`.")
def schema(of_triage: bool) -> None:
    """Print the JSON Schema of the JSON report (or, with --triage, of triage's JSON)."""
    if of_triage:
        from cognito_doctor.oncall.triage_report import triage_schema

        click.echo(json.dumps(triage_schema(), indent=2, ensure_ascii=False))
        return
    from cognito_doctor.output.json import report_schema

    click.echo(json.dumps(report_schema(), indent=2))
