"""`cognito-doctor triage`: from a symptom, an error message or a log excerpt to the cause.

The text is matched against the knowledge base (cognito_doctor/knowledge/failures.json);
then the checks each matched entry names are run once, through the normal runner, and each
entry is judged by their results (and, for causes about one user, by that user's state,
looked up by the email addresses in the text):

- confirmed: a check failed the way the cause predicts, or the user's state is the cause;
- possible: only a warning, or a setting the cause needs, points at it;
- ruled out: everything that could tell ran and none of it points at the cause;
- unchecked: it could not be checked (offline, no credentials, no check can tell).

Nothing here writes to AWS; the input text is never echoed whole (excerpts are masked).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cognito_doctor.engine.model import Status
from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.knowledge import Entry, load_knowledge
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import read_target

MAX_INPUT_BYTES = 5_000_000
MAX_EXCERPT = 100
MAX_USER_LOOKUPS = 3
EMAIL_IN_TEXT = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# Senders that are never the user someone is asking about.
_NOT_A_USER = re.compile(r"@verificationemail\.com$|^no-?reply@", re.IGNORECASE)

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

_JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")
_KEY_ID = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})\b")
_LONG_SECRET = re.compile(r"(?<![\w/+=])[A-Za-z0-9/+=]{40,}(?![\w/+=])")


class TriageInputError(ValueError):
    """The input cannot be triaged (empty, binary, not text)."""


def read_text(data: bytes, source: str) -> str:
    """Bytes from an argument, a file or stdin as text; TriageInputError when they aren't."""
    if len(data) > MAX_INPUT_BYTES:
        # Keep the end of a long log: that is where the failure is.
        data = data[-MAX_INPUT_BYTES:]
    if not data.strip():
        raise TriageInputError(f"{source} is empty: give an error message, a log or a symptom")
    if b"\x00" in data:
        offset = data.index(b"\x00")
        raise TriageInputError(
            f"{source} looks binary (a NUL byte at offset {offset}): give a text log, an error "
            "message or a symptom in words"
        )
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    if bad > max(8, len(text) // 20):
        raise TriageInputError(
            f"{source} is not UTF-8 text ({bad} bytes could not be decoded): give a text log"
        )
    return text


def mask(text: str) -> str:
    """Text safe to show: JWTs, access key ids and long secret-like strings masked."""
    text = _JWT.sub("<jwt>", text)
    text = _KEY_ID.sub(lambda m: f"…{m.group(1)}", text)
    return _LONG_SECRET.sub("[redacted]", text)


def _excerpt(found: str) -> str:
    compact = " ".join(found.split())
    if len(compact) > MAX_EXCERPT:
        compact = compact[: MAX_EXCERPT - 1] + "…"
    return mask(compact)


@dataclass(frozen=True)
class Match:
    """An entry the text matched, how strongly, and on what."""

    entry: Entry
    score: int
    matched: tuple[str, ...]
    rank: int = 0


def match_text(text: str, entries: Sequence[Entry] | None = None) -> list[Match]:
    """Every entry whose patterns match `text`, best first (ties keep the file's order)."""
    found: list[tuple[int, int, Match]] = []
    for index, entry in enumerate(entries if entries is not None else load_knowledge()):
        score = 0
        matched: list[str] = []
        for pattern in entry.patterns:
            hit = pattern.compiled.search(text)
            if hit:
                score += pattern.weight
                excerpt = _excerpt(hit.group(0))
                if excerpt not in matched:
                    matched.append(excerpt)
        if score:
            found.append((-score, index, Match(entry, score, tuple(matched))))
    found.sort(key=lambda item: (item[0], item[1]))
    return [replace(m, rank=rank) for rank, (_, _, m) in enumerate(found, start=1)]


def emails_in(text: str) -> list[str]:
    """The distinct email addresses in `text` that could be a user's, in order."""
    seen: dict[str, None] = {}
    for found in EMAIL_IN_TEXT.findall(text):
        address = found.strip(".")
        if not _NOT_A_USER.search(address) and address.lower() not in (s.lower() for s in seen):
            seen[address] = None
    return list(seen)


@dataclass(frozen=True)
class Evidence:
    """What one check (or one user's state) says about a cause."""

    kind: str  # "check" or "user"
    subject: str  # a check id, or the user's email
    status: str  # the check's status, "not run", "unavailable", or the user's states
    role: str  # confirms, suggests, rules_out, unknown
    message: str
    fix: str = ""


@dataclass(frozen=True)
class Diagnosis:
    """A matched entry, judged."""

    match: Match
    verdict: str
    evidence: tuple[Evidence, ...]
    reason: str
    fix: str
    manual_check: str | None
    documented: str | None
    next: tuple[str, ...]

    @property
    def entry(self) -> Entry:
        return self.match.entry


@dataclass(frozen=True)
class TriageResult:
    """Every diagnosis, most useful first, and what the run could see."""

    diagnoses: tuple[Diagnosis, ...]
    offline: bool
    emails: tuple[str, ...] = ()
    target: dict[str, str | None] = field(default_factory=dict)

    def count(self, verdict: str) -> int:
        return sum(1 for d in self.diagnoses if d.verdict == verdict)

    @property
    def confirmed(self) -> bool:
        return self.count(CONFIRMED) > 0


def _fill(text: str, values: dict[str, str | None]) -> str:
    for placeholder, value in values.items():
        if value:
            text = text.replace(placeholder, value)
    return text


def _placeholders(target: dict[str, str | None], emails: Sequence[str]) -> dict[str, str | None]:
    return {
        "<USER_POOL_ID>": target.get("user_pool_id"),
        "<REGION>": target.get("region"),
        "<APP_CLIENT_ID>": target.get("app_client_id"),
        "<EMAIL>": emails[0] if len(emails) == 1 else None,
    }


def _target(config: RunConfig) -> dict[str, str | None]:
    from cognito_doctor.facts.env import env_files

    target = read_target(env_files(config), config.region)
    return {
        "user_pool_id": target.pool_id.value,
        "region": target.region.value,
        "app_client_id": target.app_client_id.value,
    }


def _check_evidence(
    entry: Entry, results: dict[str, Any] | None, registry: Registry, offline: bool
) -> list[Evidence]:
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


def _user_evidence(
    entry: Entry, user_reports: dict[str, Any], emails: Sequence[str], offline: bool
) -> list[Evidence]:
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


def _judge(evidence: list[Evidence]) -> tuple[str, str]:
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
    if evidence.kind == "user":
        return f"the user's state ({evidence.status})" if evidence.subject else "the user's state"
    return f"{evidence.subject} ({evidence.status})"


def triage(
    text: str,
    config: RunConfig,
    registry: Registry,
    *,
    now: datetime | None = None,
    entries: Sequence[Entry] | None = None,
) -> TriageResult:
    """Match `text` and, unless `config.offline`, run the checks that confirm each cause."""
    matches = match_text(text, entries)
    emails = emails_in(text)
    target = _target(config)
    offline = config.offline
    results: dict[str, Any] | None = None
    user_reports: dict[str, Any] = {}
    if matches and not offline:
        wanted = _unique(ref.id for m in matches for ref in m.entry.checks)
        known = tuple(i for i in wanted if i in registry.checks)
        if known:
            from cognito_doctor.facts.context import run_checks

            report = run_checks(replace(config, only=known, skip=()), registry)
            results = {r.spec.id: r for r in report.results}
            target = {
                "user_pool_id": report.target.user_pool_id,
                "region": report.target.region,
                "app_client_id": report.target.app_client_id,
            }
        if emails and any(m.entry.needs_user for m in matches):
            user_reports = _lookup_users(config, registry, emails[:MAX_USER_LOOKUPS], now)
    looked_up = emails[:MAX_USER_LOOKUPS]
    values = _placeholders(target, emails)
    diagnoses = []
    for match in matches:
        entry = match.entry
        evidence = _check_evidence(entry, results, registry, offline)
        evidence += _user_evidence(entry, user_reports, looked_up, offline)
        if offline:
            verdict, reason = UNCHECKED, "not checked (--offline): diagnosis from the text alone"
        else:
            verdict, reason = _judge(evidence)
        diagnoses.append(
            Diagnosis(
                match,
                verdict,
                tuple(evidence),
                reason,
                _fill(entry.fix, values),
                _fill(entry.manual_check, values) if entry.manual_check else None,
                _fill(entry.documented, values) if entry.documented else None,
                tuple(_fill(n, values) for n in entry.next),
            )
        )
    diagnoses.sort(key=lambda d: (VERDICT_ORDER.index(d.verdict), d.match.rank))
    return TriageResult(tuple(diagnoses), offline, tuple(emails), target)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _lookup_users(
    config: RunConfig, registry: Registry, emails: Sequence[str], now: datetime | None
) -> dict[str, Any]:
    from cognito_doctor.oncall.users import UserInputError, lookup_user

    reports: dict[str, Any] = {}
    for email in emails:
        try:
            reports[email] = lookup_user(config, registry, email, now=now)
        except UserInputError as exc:
            reports[email] = str(exc)
    return reports


def result_dict(result: TriageResult) -> dict[str, Any]:
    """The JSON form of a triage (the input itself is not included)."""
    return {
        "offline": result.offline,
        "target": result.target,
        "emails": list(result.emails),
        "summary": {
            "matches": len(result.diagnoses),
            **{verdict: result.count(verdict) for verdict in VERDICT_ORDER},
        },
        "diagnoses": [
            {
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
                "evidence": [
                    {
                        "kind": e.kind,
                        "subject": e.subject,
                        "status": e.status,
                        "role": e.role,
                        "message": e.message,
                        "fix": e.fix,
                    }
                    for e in d.evidence
                ],
            }
            for d in result.diagnoses
        ],
    }
