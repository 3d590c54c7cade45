"""The on-call renderers: triage, token and user results as the text `cognito-doctor` prints."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cognito_doctor.output.terminal import fill

if TYPE_CHECKING:
    from cognito_doctor.oncall.tokens import TokenVerdict
    from cognito_doctor.oncall.triage import TriageResult
    from cognito_doctor.oncall.users import UserFinding, UserReport

WIDTH = 100

_VERDICT_LABELS = {
    "confirmed": ("✗", "CONFIRMED"),
    "possible": ("!", "POSSIBLE"),
    "unchecked": ("?", "NOT CHECKED"),
    "ruled_out": ("✓", "RULED OUT"),
}
_ROLE_MARKS = {"confirms": "✗", "suggests": "!", "rules_out": "✓", "neutral": "·", "unknown": "?"}


_TOKEN_MARKS = {"ok": "✓", "fail": "✗", "unverified": "?", "warning": "!"}
_LEVEL_MARKS = {"ok": "✓", "warn": "!", "problem": "✗"}


def _wrap(text: str, indent: int, first: str = "") -> str:
    """`text` filled to WIDTH, indented by `indent`, with `first` as its first line's label."""
    prefix = " " * indent
    initial = prefix if not first else first.ljust(indent) if len(first) < indent else first + " "
    return fill(text, WIDTH, initial_indent=initial, subsequent_indent=prefix)


_BEARING_MARKS = {"invalid": "✗", "differs": "!", "agrees": "✓"}


def _text_lines(result: TriageResult) -> list[str]:
    """What the input's own facts say about the setup, and the notes of the run."""
    lines: list[str] = []
    if result.findings:
        lines.append("")
        lines.append("what the text names, against the .env files:")
        for finding in result.findings:
            lines.append(_wrap(finding.message, 4, f"  {_BEARING_MARKS[finding.bearing.value]}"))
    for note in result.notes:
        lines.append(_wrap(note, 8, "  note"))
    return lines


def _unknown_error(result: TriageResult, source: str, characters: int) -> list[str]:
    """An input no entry knows: the exception it names, the comparisons, the full check."""
    named = ", ".join(result.facts.exceptions) or "no exception name"
    lines = [
        f"No known failure matches this input ({characters} characters from {source}); "
        f"it names {named}."
    ]
    lines.extend(_text_lines(result))
    if result.full_check is None:
        lines.append(
            _wrap("The full check did not run (--offline): run `cognito-doctor check`.", 0)
        )
    elif not result.full_check:
        lines.append("")
        lines.append(_wrap("The full check found nothing wrong with the setup.", 0))
    else:
        lines.append("")
        lines.append("the full check found:")
        for found in result.full_check:
            first = found.message.partition("\n")[0]
            lines.append(_wrap(f"{found.id} ({found.status}): {first}", 4, "  ✗"))
            if found.fix:
                lines.append(_wrap(f"fix: {found.fix.partition(chr(10))[0]}", 4))
    return lines


def render_triage(result: TriageResult, source: str, characters: int) -> str:
    """A triage as text: each diagnosis with its verdict, evidence and fix."""
    lines: list[str] = []
    if result.nothing_to_work_with:
        lines.append(
            f"No known failure matches this input ({characters} characters from {source}), "
            "and it names nothing to work with (no exception, id, ARN, region or address): "
            "no diagnosis."
        )
        lines.append(
            _wrap(
                "Paste the exact error message with its exception name (e.g. "
                '"NotAuthorizedException: User is disabled."), the service\'s log lines around '
                "the failure, or the AccessDenied message whole (it names the principal, action "
                "and resource); or run `cognito-doctor check` to check the whole setup.",
                0,
            )
        )
        return "\n".join(lines)
    if not result.diagnoses:
        return "\n".join(_unknown_error(result, source, characters))
    count = len(result.diagnoses)
    head = f"{count} known failure{'s' if count != 1 else ''} match{'es' if count == 1 else ''}"
    lines.append(f"{head} ({characters} characters from {source})")
    if result.offline:
        # The .env comparisons need no AWS, so they count offline too.
        lines.append(
            "--offline: no check was run; the diagnosis comes from the text and the .env files."
        )
    for diagnosis in result.diagnoses:
        entry = diagnosis.entry
        mark, label = _VERDICT_LABELS[diagnosis.verdict]
        lines.append("")
        lines.append(f"{mark} {label:<11} {entry.id}: {entry.title}")
        if entry.runbook:
            lines.append(_wrap(f'runbook row "{entry.runbook}"', 16, "  from"))
        lines.append(_wrap(", ".join(f'"{m}"' for m in diagnosis.match.matched), 16, "  matched"))
        lines.append(_wrap(entry.cause, 16, "  cause"))
        lines.append(_wrap(diagnosis.reason, 16, "  verdict"))
        for evidence in diagnosis.evidence:
            subject = evidence.subject or "user"
            if evidence.kind == "user" and evidence.subject:
                subject = f"user {evidence.subject}"
            elif evidence.kind == "text":
                subject = "the input"
            # A multi-line message (a check's table) is summed up by its first line here.
            first, _, rest = evidence.message.partition("\n")
            message = f"{first} …" if rest.strip() else first
            text = f"{_ROLE_MARKS[evidence.role]} {subject} ({evidence.status}): {message}"
            label = "  evidence" if evidence is diagnosis.evidence[0] else ""
            lines.append(_wrap(text, 16, label))
        if diagnosis.verdict != "ruled_out":
            lines.append(_wrap(diagnosis.fix, 16, "  fix"))
            if diagnosis.manual_check and diagnosis.verdict != "confirmed":
                lines.append(_wrap(diagnosis.manual_check, 16, "  check by hand"))
        if diagnosis.documented:
            lines.append(_wrap(diagnosis.documented, 16, "  documented"))
        for command in diagnosis.next:
            lines.append(_wrap(command, 16, "  next"))
    lines.extend(_text_lines(result))
    lines.append("")
    lines.append(
        f"{result.count('confirmed')} confirmed, {result.count('possible')} possible, "
        f"{result.count('ruled_out')} ruled out, {result.count('unchecked')} couldn't be checked."
    )
    return "\n".join(lines)


def render_token(verdict: TokenVerdict) -> str:
    """A token verdict as text: each check, then the header and the claims that matter."""
    lines = [verdict.summary, ""]
    for check in verdict.checks:
        lines.append(_wrap(check.message, 14, f"{_TOKEN_MARKS[check.status]} {check.name}"))
    lines.append("")
    lines.append("header and claims (the token itself is not shown):")
    for name, value in {**verdict.header, **verdict.claims}.items():
        shown = value if isinstance(value, str) else json.dumps(value)
        lines.append(_wrap(str(shown), 20, f"  {name}"))
    return "\n".join(lines)


def render_user(report: UserReport) -> str:
    """A user report as text: each user's state, then what to do about it."""
    where = f"pool {report.pool_id} ({report.region})" if report.pool_id else "the pool"
    lines = [f"user {report.email} in {where}"]
    if not report.checked:
        lines.append(_wrap(f"couldn't look the user up: {report.lookup_problem}", 2, "?"))
        if report.lookup_fix:
            lines.append(_wrap(f"fix: {report.lookup_fix}", 2))
        return "\n".join(lines)
    if report.not_found is not None:
        lines.extend(_finding_lines(report.not_found))
        return "\n".join(lines)
    for note in report.notes:
        lines.append(_wrap(note, 2, "!"))
    for assessment in report.users:
        found = assessment.user
        lines.append("")
        rows = [
            ("username", found.username),
            ("status", found.status),
            ("enabled", "yes" if found.enabled else "no"),
            (
                "email",
                f"{found.email or '?'} ("
                + {True: "verified", False: "not verified", None: "email_verified not set"}[
                    found.email_verified
                ]
                + ")",
            ),
            ("created", _moment(found.created)),
            ("modified", _moment(found.modified)),
        ]
        if assessment.invitation_expires is not None:
            expired = "invitation_expired" in assessment.tags
            rows.append(
                (
                    "invitation",
                    f"{'expired' if expired else 'valid until'} "
                    f"{_moment(assessment.invitation_expires)} (temporary password valid "
                    f"{report.temporary_password_days} day(s))",
                )
            )
        for name, value in rows:
            lines.append(f"  {name:<12}{value}")
        for finding in assessment.findings:
            lines.extend(_finding_lines(finding))
    return "\n".join(lines)


def _moment(value: datetime | None) -> str:
    """`value` as minutes in UTC, or ? when unknown."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "?"


def _finding_lines(finding: UserFinding) -> list[str]:
    """One user finding as lines: the message, its fix and the fix's command."""
    lines = [_wrap(finding.message, 2, _LEVEL_MARKS[finding.level])]
    if finding.fix:
        lines.append(_wrap(f"fix: {finding.fix}" if finding.level != "ok" else finding.fix, 2))
    if finding.fix_command:
        lines.append(f"    {finding.fix_command}")
    return lines
