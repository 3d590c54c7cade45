"""Option types that refuse bad values while the command line is parsed (exit 2, naming the
option): a region AWS has, and a number of seconds that is finite and positive."""

from __future__ import annotations

import math
import re
from typing import Any

import click

from cognito_doctor.cli.common import did_you_mean
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
