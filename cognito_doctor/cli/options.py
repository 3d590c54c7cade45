"""The options `check` and `fix` share (where the platform is, how to reach AWS, how long to
wait), declared once, and read into one typed value instead of a dict of locals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import click

from cognito_doctor.cli.params import REGION, SECONDS, root_option
from cognito_doctor.platform.settings import RunConfig

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class TargetOptions:
    """Where the platform repository is and how to reach (and how long to wait for) AWS."""

    root: Path
    config_path: Path | None
    profile: str | None
    region: str | None
    endpoint_url: str | None
    offline: bool
    checks_dir: tuple[Path, ...]
    timeout: float
    connect_timeout: float
    read_timeout: float
    max_attempts: int

    @classmethod
    def take(cls, options: dict[str, Any]) -> TargetOptions:
        """This part of click's `options`, removed from them (the rest is the command's own)."""
        return cls(**{f.name: options.pop(f.name) for f in fields(cls)})

    def run_config(self, **more: Any) -> RunConfig:
        """A RunConfig for these options, with the command's own settings in `more`."""
        return RunConfig(
            root=self.root.resolve(),
            profile=self.profile,
            region=self.region,
            endpoint_url=self.endpoint_url or None,
            offline=self.offline,
            timeout=self.timeout,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_attempts=self.max_attempts,
            **more,
        )


def target_options(*, offline_help: str, profile_help: str, timeout_help: str) -> Callable[[F], F]:
    """The TargetOptions, as click options, on a command (each command words its own help)."""
    declared = (
        root_option,
        click.option(
            "--config",
            "config_path",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Config file (default: cognito-doctor.toml in --root, or [tool.cognito-doctor] "
            "in its pyproject.toml).",
        ),
        click.option("--profile", help=profile_help),
        click.option(
            "--region",
            type=REGION,
            help="Region to look for the pool in (default: COGNITO_REGION).",
        ),
        click.option(
            "--endpoint-url",
            envvar="AWS_ENDPOINT_URL",
            help="Send every AWS call here (e.g. a moto server); also read from AWS_ENDPOINT_URL.",
        ),
        click.option("--offline", is_flag=True, help=offline_help),
        click.option(
            "--checks-dir",
            multiple=True,
            type=click.Path(exists=True, file_okay=False, path_type=Path),
            help="Also load checks from every .py file in this directory.",
        ),
        click.option(
            "--timeout",
            type=SECONDS,
            default=60.0,
            show_default=True,
            metavar="SECONDS",
            help=timeout_help,
        ),
        # The AWS clients' own limits: hidden, for tests that inject network faults (the
        # defaults, 5 s to connect, 10 s to read, 3 attempts, suit a real network).
        click.option(
            "--connect-timeout", type=click.FloatRange(min=0.01), default=5.0, hidden=True
        ),
        click.option("--read-timeout", type=click.FloatRange(min=0.01), default=10.0, hidden=True),
        click.option("--max-attempts", type=click.IntRange(min=1), default=3, hidden=True),
    )

    def decorate(function: F) -> F:
        for option in reversed(declared):  # so that --help lists them in this order
            function = option(function)
        return function

    return decorate
