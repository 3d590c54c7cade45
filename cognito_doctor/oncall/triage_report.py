"""Triage's JSON form (its schema is cognito_doctor/schemas/triage.schema.json, printed by
`cognito-doctor schema --triage`)."""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from cognito_doctor.oncall.error_facts import facts_dict
from cognito_doctor.oncall.triage_evidence import VERDICT_ORDER, Evidence

if TYPE_CHECKING:
    from cognito_doctor.oncall.triage import Diagnosis, TriageResult


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return {
        "kind": evidence.kind,
        "subject": evidence.subject,
        "status": evidence.status,
        "role": evidence.role,
        "message": evidence.message,
        "fix": evidence.fix,
    }


def _diagnosis(d: Diagnosis) -> dict[str, Any]:
    return {
        "id": d.entry.id,
        "title": d.entry.title,
        "rank": d.match.rank,
        "score": d.match.score,
        "matched": list(d.match.matched),
        "verdict": d.verdict,
        "reason": d.reason,
        "cause": d.entry.cause,
        "fix": d.fix,
        "runbook": d.entry.runbook,
        "manual_check": d.manual_check,
        "documented": d.documented,
        "next": list(d.next),
        "users": list(d.users),
        "evidence": [_evidence(e) for e in d.evidence],
    }


def result_dict(result: TriageResult) -> dict[str, Any]:
    """The JSON form of a triage (the input itself is not included)."""
    full_check = None
    if result.full_check is not None:
        full_check = [
            {"id": f.id, "status": f.status, "message": f.message, "fix": f.fix}
            for f in result.full_check
        ]
    return {
        "offline": result.offline,
        "target": result.target,
        "emails": list(result.emails),
        "summary": {
            "matches": len(result.diagnoses),
            **{verdict: result.count(verdict) for verdict in VERDICT_ORDER},
        },
        "facts": facts_dict(result.facts),
        "findings": [
            {"subject": f.subject, "bearing": f.bearing.value, "message": f.message}
            for f in result.findings
        ],
        "full_check": full_check,
        "notes": list(result.notes),
        "diagnoses": [_diagnosis(d) for d in result.diagnoses],
    }


def triage_schema() -> dict[str, Any]:
    """The JSON Schema of `cognito-doctor triage --format json`."""
    text = (
        resources.files("cognito_doctor").joinpath("schemas/triage.schema.json").read_text("utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    return schema
