"""How triage judges a cause: the evidence each check or user state gives, and the verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from cognito_doctor.engine.model import Status
from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.knowledge import Entry

CONFIRMED = "confirmed"
POSSIBLE = "possible"
RULED_OUT = "ruled_out"
UNCHECKED = "unchecked"
VERDICT_ORDER = (CONFIRMED, POSSIBLE, UNCHECKED, RULED_OUT)

CONFIRMS = "confirms"
SUGGESTS = "suggests"
RULES_OUT = "rules_out"
# Ran, but its result can neither confirm nor rule the cause out (e.g. a self-consistent
# COGNITO_APP_CLIENT_ID that may still not be the client a token was issued to).
NEUTRAL = "neutral"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Evidence:
    """What one check (or one user's state) says about a cause."""

    kind: str  # "check", "user", "text" (the input itself) or "fact" (a fact it names)
    subject: str  # a check id, or the user's email
    status: str  # the check's status, "not run", "unavailable", or the user's states
    role: str  # confirms, suggests, rules_out, unknown
    message: str
    fix: str = ""


def check_evidence(
    entry: Entry, results: dict[str, Any] | None, registry: Registry, offline: bool
) -> list[Evidence]:
    """What each check `entry` names says about it, from the run's `results`."""
    evidence: list[Evidence] = []
    for ref in entry.checks:
        if offline:
            evidence.append(Evidence("check", ref.id, "not run", UNKNOWN, "not run (--offline)"))
            continue
        if ref.id not in registry.checks:
            evidence.append(
                Evidence(
                    "check",
                    ref.id,
                    "unavailable",
                    UNKNOWN,
                    f"check {ref.id} is not part of this installation of cognito-doctor",
                )
            )
            continue
        result = (results or {}).get(ref.id)
        if result is None:
            evidence.append(Evidence("check", ref.id, "not run", UNKNOWN, "the check did not run"))
            continue
        status = result.status
        outcome = result.outcome
        if status.value in ref.confirms_on:
            role = CONFIRMS if status is Status.FAIL else SUGGESTS
        elif status in (Status.PASS, Status.FAIL, Status.WARN):
            role = RULES_OUT if ref.rules_out else NEUTRAL
        else:
            role = UNKNOWN
        message = outcome.message
        if role == NEUTRAL:
            message = f"{message} (which does not rule this cause out)"
        evidence.append(Evidence("check", ref.id, status.value, role, message, outcome.fix))
    return evidence


def user_evidence(
    entry: Entry, user_reports: dict[str, Any], emails: Sequence[str], offline: bool
) -> list[Evidence]:
    """What the looked-up users' states say about `entry` (nothing unless it needs a user)."""
    if not entry.needs_user:
        return []
    if offline:
        return [Evidence("user", "", "not run", UNKNOWN, "the user was not looked up (--offline)")]
    if not emails:
        return [
            Evidence(
                "user",
                "",
                "not run",
                UNKNOWN,
                "no email address in the input to look the user up by: add it, or run "
                "`cognito-doctor user EMAIL`",
            )
        ]
    evidence: list[Evidence] = []
    for email in emails:
        report = user_reports.get(email)
        if report is None:
            continue
        if isinstance(report, str):
            evidence.append(Evidence("user", email, "error", UNKNOWN, report))
            continue
        if not report.checked:
            evidence.append(
                Evidence("user", email, "error", UNKNOWN, report.lookup_problem, report.lookup_fix)
            )
            continue
        tags = report.tags
        state = ", ".join(sorted(tags))
        describe = _describe_user(report)
        if tags & entry.user_confirms:
            fix = next(
                (f.fix + (f" {f.fix_command}" if f.fix_command else "") for f in _findings(report)),
                "",
            )
            evidence.append(Evidence("user", email, state, CONFIRMS, describe, fix))
        elif tags & entry.user_rules_out:
            evidence.append(Evidence("user", email, state, RULES_OUT, describe))
        else:
            evidence.append(
                Evidence(
                    "user",
                    email,
                    state,
                    NEUTRAL,
                    f"{describe}; that neither confirms nor rules out this cause",
                )
            )
    return evidence


def _findings(report: Any) -> list[Any]:
    findings = [f for a in report.users for f in a.findings if f.level != "ok"]
    if report.not_found is not None:
        findings.append(report.not_found)
    return findings


def _describe_user(report: Any) -> str:
    if not report.users:
        return f"no user with email {report.email} in pool {report.pool_id}"
    parts = []
    for assessment in report.users:
        user = assessment.user
        state = f"{user.status}, {'enabled' if user.enabled else 'disabled'}"
        if "invitation_expired" in assessment.tags:
            state += ", invitation expired"
        parts.append(f"user {report.email} is {state}")
    return "; ".join(parts)


def judge(evidence: list[Evidence]) -> tuple[str, str]:
    """The verdict the evidence gives a cause, and the reason for it."""
    confirms = [e for e in evidence if e.role == CONFIRMS]
    suggests = [e for e in evidence if e.role == SUGGESTS]
    rules_out = [e for e in evidence if e.role == RULES_OUT]
    unknown = [e for e in evidence if e.role == UNKNOWN]
    if confirms:
        return CONFIRMED, "confirmed by " + ", ".join(_label(e) for e in confirms)
    if suggests:
        return POSSIBLE, "consistent with " + ", ".join(_label(e) for e in suggests) + (
            ", but not proof of it"
        )
    if rules_out and not unknown:
        return RULED_OUT, "ruled out by " + ", ".join(_label(e) for e in rules_out)
    if not evidence:
        return UNCHECKED, "no check can confirm this; see how to check it by hand"
    if not unknown:
        return UNCHECKED, (
            "couldn't be checked: what ran ("
            + ", ".join(_label(e) for e in evidence)
            + ") can neither confirm nor rule this cause out"
        )
    reasons = "; ".join(f"{_label(e)}: {e.message}" for e in unknown)
    return UNCHECKED, f"couldn't be checked ({reasons})"


def _label(evidence: Evidence) -> str:
    if evidence.kind == "text":
        return "the input's own lines"
    if evidence.kind == "fact":
        return f"the text's {evidence.subject} ({evidence.status})"
    if evidence.kind == "user":
        return f"the user's state ({evidence.status})" if evidence.subject else "the user's state"
    return f"{evidence.subject} ({evidence.status})"


def text_evidence(entry: Entry, scoped: str, evidence: list[Evidence]) -> list[Evidence]:
    """`evidence` plus what the input itself proves (a log line only the cause writes); the
    checks of the .env files that rule the cause out then only show the files moved on."""
    sign = entry.text_confirms
    if sign is None:
        return evidence
    hit = sign.compiled.search(scoped)
    if hit is None:
        return evidence
    disagree = [e for e in evidence if e.role == RULES_OUT]
    message = sign.message
    if disagree:
        message = f"{message}; but {sign.when_checks_disagree}"
    updated = [
        replace(
            e,
            role=NEUTRAL,
            message=f"{e.message} (the file as it is now, not what the running service read)",
        )
        if e.role == RULES_OUT
        else e
        for e in evidence
    ]
    shown = " ".join(hit.group(0).split())[:60]
    return [*updated, Evidence("text", "the input", f'"{shown}"', CONFIRMS, message)]
