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

from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.knowledge import Entry, load_knowledge
from cognito_doctor.oncall.triage_evidence import (
    CONFIRMED,
    CONFIRMS,
    NEUTRAL,
    POSSIBLE,
    RULED_OUT,
    RULES_OUT,
    SUGGESTS,
    UNCHECKED,
    UNKNOWN,
    VERDICT_ORDER,
    Evidence,
    check_evidence,
    judge,
    user_evidence,
)
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
            hit = pattern.search(text)
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
        evidence = check_evidence(entry, results, registry, offline)
        evidence += user_evidence(entry, user_reports, looked_up, offline)
        if offline:
            verdict, reason = UNCHECKED, "not checked (--offline): diagnosis from the text alone"
        else:
            verdict, reason = judge(evidence)
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


__all__ = [
    "CONFIRMED",
    "CONFIRMS",
    "NEUTRAL",
    "POSSIBLE",
    "RULED_OUT",
    "RULES_OUT",
    "SUGGESTS",
    "UNCHECKED",
    "UNKNOWN",
    "VERDICT_ORDER",
    "Diagnosis",
    "Evidence",
    "Match",
    "TriageInputError",
    "TriageResult",
    "emails_in",
    "mask",
    "match_text",
    "read_text",
    "result_dict",
    "triage",
]
