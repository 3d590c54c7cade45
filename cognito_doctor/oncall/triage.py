"""`cognito-doctor triage`: from a symptom, an error message or a log excerpt to the cause.

The text is matched against the knowledge base (cognito_doctor/knowledge/failures.json);
then the checks each matched entry names are run once, through the normal runner, and each
entry is judged by their results (and, for causes about one user, by that user's state,
looked up by the email addresses on the lines the cause concerns):

- confirmed: a check failed the way the cause predicts, or the user's state is the cause;
- possible: only a warning, or a setting the cause needs, points at it;
- ruled out: everything that could tell ran and none of it points at the cause;
- unchecked: it could not be checked (offline, no credentials, no check can tell).

The facts the text names (pool and client ids, regions, ARNs, key ids…) are compared with
the .env files (triage_facts); an error no entry knows still gets those comparisons and the
full check's failures. Nothing here writes to AWS; the input text is never echoed whole
(excerpts are masked).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.error_facts import ErrorFacts, extract
from cognito_doctor.oncall.knowledge import Entry, load_knowledge
from cognito_doctor.oncall.triage_aws import AwsComparison, compare_with_aws
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
    text_evidence,
    user_evidence,
)
from cognito_doctor.oncall.triage_facts import TextFinding, Unverified, compare, sort_findings
from cognito_doctor.oncall.triage_leads import confirmed_entries, fact_evidence, led_by_facts
from cognito_doctor.oncall.triage_run import MAX_USER_LOOKUPS, CheckFinding, ChecksRun, run_online
from cognito_doctor.oncall.triage_text import (
    Lines,
    TriageInputError,
    emails_in,
    excerpt,
    mask,
    read_text,
)
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import EnvTarget, read_target

MAX_HITS_PER_PATTERN = 200


@dataclass(frozen=True)
class Match:
    """An entry the text matched, how strongly, on what, and on which lines."""

    entry: Entry
    score: int
    matched: tuple[str, ...]
    rank: int = 0
    lines: tuple[int, ...] = ()


def match_text(text: str, entries: Sequence[Entry] | None = None) -> list[Match]:
    """Every entry whose patterns match `text`, best first (ties keep the file's order)."""
    lines = Lines(text)
    found: list[tuple[int, int, Match]] = []
    for index, entry in enumerate(entries if entries is not None else load_knowledge()):
        score = 0
        matched: list[str] = []
        hit_lines: dict[int, None] = {}
        for pattern in entry.patterns:
            hit = pattern.search(text)
            if not hit:
                continue
            score += pattern.weight
            shown = excerpt(hit.group(0))
            if shown not in matched:
                matched.append(shown)
            for count, more in enumerate(pattern.compiled.finditer(text, hit.start())):
                if count >= MAX_HITS_PER_PATTERN:
                    break
                hit_lines[lines.line_of(more.start())] = None
        if score:
            match = Match(entry, score, tuple(matched), lines=tuple(sorted(hit_lines)))
            found.append((-score, index, match))
    found.sort(key=lambda item: (item[0], item[1]))
    return [replace(m, rank=rank) for rank, (_, _, m) in enumerate(found, start=1)]


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
    users: tuple[str, ...] = ()

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
    facts: ErrorFacts = field(default_factory=ErrorFacts)
    findings: tuple[TextFinding, ...] = ()
    full_check: tuple[CheckFinding, ...] | None = None
    notes: tuple[str, ...] = ()

    def count(self, verdict: str) -> int:
        return sum(1 for d in self.diagnoses if d.verdict == verdict)

    @property
    def confirmed(self) -> bool:
        return self.count(CONFIRMED) > 0

    @property
    def problem_found(self) -> bool:
        """A cause confirmed, or (for an error no entry knows) a check of the full run failed."""
        return self.confirmed or any(f.status == "fail" for f in self.full_check or ())

    @property
    def nothing_to_work_with(self) -> bool:
        """Whether the text matched no entry and names no fact at all."""
        return not self.diagnoses and self.facts.empty


def _fill(text: str, values: dict[str, str | None]) -> str:
    for placeholder, value in values.items():
        if value:
            text = text.replace(placeholder, value)
    return text


def _placeholders(target: dict[str, str | None], email: str | None) -> dict[str, str | None]:
    return {
        "<USER_POOL_ID>": target.get("user_pool_id"),
        "<REGION>": target.get("region"),
        "<APP_CLIENT_ID>": target.get("app_client_id"),
        "<EMAIL>": email,
    }


def _env_target(config: RunConfig) -> tuple[EnvTarget, Any]:
    from cognito_doctor.facts.env import env_files

    files = env_files(config)
    return read_target(files, config.region), files


def _target_dict(target: EnvTarget) -> dict[str, str | None]:
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
    """Match `text`, compare its facts with the .env files (and, online, with AWS) and,
    unless `config.offline`, run the checks that confirm each cause."""
    known = tuple(entries if entries is not None else load_knowledge())
    matches = match_text(text, known)
    lines = Lines(text)
    facts = extract(text)
    env_target, files = _env_target(config)
    offline = config.offline
    aws = AwsComparison() if offline or facts.empty else compare_with_aws(facts, config, registry)
    findings = sort_findings([*compare(facts, env_target, files), *aws.findings])
    if matches:
        # A cause the text's facts confirm is judged even when no pattern names it.
        matches += _led_in(matches, findings, known)
    emails_by_entry = {m.entry.id: lines.emails(m.lines) if m.lines else [] for m in matches}
    run = (
        ChecksRun()
        if offline
        else run_online([m.entry for m in matches], emails_by_entry, facts, config, registry, now)
    )
    target = run.target or _target_dict(env_target)
    matched = frozenset(m.entry.id for m in matches if m.score)
    judged = _Judged(run, registry, offline, tuple(findings), aws.unverified, matched)
    diagnoses = [
        _diagnose(m, lines.scope(m.lines) if m.lines else "", emails_by_entry[m.entry.id], judged)
        for m in matches
    ]
    diagnoses = [replace(d, **_filled(d, target)) for d in diagnoses]
    diagnoses.sort(
        key=lambda d: (
            VERDICT_ORDER.index(d.verdict),
            not led_by_facts(d.evidence),
            d.match.rank,
        )
    )
    return TriageResult(
        tuple(diagnoses),
        offline,
        tuple(emails_in(text)),
        target,
        facts,
        tuple(findings),
        run.full_check,
        (*run.notes, *(u.message for u in aws.unverified)),
    )


def _led_in(
    matches: Sequence[Match], findings: Sequence[TextFinding], known: Sequence[Entry]
) -> list[Match]:
    """The entries a finding confirms that no pattern matched, ranked after the matches."""
    matched = frozenset(m.entry.id for m in matches)
    by_id = {entry.id: entry for entry in known}
    led = [
        (by_id[entry_id], finding)
        for entry_id, finding in confirmed_entries(findings, matched).items()
        if entry_id in by_id and entry_id not in matched
    ]
    return [
        Match(entry, 0, (_led_by(finding),), rank=len(matches) + n)
        for n, (entry, finding) in enumerate(led, start=1)
    ]


def _led_by(finding: TextFinding) -> str:
    return f"the text's {finding.subject} ({finding.bearing.value})"


@dataclass(frozen=True)
class _Judged:
    """What every cause is judged with: the run's checks and users, and the text's findings."""

    run: ChecksRun
    registry: Registry
    offline: bool
    findings: tuple[TextFinding, ...]
    unverified: tuple[Unverified, ...]
    matched: frozenset[str]  # the entries the text's own patterns matched


def _diagnose(match: Match, scoped: str, emails: list[str], judged: _Judged) -> Diagnosis:
    entry, run, offline = match.entry, judged.run, judged.offline
    looked_up = emails[:MAX_USER_LOOKUPS]
    evidence = check_evidence(entry, run.results, judged.registry, offline)
    evidence = text_evidence(entry, scoped, evidence)
    evidence += user_evidence(entry, run.users, looked_up, offline)
    evidence += fact_evidence(entry.id, judged.findings, judged.unverified, judged.matched)
    if offline and any(e.kind == "fact" and e.role != UNKNOWN for e in evidence):
        # The text compared with the .env files needs no AWS: that evidence stands offline
        # (the checks that did not run still keep a cause from being ruled out).
        verdict, reason = judge(evidence)
        reason += " (--offline: the text against the .env files; no check was run)"
    elif offline:
        verdict, reason = UNCHECKED, "not checked (--offline): diagnosis from the text alone"
    else:
        verdict, reason = judge(evidence)
    confirmed_users = [e.subject for e in evidence if e.kind == "user" and e.role == CONFIRMS]
    users = tuple(confirmed_users if len(confirmed_users) == 1 else emails)
    return Diagnosis(
        match,
        verdict,
        tuple(evidence),
        reason,
        entry.fix,
        entry.manual_check,
        entry.documented,
        entry.next,
        users,
    )


def _filled(diagnosis: Diagnosis, target: dict[str, str | None]) -> dict[str, Any]:
    """The diagnosis's texts with the target and its one user filled in."""
    users = diagnosis.users
    values = _placeholders(target, users[0] if len(users) == 1 else None)
    return {
        "fix": _fill(diagnosis.fix, values),
        "manual_check": _fill(diagnosis.manual_check, values) if diagnosis.manual_check else None,
        "documented": _fill(diagnosis.documented, values) if diagnosis.documented else None,
        "next": tuple(_fill(n, values) for n in diagnosis.next),
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
    "CheckFinding",
    "Diagnosis",
    "Evidence",
    "Match",
    "TriageInputError",
    "TriageResult",
    "emails_in",
    "mask",
    "match_text",
    "read_text",
    "triage",
]
