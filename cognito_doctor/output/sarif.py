"""SARIF 2.1.0 for code scanning: a rule per check (from its doc), a result per problem.

Results point at the `.env` or policy file and line a finding names; findings about the pool or
its client point at the line that names the pool (COGNITO_USER_POOL_ID), since code scanning
wants a location in the repository for every result.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cognito_doctor.engine.model import CheckResult, CheckSpec, Location, Report, Severity, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(reports: Sequence[Report]) -> str:
    rules: dict[str, CheckSpec] = {}
    for report in reports:
        for result in report.results:
            rules.setdefault(result.spec.id, result.spec)
    rule_index = {rule_id: index for index, rule_id in enumerate(rules)}
    results = [
        _result(report, result, rule_index[result.spec.id], len(reports) > 1)
        for report in reports
        for result in report.results
        if result.status in (Status.FAIL, Status.WARN, Status.ERROR)
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cognito-doctor",
                        "version": reports[0].tool_version,
                        "informationUri": "https://pypi.org/project/cognito-doctor/",
                        "rules": [_rule(spec) for spec in rules.values()],
                    }
                },
                "originalUriBaseIds": {"SRCROOT": {"uri": Path.cwd().as_uri() + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _rule(spec: CheckSpec) -> dict[str, Any]:
    what = spec.doc_section("What it checks")
    return {
        "id": spec.id,
        "name": "".join(part.capitalize() for part in spec.id.replace("-", ".").split(".")),
        "shortDescription": {"text": spec.title},
        "fullDescription": {"text": what or spec.title},
        "help": {"text": spec.doc, "markdown": spec.doc},
        "defaultConfiguration": {"level": LEVELS[spec.severity]},
        "properties": {"tags": [spec.group, "cognito"]},
    }


def _result(report: Report, result: CheckResult, index: int, several: bool) -> dict[str, Any]:
    outcome = result.outcome
    level = "warning" if result.status is Status.WARN else "error"
    message = (
        outcome.message
        if result.status is not Status.ERROR
        else (f"couldn't verify: {outcome.message}")
    )
    if several:
        message = f"[{report.name}] {message}"
    if outcome.fix:
        message += f"\nHow to fix: {outcome.fix}"
    entry: dict[str, Any] = {
        "ruleId": result.spec.id,
        "ruleIndex": index,
        "level": level,
        "message": {"text": message},
        "properties": {"environment": report.name, "status": result.status.value},
    }
    location = outcome.location or report.anchor
    if location is not None:
        entry["locations"] = [_location(report, location)]
    return entry


def repo_relative(report: Report, location: Location) -> str:
    """The finding's file relative to the working directory (the repository in CI)."""
    path = Path(location.file)
    if not path.is_absolute():
        path = Path(report.target.root) / path
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


def _location(report: Report, location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": repo_relative(report, location), "uriBaseId": "SRCROOT"}
    }
    if location.line:
        physical["region"] = {"startLine": location.line}
    return {"physicalLocation": physical}
