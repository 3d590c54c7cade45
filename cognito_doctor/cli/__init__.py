"""The command line. It only parses options into a RunConfig and hands over: no AWS and no
file reading happen here, and nothing here imports boto3."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from cognito_doctor import __version__
from cognito_doctor.cli.common import (
    EXIT_USAGE,
    check_patterns,
    check_profile,
    environment_names,
    exit_code,
    fail_usage,
    json_errors,
    json_requested,
    load_checks,
    load_file_config,
    nothing_to_run,
    output_targets,
    start_progress,
    use_json_errors,
    write_report,
)
from cognito_doctor.cli.options import TargetOptions, target_options
from cognito_doctor.engine.model import Report, Severity
from cognito_doctor.engine.registry import Registry
from cognito_doctor.output import ColorMode, OutputFormat
from cognito_doctor.platform.settings import RunConfig

if TYPE_CHECKING:
    from cognito_doctor.output.progress import Progress

F = TypeVar("F", bound=Callable[..., Any])

_EPILOG = """\b
Exit codes: 0 all good; 1 problems found (a check failed); 2 usage or
configuration error; 3 some checks couldn't be verified, and none failed."""


class _Main(click.Group):
    """The command group, writing usage errors as JSON when the command line asks for
    --format json (click's own, such as an unknown option, too)."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        from cognito_doctor.output.guard import redacted_streams

        use_json_errors(json_requested(list(args) if args is not None else sys.argv[1:]))
        # Every byte out passes the redactor: the reports, the errors and click's own messages.
        with redacted_streams():
            try:
                return super().main(args, *rest, **options)
            except Exception as exc:  # a bug of ours: said here, redacted, not as a traceback
                _internal_error(exc)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            # click quotes the offending argument ("No such option: --eyJ…"): a token or a
            # secret passed in the wrong place must not come back out.
            from cognito_doctor.engine.redact import mask_credential_like, scrub

            # (click declares `message` final; it is a plain attribute, set once here.)
            setattr(exc, "message", mask_credential_like(scrub(exc.message)))  # noqa: B010
            if not json_errors():
                raise
            fail_usage(exc.format_message())


def _internal_error(exc: Exception) -> NoReturn:
    """Say that cognito-doctor itself failed, in one line through the redacted streams (a
    traceback printed after them could carry a secret); the traceback with
    COGNITO_DOCTOR_DEBUG=1, redacted too."""
    import os
    import traceback

    if os.environ.get("COGNITO_DOCTOR_DEBUG"):
        traceback.print_exc()
    sys.stderr.write(
        f"cognito-doctor: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in cognito-doctor, not in your setup: please report it (run with "
        "COGNITO_DOCTOR_DEBUG=1 to see where it happened).\n"
    )
    sys.exit(EXIT_USAGE)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EPILOG)
@click.version_option(__version__, prog_name="cognito-doctor")
def main() -> None:
    """Check that a Cognito user pool and the services using it are wired up right.

    Run `cognito-doctor check` in the platform repository's root. Every failure comes with
    the exact change that fixes it. `cognito-doctor demo` shows it working without AWS.
    """
    # (The streams were made safe, and redacted, in _Main.main.)


@main.command(epilog=_EPILOG)
@target_options(
    offline_help="Run only the checks that need no network (CI).",
    profile_help="AWS profile for the operator's describe calls.",
    timeout_help="Bound the whole run: checks still waiting then report `error` (timed out).",
)
@click.option(
    "--env",
    "environments",
    multiple=True,
    metavar="NAME",
    help="Which environment's rules apply: dev (default) or prod, or one a config file names. "
    "Repeat to check several in one run.",
)
@click.option("--all-envs", is_flag=True, help="Check every environment the config file names.")
@click.option(
    "--only", multiple=True, metavar="GLOB", help="Run only checks matching (e.g. 'pool.*')."
)
@click.option("--skip", multiple=True, metavar="GLOB", help="Leave out checks matching GLOB.")
@click.option(
    "--principal-arn",
    metavar="ARN",
    help="The IAM principal the service runs as (prod: its execution role) for the iam checks.",
)
@click.option(
    "--policy-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON IAM policy to check offline (iam.policy-file), e.g. the one your repo keeps.",
)
@click.option(
    "--probe",
    is_flag=True,
    help="Prove the service's permissions for real with its own keys: read-only Admin* calls "
    "for a username that cannot exist. Changes nothing, but the calls appear in CloudTrail.",
)
@click.option(
    "--format",
    "output_formats",
    multiple=True,
    type=click.Choice([f.value for f in OutputFormat]),
    help="table (default), json, junit, sarif, github or markdown. Repeat for several.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="[FORMAT=]FILE",
    help="Write the report to FILE instead of standard output; with several formats, "
    "FORMAT=FILE per format (e.g. --output sarif=report.sarif).",
)
@click.option(
    "--fail-on",
    type=click.Choice([Severity.ERROR.value, Severity.WARNING.value]),
    default=Severity.ERROR.value,
    show_default=True,
    help="error: exit 1 on failures and errors; warning: on warnings too.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the evidence behind every result.")
@click.option("-q", "--quiet", is_flag=True, help="Show only the problems and the summary.")
@click.option(
    "--color",
    type=click.Choice([m.value for m in ColorMode]),
    default=ColorMode.AUTO.value,
    show_default=True,
    help="auto: on a terminal, unless NO_COLOR is set or TERM=dumb (FORCE_COLOR forces it).",
)
def check(**options: Any) -> None:
    """Run the checks and report every problem with its fix."""
    target = TargetOptions.take(options)
    chosen = CheckOptions(**options)
    reports = _run(target, chosen)
    broken = []
    for output_format, output in output_targets(chosen.output_formats, chosen.outputs):
        # A sink that can't be written is reported after the others have been written.
        problem = write_report(
            reports, output_format, output, chosen.verbose, chosen.quiet, ColorMode(chosen.color)
        )
        if problem:
            broken.append(problem)
    if broken:
        fail_usage("; ".join(broken))
    sys.exit(exit_code(reports, Severity(chosen.fail_on)))


@dataclass(frozen=True)
class CheckOptions:
    """`check`'s own options (the shared ones are TargetOptions)."""

    environments: tuple[str, ...]
    all_envs: bool
    only: tuple[str, ...]
    skip: tuple[str, ...]
    principal_arn: str | None
    policy_file: Path | None
    probe: bool
    output_formats: tuple[str, ...]
    outputs: tuple[str, ...]
    fail_on: str
    verbose: bool
    quiet: bool
    color: str


def _run(target: TargetOptions, chosen: CheckOptions) -> list[Report]:
    """Load the checks, read the config file and run every environment's checks."""
    registry = load_checks(target.checks_dir, timeout=target.timeout)
    check_patterns(registry, "--only", chosen.only)
    check_patterns(registry, "--skip", chosen.skip)
    file_config = load_file_config(target.config_path, target.root.resolve(), registry)
    names = environment_names(file_config, chosen.environments, chosen.all_envs)
    targets = output_targets(chosen.output_formats, chosen.outputs)
    base = target.run_config(
        only=chosen.only,
        skip=chosen.skip,
        principal_arn=chosen.principal_arn,
        policy_file=chosen.policy_file.resolve() if chosen.policy_file else None,
        probe=chosen.probe,
    )
    from cognito_doctor.platform.configfile import run_config_for

    configs = [run_config_for(base, file_config, name) for name in names]
    nothing_to_run(registry, configs)
    if not target.offline:
        check_profile(target.profile)
    progress = start_progress(targets)
    # A plugin's print() goes to standard error: standard output carries only the report.
    with contextlib.redirect_stdout(sys.stderr):
        reports = _run_all(configs, registry, progress)
    if progress is not None:
        progress.close()
    return reports


def _run_all(
    configs: list[RunConfig], registry: Registry, progress: Progress | None
) -> list[Report]:
    """Every environment's report (several at once, sharing the operator's clients)."""
    from cognito_doctor.facts.context import run_checks

    if len(configs) == 1:
        reports = [run_checks(configs[0], registry, observer=progress)]
    else:
        from concurrent.futures import ThreadPoolExecutor  # only here: 10 ms at every start

        from cognito_doctor.aws.shared import SharedClients

        clients = SharedClients()  # e.g. one operator client per service for every environment
        with ThreadPoolExecutor(max_workers=len(configs), thread_name_prefix="env") as pool:
            reports = list(
                pool.map(
                    lambda config: run_checks(config, registry, clients=clients, observer=progress),
                    configs,
                )
            )
    return reports


@main.command()
@click.option("-v", "--verbose", is_flag=True, help="Show the evidence behind every result.")
def demo(verbose: bool) -> None:
    """Run the checks against a healthy and a broken setup in a local moto server (no AWS)."""
    from cognito_doctor.demo.run import run_demo
    from cognito_doctor.demo.sandbox import DemoExtraMissing

    try:
        run_demo(verbose=verbose)
    except DemoExtraMissing as exc:
        fail_usage(str(exc))


# The on-call commands live in their own module; attached here so `--help` lists them.
from cognito_doctor.cli.oncall import token, triage, user  # noqa: E402
from cognito_doctor.cli.permissions import permissions  # noqa: E402

main.add_command(permissions)
main.add_command(triage)
main.add_command(token)
main.add_command(user)
from cognito_doctor.cli.catalogue import explain, list_checks, list_facts, schema  # noqa: E402
from cognito_doctor.cli.fix import fix  # noqa: E402

main.add_command(fix)
for catalogue_command in (list_checks, list_facts, explain, schema):
    main.add_command(catalogue_command)

if __name__ == "__main__":  # pragma: no cover
    main()
