"""Report renderers: one module per output format behind one small interface.

Every renderer takes the finished reports of a run (one per environment) and returns text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from cognito_doctor.engine.model import Report


class OutputFormat(StrEnum):
    """The formats `check --format` accepts."""

    TABLE = "table"
    JSON = "json"
    JUNIT = "junit"
    SARIF = "sarif"
    GITHUB = "github"
    MARKDOWN = "markdown"


class ColorMode(StrEnum):
    """`check --color`: auto (a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR forces
    it), always or never."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True)
class RenderOptions:
    """How a renderer may decorate its output."""

    verbose: bool = False
    quiet: bool = False  # only the problems and the summary
    color: bool = False
    unicode: bool = True
    width: int = 100


def render(reports: Sequence[Report], output_format: OutputFormat, options: RenderOptions) -> str:
    """The reports of one run as text in `output_format`."""
    match output_format:
        case OutputFormat.TABLE:
            from cognito_doctor.output.table import render_table

            return render_table(reports, options)
        case OutputFormat.JSON:
            from cognito_doctor.output.json import render_json

            return render_json(reports)
        case OutputFormat.JUNIT:
            from cognito_doctor.output.junit import render_junit

            return render_junit(reports)
        case OutputFormat.SARIF:
            from cognito_doctor.output.sarif import render_sarif

            return render_sarif(reports)
        case OutputFormat.GITHUB:
            from cognito_doctor.output.github import render_github

            return render_github(reports)
        case OutputFormat.MARKDOWN:
            from cognito_doctor.output.markdown import render_markdown

            return render_markdown(reports)
