"""Where rendered reports go: standard output (in the terminal's character set) or a file."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from cognito_doctor.engine.model import Report
from cognito_doctor.engine.redact import scrub
from cognito_doctor.output import ColorMode, OutputFormat, render
from cognito_doctor.output.terminal import render_options, to_ascii
from cognito_doctor.platform.files import write_text


class SinkError(Exception):
    """A report could not be written where it was asked to go."""


def write_report(
    reports: Sequence[Report],
    output_format: OutputFormat,
    output: Path | None,
    verbose: bool,
    *,
    quiet: bool = False,
    color: ColorMode = ColorMode.AUTO,
) -> None:
    """Render the reports to `output`, or to standard output; SinkError if the file can't be
    written."""
    stream = None if output else sys.stdout
    options = render_options(stream, verbose, quiet=quiet, color=color)
    text = render(reports, output_format, options)
    if output is None:
        # color=: click would strip the colour from a pipe that FORCE_COLOR or --color
        # always asked for.
        click.echo(text if options.unicode else to_ascii(text), nl=False, color=options.color)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        # A path that isn't UTF-8 (a --root named in another encoding) reaches the text as
        # lone surrogates: written as `\udcff`, which JSON reads back as the same character
        # and every other format shows as text, instead of refusing to write the report.
        write_text(output, scrub(text))
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        shown = str(output).encode("utf-8", "backslashreplace").decode("utf-8")
        raise SinkError(f"cannot write {shown}: {getattr(exc, 'strerror', None) or exc}") from exc
