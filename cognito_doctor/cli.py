"""The command line. It only parses options into a RunConfig and hands over: no AWS and no
file reading happen here, and nothing here imports boto3."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import IO, NoReturn

import click

from cognito_doctor import __version__
from cognito_doctor.config import RunConfig
from cognito_doctor.model import DOC_HEADINGS, Environment, Report
from cognito_doctor.registry import Registry, RegistryError, load_registry
from cognito_doctor.report import OutputFormat, RenderOptions, render

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2

_EPILOG = """\b
Exit codes: 0 no failure or error; 1 at least one check failed or errored;
2 usage or configuration error."""


def _fail_usage(message: str) -> NoReturn:
    click.echo(f"cognito-doctor: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _load(checks_dirs: tuple[Path, ...] = ()) -> Registry:
    try:
        return load_registry(checks_dirs)
    except RegistryError as exc:
        _fail_usage(str(exc))


def render_options(stream: IO[str] | None, verbose: bool) -> RenderOptions:
    """Colour only on a terminal without NO_COLOR; plain ASCII if the stream can't show ✓ ✗."""
    is_tty = stream is not None and stream.isatty()
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "✓✗–—·".encode(encoding)
        unicode = True
    except (UnicodeEncodeError, LookupError):
        unicode = False
    width = shutil.get_terminal_size((100, 24)).columns if is_tty else 100
    return RenderOptions(
        verbose=verbose,
        color=is_tty and not os.environ.get("NO_COLOR"),
        unicode=unicode,
        width=max(60, width),
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EPILOG)
@click.version_option(__version__, prog_name="cognito-doctor")
def main() -> None:
    """Check that a Cognito user pool and the services using it are wired up right.

    Run `cognito-doctor check` in the platform repository's root. Every failure comes with
    the exact change that fixes it. `cognito-doctor demo` shows it working without AWS.
    """


@main.command(epilog=_EPILOG)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, readable=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The platform repository (holds services/user-management/.env and services/auth/.env).",
)
@click.option(
    "--env",
    "environment",
    type=click.Choice([e.value for e in Environment]),
    default=Environment.DEV.value,
    show_default=True,
    help="Which rules apply: prod is stricter (no static keys, SES, strong passwords).",
)
@click.option("--profile", help="AWS profile for the operator's describe calls.")
@click.option("--region", help="Region to look for the pool in (default: COGNITO_REGION).")
@click.option(
    "--endpoint-url",
    envvar="AWS_ENDPOINT_URL",
    help="Send every AWS call here (e.g. a moto server); also read from AWS_ENDPOINT_URL.",
)
@click.option("--offline", is_flag=True, help="Run only the checks that need no network (CI).")
@click.option(
    "--only", multiple=True, metavar="GLOB", help="Run only checks matching (e.g. 'pool.*')."
)
@click.option("--skip", multiple=True, metavar="GLOB", help="Leave out checks matching GLOB.")
@click.option(
    "--checks-dir",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also load checks from every .py file in this directory.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in OutputFormat]),
    default=OutputFormat.TABLE.value,
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to this file instead of standard output.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the evidence behind every result.")
def check(
    root: Path,
    environment: str,
    profile: str | None,
    region: str | None,
    endpoint_url: str | None,
    offline: bool,
    only: tuple[str, ...],
    skip: tuple[str, ...],
    checks_dir: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    verbose: bool,
) -> None:
    """Run the checks and report every problem with its fix."""
    config = RunConfig(
        root=root.resolve(),
        environment=Environment(environment),
        profile=profile,
        region=region,
        endpoint_url=endpoint_url or None,
        offline=offline,
        only=only,
        skip=skip,
        checks_dirs=checks_dir,
    )
    registry = _load(checks_dir)
    from cognito_doctor.runner import run_checks, select_checks

    if not select_checks(registry, config):
        _fail_usage(f"no check matches --only {' '.join(only)} / --skip {' '.join(skip)}")
    report = run_checks(config, registry)
    write_report(report, OutputFormat(output_format), output, verbose)
    sys.exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


def write_report(
    report: Report, output_format: OutputFormat, output: Path | None, verbose: bool
) -> None:
    """Render `report` to `output`, or to standard output."""
    stream = None if output else sys.stdout
    text = render(report, output_format, render_options(stream, verbose))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail_usage(f"cannot write {output}: {exc.strerror or exc}")


@main.command("list-checks")
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in OutputFormat]),
    default=OutputFormat.TABLE.value,
    show_default=True,
)
@click.option(
    "--checks-dir", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
def list_checks(output_format: str, checks_dir: tuple[Path, ...]) -> None:
    """List every check: id, severity, where it applies, and what it checks."""
    registry = _load(checks_dir)
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


@main.command()
@click.argument("check_id")
@click.option(
    "--checks-dir", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
def explain(check_id: str, checks_dir: tuple[Path, ...]) -> None:
    """Print a check's whole doc: what it checks, why it matters, how to fix it."""
    registry = _load(checks_dir)
    spec = registry.checks.get(check_id)
    if spec is None:
        close = difflib.get_close_matches(check_id, list(registry.checks), n=3)
        hint = (
            f" Did you mean {', '.join(close)}?" if close else " See `cognito-doctor list-checks`."
        )
        _fail_usage(f"no check {check_id!r}.{hint}")
    environments = ", ".join(e.value for e in spec.environments)
    click.echo(f"{spec.id}: {spec.title}")
    click.echo(
        f"severity {spec.severity.value} · environments {environments} · "
        f"{'offline' if not registry.needs_network(spec) else 'needs AWS'} · {spec.origin}"
    )
    click.echo()
    click.echo(spec.doc)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the JSON report."""
    from cognito_doctor.report.json import report_schema

    click.echo(json.dumps(report_schema(), indent=2))


@main.command()
@click.option("-v", "--verbose", is_flag=True, help="Show the evidence behind every result.")
def demo(verbose: bool) -> None:
    """Run the checks against a healthy and a broken setup in a local moto server (no AWS)."""
    from cognito_doctor.demo import run_demo
    from cognito_doctor.sandbox import DemoExtraMissing

    try:
        run_demo(verbose=verbose)
    except DemoExtraMissing as exc:
        _fail_usage(str(exc))


if __name__ == "__main__":  # pragma: no cover
    main()
