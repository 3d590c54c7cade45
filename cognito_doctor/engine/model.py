"""The data every part of cognito-doctor passes around: statuses, check specs, outcomes, reports.

Nothing here knows of Cognito or AWS: the engine runs any checks on any facts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """What a check concluded."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    ERROR = "error"


class Severity(StrEnum):
    """How bad the worst outcome of a check is for the platform."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Rules(StrEnum):
    """The deployment a run is judged against; prod is stricter."""

    DEV = "dev"
    PROD = "prod"


ALL_RULES: tuple[Rules, ...] = (Rules.DEV, Rules.PROD)


@dataclass(frozen=True)
class Location:
    """Where in a file a finding points (path relative to the checked root)."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Change:
    """What a check wants changed on one resource, as data the fix plan merges: the kind of
    resource (`resource`, e.g. "pool", "mfa", "client", "env-file", "new-pool"), which ones
    (`targets`: the pool id, the client id, the `.env` files' labels), and the members or keys
    with their new values (`members`; a dotted name reaches into a member, e.g.
    `AdminCreateUserConfig.AllowAdminCreateUserOnly`; None removes a key)."""

    resource: str
    members: Mapping[str, Any]
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: a status with the words and data a person acts on."""

    status: Status
    message: str
    fix: str = ""
    fix_command: str | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)
    location: Location | None = None
    change: Change | None = None
    # The root cause this outcome shares with others (a Cause's key), when a fact said so; and,
    # for an outcome collapsed onto another check's, that check's id ("see <root>").
    cause: str | None = None
    root: str | None = None


def passed(message: str, *, location: Location | None = None, **evidence: Any) -> Outcome:
    """A passing outcome, where it points (if anywhere); other keyword arguments become
    evidence."""
    return Outcome(Status.PASS, message, evidence=evidence, location=location)


def failed(
    message: str,
    fix: str,
    *,
    fix_command: str | None = None,
    location: Location | None = None,
    change: Change | None = None,
    **evidence: Any,
) -> Outcome:
    """A failing outcome with its fix; `change` is that fix as data, for the plan."""
    return Outcome(Status.FAIL, message, fix, fix_command, evidence, location, change)


def warned(
    message: str,
    fix: str,
    *,
    fix_command: str | None = None,
    location: Location | None = None,
    change: Change | None = None,
    **evidence: Any,
) -> Outcome:
    """A warning outcome with its fix; `change` is that fix as data, for the plan."""
    return Outcome(Status.WARN, message, fix, fix_command, evidence, location, change)


def skipped(message: str, **evidence: Any) -> Outcome:
    """An outcome for a check that does not apply or whose prerequisite failed."""
    return Outcome(Status.SKIP, message, evidence=evidence)


def errored(message: str, fix: str = "", **evidence: Any) -> Outcome:
    """An outcome for a check that could not verify what it checks."""
    return Outcome(Status.ERROR, message, fix, evidence=evidence)


CheckFunction = Callable[..., Outcome]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its metadata, its doc and the function that runs it."""

    id: str
    title: str
    group: str
    severity: Severity
    needs: tuple[str, ...]
    environments: tuple[Rules, ...]
    doc: str
    function: CheckFunction = field(compare=False, repr=False)
    origin: str = "builtin"

    def doc_section(self, heading: str) -> str:
        """One section of the doc ("What it checks", "Why it matters", "How to fix")."""
        return doc_sections(self.doc).get(heading, "")


DOC_HEADINGS = ("What it checks", "Why it matters", "How to fix")


def doc_sections(doc: str) -> dict[str, str]:
    """Split a check doc into its `## Heading` sections."""
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in doc.splitlines():
        if line.startswith("## "):
            if current is not None:
                sections[current] = "\n".join(lines).strip()
            current, lines = line[3:].strip(), []
        elif current is not None:
            lines.append(line)
    if current is not None:
        sections[current] = "\n".join(lines).strip()
    return sections


@dataclass(frozen=True)
class CheckResult:
    """One check's outcome in a run, with the time it took."""

    spec: CheckSpec
    outcome: Outcome
    duration_ms: float

    @property
    def status(self) -> Status:
        return self.outcome.status


@dataclass(frozen=True)
class Target:
    """What a run looked at, as far as it could tell (no secrets), and the line that findings
    without a location of their own are annotated on."""

    root: str
    region: str | None
    user_pool_id: str | None
    app_client_id: str | None
    endpoint_url: str | None
    anchor: Location | None = None


@dataclass(frozen=True)
class Cause:
    """Why a fact could not be produced, as data every failure of that one cause shares.

    `key` groups the failures (e.g. "cannot-connect" for any call that reached nothing, or
    "access-denied cognito-idp:DescribeUserPool" for one missing permission); `summary` says
    it once for the whole run (which identity, which endpoint), `fix` what to do.
    """

    key: str
    summary: str
    fix: str = ""


class FactUnavailable(Exception):
    """A fact could not be produced; every check needing it gets `status` and `reason`, and
    `cause`, when the fact knows one, lets the run say it once for all of them."""

    def __init__(
        self, status: Status, reason: str, fix: str = "", cause: Cause | None = None
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.fix = fix
        self.cause = cause


@dataclass(frozen=True)
class RootCause:
    """One cause that kept several checks from verifying: the check it is reported on (its
    outcome keeps the words), the cause, and the checks skipped "see <check_id>"."""

    check_id: str
    cause: Cause
    dependents: tuple[str, ...]


class Verdict(StrEnum):
    """What a run concluded, and so its exit code."""

    OK = "ok"  # 0: nothing failed, nothing left unverified
    PROBLEMS = "problems"  # 1: at least one check failed (or warned, under --fail-on warning)
    UNVERIFIED = "unverified"  # 3: some checks couldn't be verified, and none failed


@dataclass(frozen=True)
class Report:
    """A finished run: the target and every check's result, in registry order."""

    tool_version: str
    rules: Rules
    target: Target
    results: tuple[CheckResult, ...]
    environment_name: str = ""
    anchor: Location | None = None
    root_causes: tuple[RootCause, ...] = ()

    @property
    def name(self) -> str:
        """The environment's name (a config file's, e.g. staging; else dev or prod)."""
        return self.environment_name or self.rules.value

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @property
    def summary(self) -> dict[str, int]:
        return {status.value: self.count(status) for status in Status}

    @property
    def ok(self) -> bool:
        """True when nothing failed and nothing errored (exit code 0)."""
        return self.verdict(Severity.ERROR) is Verdict.OK

    def problems(self, fail_on: Severity) -> list[CheckResult]:
        """The results that are problems under `--fail-on`: fails and errors always; with
        `warning`, also warnings of checks whose severity is not info."""
        bad = [r for r in self.results if r.status in (Status.FAIL, Status.ERROR)]
        if fail_on is Severity.WARNING:
            bad += [
                r
                for r in self.results
                if r.status is Status.WARN and r.spec.severity is not Severity.INFO
            ]
        return bad

    def unverified(self) -> list[CheckResult]:
        """The checks that could not verify: errors, and the checks skipped onto a root cause."""
        return [r for r in self.results if r.status is Status.ERROR or r.outcome.root]

    def verdict(self, fail_on: Severity) -> Verdict:
        """PROBLEMS when a check failed (or warned, under --fail-on warning); else UNVERIFIED
        when one couldn't verify; else OK."""
        if any(r.status is not Status.ERROR for r in self.problems(fail_on)):
            return Verdict.PROBLEMS
        return Verdict.UNVERIFIED if self.unverified() else Verdict.OK
