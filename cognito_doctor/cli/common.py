"""What every command shares: exit codes, usage errors, and loading the checks, the config file
and the environments a command line names."""

from __future__ import annotations

import contextlib
import difflib
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from cognito_doctor.engine.model import Report, Severity, Verdict
from cognito_doctor.engine.registry import Registry, RegistryError, load_registry
from cognito_doctor.output import ColorMode, OutputFormat

if TYPE_CHECKING:
    from cognito_doctor.output.progress import Progress
    from cognito_doctor.platform.configfile import FileConfig
    from cognito_doctor.platform.settings import RunConfig

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_UNVERIFIED = 3

_EXIT_CODES = {
    Verdict.OK: EXIT_OK,
    Verdict.PROBLEMS: EXIT_PROBLEMS,
    Verdict.UNVERIFIED: EXIT_UNVERIFIED,
}


def exit_code(reports: Sequence[Report], fail_on: Severity) -> int:
    """1 when any environment has a problem, else 3 when any has checks that couldn't be
    verified, else 0."""
    codes = {_EXIT_CODES[report.verdict(fail_on)] for report in reports}
    for code in (EXIT_PROBLEMS, EXIT_UNVERIFIED):
        if code in codes:
            return code
    return EXIT_OK


class _ErrorFormat:
    """Whether usage errors are written as JSON (the command line asked for --format json)."""

    json = False


def json_requested(argv: Sequence[str]) -> bool:
    """Whether `argv` asks for --format json (as `--format json` or `--format=json`)."""
    for index, arg in enumerate(argv):
        if arg == "--format=json" or (
            arg == "--format" and index + 1 < len(argv) and argv[index + 1] == "json"
        ):
            return True
    return False


def use_json_errors(on: bool) -> None:
    """Write usage errors as JSON on standard output from now on (besides the line on stderr)."""
    _ErrorFormat.json = on


def json_errors() -> bool:
    """Whether usage errors are written as JSON too."""
    return _ErrorFormat.json


def fail_usage(message: str) -> NoReturn:
    """Say what is wrong with the command line or its input, and exit 2: a line on standard
    error, and with --format json the same as JSON on standard output."""
    click.echo(f"cognito-doctor: error: {message}", err=True)
    if _ErrorFormat.json:
        error = {"error": {"kind": "usage", "message": message}, "exit_code": EXIT_USAGE}
        click.echo(json.dumps(error, indent=2, ensure_ascii=False))
    sys.exit(EXIT_USAGE)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """ " Did you mean a, b?" for the closest candidates to `word`, else ""."""
    close = difflib.get_close_matches(word, list(candidates), n=3, cutoff=0.6)
    return f" Did you mean {', '.join(close)}?" if close else ""


def check_patterns(registry: Registry, option: str, patterns: Iterable[str]) -> None:
    """Exit 2 on an --only or --skip pattern that matches no check id and no group, naming the
    closest ids."""
    import fnmatch

    ids = list(registry.checks)
    groups = {spec.group for spec in registry.checks.values()}
    for pattern in patterns:
        if pattern in groups or fnmatch.filter(ids, pattern):
            continue
        hint = did_you_mean(pattern, [*ids, *sorted(groups)]) or (
            " See `cognito-doctor list-checks`."
        )
        fail_usage(f"{option} {pattern}: no check matches.{hint}")


def check_profile(profile: str | None) -> None:
    """Exit 2, before any request, on a --profile the AWS configuration does not have."""
    if not profile:
        return
    from cognito_doctor.aws.clients import profile_names

    known = profile_names()
    if profile not in known:
        hint = did_you_mean(profile, known)
        listed = f" The profiles are: {', '.join(known)}." if known and not hint else ""
        fail_usage(
            f"--profile {profile}: no such AWS profile in the AWS config or credentials "
            f"file.{hint}{listed} (`aws configure list-profiles` lists them.)"
        )


def load_checks(
    checks_dirs: Iterable[Path] = (), *, plugins: bool = True, timeout: float | None = None
) -> Registry:
    """The registry, or exit 2 naming the broken check or plugin. With `timeout`, a plugin
    whose import doesn't finish in time (or that calls sys.exit) is that error too."""
    import threading

    dirs = tuple(checks_dirs)
    loaded: list[Registry | BaseException] = []

    def load() -> None:
        try:
            # A plugin printing at import must not corrupt a machine format on stdout.
            with contextlib.redirect_stdout(sys.stderr):
                loaded.append(load_registry(dirs, plugins=plugins))
        except BaseException as exc:  # a plugin's sys.exit() at import is its error
            loaded.append(exc)

    if timeout is None:
        load()
    else:
        worker = threading.Thread(target=load, name="load-checks", daemon=True)
        worker.start()
        worker.join(timeout)
    if not loaded:
        fail_usage(f"loading the checks and plugins did not finish within --timeout {timeout:g} s")
    result = loaded[0]
    if isinstance(result, Registry):
        return result
    if isinstance(result, RegistryError):
        fail_usage(str(result))
    if isinstance(result, SystemExit):
        fail_usage(f"a plugin called sys.exit({result.code!r}) while it was loaded")
    # Anything else a plugin raises while it is imported (KeyboardInterrupt, its own
    # BaseException) is that plugin's error, not the run's end: exit 2 with what it raised.
    fail_usage(f"loading the checks failed: {type(result).__name__}: {result}")


def load_file_config(config_path: Path | None, root: Path, registry: Registry) -> FileConfig:
    """--config, else the config file found in root, else the runbook's defaults; exit 2 on a
    mistake in it."""
    from cognito_doctor.platform.configfile import ConfigError, find_config, load_config

    try:
        return load_config(config_path or find_config(root), registry.checks)
    except ConfigError as exc:
        fail_usage(str(exc))


def environment_names(
    file_config: FileConfig, requested: Iterable[str], all_envs: bool = False
) -> list[str]:
    """The environments to check: every one, those requested, or the default; exit 2 on a
    name the config file does not have."""
    known = list(file_config.environments)
    if all_envs:
        return known
    names = list(dict.fromkeys(requested)) or [file_config.default_environment]
    unknown = [name for name in names if name not in known]
    if unknown:
        where = f"in {file_config.source}" if file_config.source else "without a config file"
        fail_usage(
            f"unknown environment {', '.join(map(repr, unknown))}: {where} the environments "
            f"are {', '.join(known)}"
        )
    return names


def nothing_to_run(registry: Registry, configs: Sequence[RunConfig]) -> None:
    """Exit 2 when the selection leaves no check to run in any environment, saying why."""
    from cognito_doctor.engine.runner import plan_checks

    reasons: dict[str, int] = {}
    for config in configs:
        specs, early, runnable = plan_checks(registry, config)
        if runnable:
            return
        for outcome in early.values():
            reasons[outcome.message] = reasons.get(outcome.message, 0) + 1
        if not specs:
            reasons["disabled in the config file"] = 1
    options = " ".join(a for c in configs[:1] for a in _selection_args(c))
    why = "; ".join(f"{count} {reason}" for reason, count in reasons.items())
    fail_usage(f"{options or 'this selection'} leaves no check to run ({why})")


def _selection_args(config: RunConfig) -> list[str]:
    args = [f"--only {pattern}" for pattern in config.only]
    args += [f"--skip {pattern}" for pattern in config.skip]
    return args + (["--offline"] if config.offline else [])


def output_targets(
    formats: tuple[str, ...], outputs: tuple[str, ...]
) -> list[tuple[OutputFormat, Path | None]]:
    """Pair each --format with its --output (FORMAT=FILE, or one FILE for one format)."""
    chosen = [OutputFormat(f) for f in dict.fromkeys(formats)] or [OutputFormat.TABLE]
    files: dict[OutputFormat, Path] = {}
    for value in outputs:
        name, sep, path = value.partition("=")
        if sep and name in OutputFormat.__members__.values():
            files[OutputFormat(name)] = Path(path)
            if OutputFormat(name) not in chosen:
                chosen.append(OutputFormat(name))
        elif len(chosen) == 1 and not files:
            files[chosen[0]] = Path(value)
        else:
            fail_usage(
                f"--output {value}: with several formats, say which one it is for "
                "(e.g. --output sarif=report.sarif)"
            )
    return [(f, files.get(f)) for f in chosen]


def write_report(
    reports: Sequence[Report],
    output_format: OutputFormat,
    output: Path | None,
    verbose: bool,
    quiet: bool = False,
    color: ColorMode = ColorMode.AUTO,
) -> str | None:
    """Render the reports to `output`, or to standard output; what went wrong when the file
    can't be written (None when it was)."""
    from cognito_doctor.output.sinks import SinkError
    from cognito_doctor.output.sinks import write_report as write

    try:
        write(reports, output_format, output, verbose, quiet=quiet, color=color)
    except SinkError as exc:
        return str(exc)
    return None


def start_progress(targets: Sequence[tuple[OutputFormat, Path | None]]) -> Progress | None:
    """A progress line on standard error when it is a terminal and the only report on standard
    output (if any) is the table; None otherwise."""
    from cognito_doctor.output.progress import Progress, progress_wanted

    human = all(f is OutputFormat.TABLE or path is not None for f, path in targets)
    return Progress(sys.stderr) if progress_wanted(sys.stderr, human) else None
