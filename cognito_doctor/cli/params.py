"""Option types that refuse bad values while the command line is parsed (exit 2, naming the
option): a region AWS has, and a number of seconds that is finite and positive."""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from cognito_doctor.cli.common import EXIT_UNVERIFIED, did_you_mean
from cognito_doctor.platform.regions import REGION_PARTITIONS, is_region

# A region launched after this table was written still has the shape of one (us-east-1,
# ap-southeast-7, us-gov-west-1, eu-isoe-west-1).
_REGION_SHAPE = re.compile(r"[a-z]{2}(?:-[a-z]{2,12}){1,3}-[0-9]{1,2}")


class RegionType(click.ParamType[str]):
    """An AWS region name."""

    name = "region"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value).strip()
        if is_region(text) or _REGION_SHAPE.fullmatch(text):
            return text
        shown = text[:40] + ("…" if len(text) > 40 else "")
        hint = did_you_mean(text, REGION_PARTITIONS) or " (e.g. eu-west-1)"
        self.fail(f"{shown!r} is not an AWS region.{hint}", param, ctx)


class SecondsType(click.ParamType[float]):
    """A number of seconds: finite, at least `minimum`."""

    name = "seconds"

    def __init__(self, minimum: float = 0.1, maximum: float = 86_400.0) -> None:
        self.minimum = minimum
        self.maximum = maximum

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            self.fail(f"{str(value)[:40]!r} is not a number of seconds", param, ctx)
        if not math.isfinite(seconds) or not self.minimum <= seconds <= self.maximum:
            self.fail(
                f"{str(value)[:40]} is not between {self.minimum:g} and {self.maximum:g} seconds",
                param,
                ctx,
            )
        return seconds


REGION = RegionType()
SECONDS = SecondsType()


F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def root_option(function: F) -> F:
    return click.option(
        "--root",
        type=click.Path(exists=True, file_okay=False, readable=True, path_type=Path),
        default=Path("."),
        show_default=True,
        help="The platform repository (holds services/user-management/.env and "
        "services/auth/.env).",
    )(function)


def endpoint_option(function: F) -> F:
    return click.option(
        "--endpoint-url",
        envvar="AWS_ENDPOINT_URL",
        help="Send every AWS call here (e.g. a moto server); also read from AWS_ENDPOINT_URL.",
    )(function)


def format_option(function: F) -> F:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
    )(function)


def profile_option(function: F) -> F:
    return click.option("--profile", help="AWS profile for the operator's read-only calls.")(
        function
    )


def region_option(function: F) -> F:
    return click.option(
        "--region", type=REGION, help="Region of the pool (default: COGNITO_REGION)."
    )(function)


def timeout_option(function: F) -> F:
    return click.option(
        "--timeout",
        type=SECONDS,
        default=60.0,
        show_default=True,
        metavar="SECONDS",
        help="Bound the whole command: past it, say what is still unanswered and exit 3.",
    )(function)


def bounded(timeout: float, what: str, work: Callable[[], T]) -> T:
    """`work()` on a worker thread, waited for at most `timeout` seconds: a dripping or
    hanging endpoint can't hold the command. What it raises (a usage error's SystemExit
    too) is raised here."""
    import threading

    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append((True, work()))
        except BaseException as exc:  # re-raised on the main thread, whatever it is
            outcome.append((False, exc))

    worker = threading.Thread(target=run, name=f"oncall-{what}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        click.echo(
            f"cognito-doctor: error: {what} timed out: no answer within --timeout {timeout:g} s; "
            "run again, or with a larger --timeout; check the network and the endpoint",
            err=True,
        )
        sys.exit(EXIT_UNVERIFIED)  # nothing was verified: not "a problem confirmed"
    ok, value = outcome[0]
    if not ok:
        raise value
    result: T = value
    return result
