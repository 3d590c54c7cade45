"""Report renderers: one module per output format behind one small interface."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cognito_doctor.model import Report


class OutputFormat(StrEnum):
    """The formats `check --format` accepts."""

    TABLE = "table"
    JSON = "json"


@dataclass(frozen=True)
class RenderOptions:
    """How a human-facing renderer may decorate its output."""

    verbose: bool = False
    color: bool = False
    unicode: bool = True
    width: int = 100


def render(report: Report, output_format: OutputFormat, options: RenderOptions) -> str:
    """The report as text in `output_format`."""
    match output_format:
        case OutputFormat.TABLE:
            from cognito_doctor.report.table import render_table

            return render_table(report, options)
        case OutputFormat.JSON:
            from cognito_doctor.report.json import render_json

            return render_json(report)
