"""GitHub Actions workflow commands: an annotation per problem on the file and line it names,
and a Markdown job summary appended to $GITHUB_STEP_SUMMARY when that is set."""

from __future__ import annotations

import os
from collections.abc import Sequence

from cognito_doctor.engine.model import Report, Status
from cognito_doctor.engine.redact import scrub
from cognito_doctor.output.sarif import repo_relative
from cognito_doctor.platform.files import write_text


def escape_data(value: str) -> str:
    """Escape a workflow command's message (after the `::`)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (file=, title=, …)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(reports: Sequence[Report]) -> str:
    lines = []
    for report in reports:
        for result in report.results:
            if result.status not in (Status.FAIL, Status.WARN, Status.ERROR):
                continue
            outcome = result.outcome
            command = "warning" if result.status is Status.WARN else "error"
            properties = {}
            location = outcome.location or report.anchor
            if location is not None:
                properties["file"] = repo_relative(report, location)
                if location.line:
                    properties["line"] = str(location.line)
            prefix = f"[{report.name}] " if len(reports) > 1 else ""
            properties["title"] = f"{prefix}{result.spec.id}: {result.spec.title}"
            message = outcome.message
            if result.status is Status.ERROR:
                message = f"couldn't verify: {message}"
            if outcome.fix:
                message += f"\nHow to fix: {outcome.fix}"
            if outcome.fix_command:
                message += f"\n$ {outcome.fix_command}"
            rendered = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
            lines.append(f"::{command} {rendered}::{escape_data(message)}")
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        from cognito_doctor.output.markdown import render_markdown

        try:
            write_text(summary_path, scrub(render_markdown(reports)), append=True)
        except (OSError, ValueError) as exc:
            # A broken sink is reported, and the annotations still come out.
            reason = getattr(exc, "strerror", None) or str(exc)
            said = f"cannot append the job summary to $GITHUB_STEP_SUMMARY ({summary_path}): "
            lines.append(f"::warning title=cognito-doctor::{escape_data(said + reason)}")
    return "\n".join(lines) + ("\n" if lines else "")
