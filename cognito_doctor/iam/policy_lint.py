"""Linting a policy document offline, by JSON path, for the --policy-file check: its
statements, their Resource entries and every string in it; placeholders left in, actions no
Allow names or a Deny denies, Resources that are not the pool's ARN; and the document corrected
for the pool."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cognito_doctor.iam.actions import REQUIRED_ACTIONS
from cognito_doctor.iam.arns import Arn, compare_resource, placeholders_in
from cognito_doctor.iam.context import RequestContext
from cognito_doctor.iam.evaluate import evaluate_locally
from cognito_doctor.iam.fixes import corrected_statement, runbook_statement
from cognito_doctor.iam.kinds import EvalDecision, OwnerKind, PolicyKind
from cognito_doctor.iam.matching import resource_matches
from cognito_doctor.iam.policies import PolicySource, StatementRef, covers_action, is_deny
from cognito_doctor.iam.policy_file import PolicyFile
from cognito_doctor.iam.remedies import short
from cognito_doctor.iam.validate import document_violations
from cognito_doctor.platform.regions import partition_of

JsonPath = tuple[str | int, ...]


def strings(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every string in `value`, with its JSON path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, (*path, index))


def statement_paths(document: Mapping[str, Any]) -> list[tuple[JsonPath, Mapping[str, Any]]]:
    """The document's statements (one object or a list of them), with their JSON paths."""
    statement = document.get("Statement")
    if isinstance(statement, Mapping):
        return [(("Statement",), statement)]
    if isinstance(statement, list):
        return [(("Statement", i), s) for i, s in enumerate(statement) if isinstance(s, Mapping)]
    return []


def resource_paths(path: JsonPath, statement: Mapping[str, Any]) -> list[tuple[JsonPath, str]]:
    """The statement's Resource entries (at `path`), with their JSON paths."""
    resource = statement.get("Resource")
    if isinstance(resource, str):
        return [((*path, "Resource"), resource)]
    if isinstance(resource, list):
        return [((*path, "Resource", i), r) for i, r in enumerate(resource) if isinstance(r, str)]
    return []


def file_account(document: Mapping[str, Any]) -> str | None:
    """The 12-digit account a policy's cognito-idp Resource names, if any."""
    for _, statement in statement_paths(document):
        for _, resource in resource_paths((), statement):
            parsed = Arn.parse(resource)
            if (
                parsed
                and parsed.service == "cognito-idp"
                and parsed.account.isdigit()
                and len(parsed.account) == 12
            ):
                return parsed.account
    return None


def corrected_file(
    document: Mapping[str, Any],
    statements: Sequence[tuple[JsonPath, Mapping[str, Any]]],
    pool: Arn | None,
) -> dict[str, Any] | None:
    """The policy with its grants of the six actions corrected for `pool` (None: no pool)."""
    if pool is None:
        return None
    fixed: list[Mapping[str, Any]] = []
    granted = False
    for _, statement in statements:
        if is_deny(statement) and any(covers_action(statement, a) for a in REQUIRED_ACTIONS):
            continue  # a Deny of the service's own actions has no place in its policy
        if not is_deny(statement) and any(covers_action(statement, a) for a in REQUIRED_ACTIONS):
            fixed.append(corrected_statement(statement, pool))
            granted = True
        else:
            fixed.append(statement)
    if not granted:
        fixed.append(runbook_statement(str(pool)))
    return {"Version": "2012-10-17", "Statement": fixed}


Statements = Sequence[tuple[JsonPath, Mapping[str, Any]]]


def expected_pool(pool_id: str | None, region: str | None, account: str | None) -> Arn | None:
    """The pool's ARN the .env files name (account from the file, or a placeholder)."""
    if pool_id and region:
        return Arn(
            partition_of(region),
            "cognito-idp",
            region,
            account or "<ACCOUNT_ID>",
            f"userpool/{pool_id}",
        )
    return None


@dataclass
class FileFindings:
    """A policy file's errors and warnings, each with its line (None: no line)."""

    errors: list[tuple[int | None, str]] = field(default_factory=list)
    warnings: list[tuple[int | None, str]] = field(default_factory=list)


def find_placeholders(
    found: FileFindings,
    pf: PolicyFile,
    document: Mapping[str, Any],
    statements: Statements,
    pool: Arn | None,
) -> None:
    """Placeholders left anywhere but in a Resource compared with the pool."""
    in_resources = {path for spath, s in statements for path, _ in resource_paths(spath, s)}
    for path, text in strings(document):
        left = placeholders_in(text)
        if left and (path not in in_resources or pool is None):
            found.errors.append(
                (pf.line_of(*path), f"placeholder {', '.join(left)} never replaced in {text!r}")
            )


def check_version(found: FileFindings, pf: PolicyFile, document: Mapping[str, Any]) -> None:
    """A Version other than 2012-10-17 (policy variables need it)."""
    if document.get("Version") != "2012-10-17":
        found.warnings.append(
            (
                pf.line_of("Version") or 1,
                f'Version is {document.get("Version")!r}, not "2012-10-17" (policy variables '
                "need it)",
            )
        )


def stand_in_arn(pool: Arn | None, account: str | None) -> str | None:
    """A concrete ARN to evaluate against: the file's account, or a stand-in for the unknown one."""
    return (
        str(pool)
        if pool and account
        else (
            f"arn:{pool.partition}:cognito-idp:{pool.region}:000000000000:{pool.resource}"
            if pool
            else None
        )
    )


def file_sources(document: Mapping[str, Any]) -> tuple[PolicySource, ...]:
    """The policy file as the one identity policy the evaluator reads."""
    return (
        PolicySource(PolicyKind.INLINE, OwnerKind.USER, "the service", "policy file", document),
    )


def _ref_path(statements: Statements, ref: StatementRef) -> JsonPath:
    return statements[ref.index][0] if ref.index < len(statements) else ("Statement",)


def check_actions(
    found: FileFindings,
    pf: PolicyFile,
    statements: Statements,
    target: str,
    context: RequestContext,
) -> list[str]:
    """Each of the six actions decided by the evaluator on `target`; the actions denied by
    their Resource (for :func:`check_resources` to explain) are returned."""
    sources = file_sources(pf.document)
    by_resource: list[str] = []
    for action in REQUIRED_ACTIONS:
        verdict = evaluate_locally(sources, action, target, context)
        name = short(action)
        if verdict.decision is EvalDecision.EXPLICIT_DENY:
            for ref in verdict.matched:
                found.errors.append(
                    (
                        pf.line_of(*_ref_path(statements, ref)),
                        f"a Deny statement ({ref.name}) denies {name} on the pool",
                    )
                )
            continue
        if verdict.context_dependent:
            for ref in verdict.conditional:
                found.warnings.append(
                    (
                        pf.line_of(*_ref_path(statements, ref)),
                        f"{name} depends on {', '.join(verdict.missing_context)} in {ref.name}, "
                        "whose value for the service's calls is not known offline",
                    )
                )
        if verdict.decision is EvalDecision.ALLOWED or verdict.context_dependent:
            continue
        if verdict.unmet:
            for unmet in verdict.unmet:
                found.errors.append(
                    (
                        pf.line_of(*_ref_path(statements, unmet.ref)),
                        f"{unmet.ref.name} allows {name} only when its condition on "
                        f"{', '.join(unmet.failing_keys)} holds, and it never does for the "
                        "service's calls (HTTPS with long-term access keys, in the pool's region)",
                    )
                )
            continue
        if not any(not is_deny(s) and covers_action(s, action) for _, s in statements):
            found.errors.append(
                (pf.line_of("Statement"), f"{name} is missing from every Allow statement")
            )
            continue
        by_resource.append(action)
    return by_resource


def check_resources(
    found: FileFindings,
    pf: PolicyFile,
    statements: Statements,
    pool: Arn,
    denied: Sequence[str],
) -> None:
    """Why the Resource of each Allow naming a denied action misses the pool, part by part."""
    seen: set[JsonPath] = set()
    for spath, statement in statements:
        if is_deny(statement) or not any(covers_action(statement, a) for a in denied):
            continue
        if "NotResource" in statement:
            found.errors.append(
                (pf.line_of(*spath, "NotResource"), "the statement's NotResource excludes the pool")
            )
        for rpath, resource in resource_paths(spath, statement):
            # The account is checked when the file names one (the pool's, as far as offline
            # knows); otherwise only its shape.
            known_account = not placeholders_in(pool.account)
            comparison = compare_resource(resource, pool, check_account=known_account)
            if rpath in seen or comparison.matches:
                continue
            seen.add(rpath)
            found.errors.append(
                (pf.line_of(*rpath), f"Resource {resource}: " + "; ".join(comparison.differences))
            )


def check_wildcards(
    found: FileFindings, pf: PolicyFile, statements: Statements, target: str, pool_id: str
) -> None:
    """Allow statements granting the six on more than the pool: a wildcard, or NotResource."""
    for spath, statement in statements:
        if is_deny(statement) or not any(covers_action(statement, a) for a in REQUIRED_ACTIONS):
            continue
        if "NotResource" in statement:
            found.warnings.append(
                (
                    pf.line_of(*spath, "NotResource"),
                    f"NotResource grants the actions on everything it doesn't name, more than "
                    f"the pool {pool_id}",
                )
            )
        for rpath, resource in resource_paths(spath, statement):
            if ("*" in resource or "?" in resource) and resource_matches(resource, target):
                found.warnings.append(
                    (
                        pf.line_of(*rpath),
                        f"Resource {resource} is a wildcard: it grants the actions on more than "
                        f"the pool {pool_id}",
                    )
                )


def report_violations(found: FileFindings, pf: PolicyFile, document: Any) -> bool:
    """IAM's validity rules; True when the document breaks one (then it is not evaluated)."""
    for violation in document_violations(document):
        found.errors.append(
            (pf.line_of(*violation.path), f"not a valid IAM policy: {violation.rule}")
        )
    return bool(found.errors)


__all__ = [
    "FileFindings",
    "JsonPath",
    "Statements",
    "check_actions",
    "check_resources",
    "check_version",
    "check_wildcards",
    "corrected_file",
    "expected_pool",
    "file_account",
    "file_sources",
    "find_placeholders",
    "report_violations",
    "resource_paths",
    "stand_in_arn",
    "statement_paths",
    "strings",
]
