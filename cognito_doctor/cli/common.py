"""What every command shares: exit codes, usage errors, and loading the checks, the config file
and the environments a command line names."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from cognito_doctor.engine.registry import Registry, RegistryError, load_registry

if TYPE_CHECKING:
    from cognito_doctor.platform.configfile import FileConfig

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def fail_usage(message: str) -> NoReturn:
    """Say what is wrong with the command line or its input, and exit 2."""
    click.echo(f"cognito-doctor: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def load_checks(checks_dirs: Iterable[Path] = (), *, plugins: bool = True) -> Registry:
    """The registry, or exit 2 naming the broken check or plugin."""
    try:
        return load_registry(checks_dirs, plugins=plugins)
    except RegistryError as exc:
        fail_usage(str(exc))


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
