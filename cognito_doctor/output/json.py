"""The machine-readable JSON report (schema: cognito_doctor/schemas/report.schema.json)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from cognito_doctor.engine.model import CheckResult, Report, Status

SCHEMA_VERSION = 1


def report_schema() -> dict[str, Any]:
    """The JSON Schema every JSON report validates against."""
    text = (
        resources.files("cognito_doctor").joinpath("schemas/report.schema.json").read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


def report_to_dict(report: Report) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    target = report.target
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cognito-doctor", "version": report.tool_version},
        "environment": report.name,
        "rules": report.rules.value,
        "target": {
            "root": target.root,
            "region": target.region,
            "user_pool_id": target.user_pool_id,
            "app_client_id": target.app_client_id,
            "endpoint_url": target.endpoint_url,
        },
        "summary": report.summary,
        "results": [_result(result) for result in report.results],
        "root_causes": [
            {
                "check": root.check_id,
                "cause": root.cause.key,
                "summary": root.cause.summary,
                "fix": root.cause.fix,
                "dependents": list(root.dependents),
            }
            for root in report.root_causes
        ],
    }


def _result(result: CheckResult) -> dict[str, Any]:
    outcome = result.outcome
    location = outcome.location
    return {
        "id": result.spec.id,
        "group": result.spec.group,
        "title": result.spec.title,
        "status": outcome.status.value,
        "severity": result.spec.severity.value,
        "message": outcome.message,
        "fix": outcome.fix or None,
        "fix_command": outcome.fix_command,
        "evidence": _jsonable(outcome.evidence),
        "location": {"file": location.file, "line": location.line} if location else None,
        "duration_ms": result.duration_ms,
        "see": outcome.root,
    }


def _jsonable(value: Any) -> Any:
    # Evidence comes from AWS responses too (datetimes and the like): keep it valid JSON.
    return json.loads(json.dumps(value, default=str))


def reports_to_dict(reports: Sequence[Report]) -> dict[str, Any]:
    """One environment: its report. Several: their reports under `environments`, with totals."""
    if len(reports) == 1:
        return report_to_dict(reports[0])
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cognito-doctor", "version": reports[0].tool_version},
        "summary": {status.value: sum(r.count(status) for r in reports) for status in Status},
        "environments": [report_to_dict(report) for report in reports],
    }


def render_json(reports: Sequence[Report]) -> str:
    return json.dumps(reports_to_dict(reports), indent=2, ensure_ascii=False) + "\n"
