"""iam:SimulatePrincipalPolicy for moto's server: the sandbox's stand-in for AWS's simulator.

moto stores IAM users, groups, roles and their policies but does not implement
SimulatePrincipalPolicy. :func:`install` adds a handler to moto's IAM responses (moto
dispatches an action to the method of the same name) that reads the principal's stored
identity policies (a user's inline and attached policies and its groups' policies; a role's
inline and attached policies and its permissions boundary) and answers in the response shape
AWS documents: `EvaluationResults` members with `EvalActionName`, `EvalResourceName`,
`EvalDecision` (allowed | implicitDeny | explicitDeny), `MatchedStatements`,
`MissingContextValues` and `ResourceSpecificResults`, paged with `IsTruncated` / `Marker`.
moto's own serializer turns the result into XML from botocore's IAM model.

This is sandbox support code for the demo and the tests. It deliberately shares nothing with
the product's local fallback evaluator in :mod:`cognito_doctor.iam`, so that evaluator is never
used to check itself. It knows only what the sandbox needs: Allow / Deny, Action / NotAction,
Resource / NotResource, `*` and `?` wildcards. It is given no context values, so a statement
with a Condition never applies and its condition keys are reported as missing context values,
as AWS does for keys the request does not supply.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cognito_doctor.iam.policies import decode_document

DEFAULT_MAX_ITEMS = 100
_INSTALLED_MARK = "__cognito_doctor_sandbox__"


@dataclass(frozen=True)
class _StoredPolicy:
    """One policy document as moto stores it, with the id AWS's simulator would report."""

    source_id: str
    source_type: str  # user | group | role | user-managed | aws-managed
    document: Mapping[str, Any]


def install() -> None:
    """Teach moto's IAM responses SimulatePrincipalPolicy (idempotent, in this process)."""
    from moto.iam.responses import IamResponse

    existing = getattr(IamResponse, "simulate_principal_policy", None)
    if existing is not None and getattr(existing, _INSTALLED_MARK, False):
        return
    setattr(_simulate_principal_policy, _INSTALLED_MARK, True)
    setattr(IamResponse, "simulate_principal_policy", _simulate_principal_policy)  # noqa: B010


def _simulate_principal_policy(self: Any) -> Any:
    """The moto handler: `self` is moto's IamResponse for the request."""
    from moto.core.responses import ActionResult
    from moto.iam.exceptions import NotFoundException

    source_arn = str(self._get_param("PolicySourceArn") or "")
    actions = [str(a) for a in self._get_param("ActionNames") or []]
    resources = [str(r) for r in self._get_param("ResourceArns") or []] or ["*"]
    max_items = int(self._get_param("MaxItems") or DEFAULT_MAX_ITEMS)
    start = int(self._get_param("Marker") or 0)
    try:
        policies, boundary = _principal_policies(self.backend, source_arn)
    except LookupError as exc:
        raise NotFoundException(str(exc)) from None
    results = [_evaluate_action(action, resources, policies, boundary) for action in actions]
    page = results[start : start + max_items]
    body: dict[str, Any] = {"EvaluationResults": page}
    if start + max_items < len(results):
        body["IsTruncated"] = True
        body["Marker"] = str(start + max_items)
    else:
        body["IsTruncated"] = False
    return ActionResult(body)


# --- reading moto's stored policies ----------------------------------------------------


def _document(raw: Any) -> Mapping[str, Any]:
    return decode_document(raw, "stored in moto")


def _managed_document(policy: Any) -> Mapping[str, Any]:
    for version in policy.versions:
        if version.is_default:
            return _document(version.document)
    return {}


def _managed(policies: Iterable[Any]) -> list[_StoredPolicy]:
    stored = []
    for policy in policies:
        kind = "aws-managed" if ":iam::aws:policy/" in policy.arn else "user-managed"
        stored.append(_StoredPolicy(policy.name, kind, _managed_document(policy)))
    return stored


def _inline(kind: str, owner: str, policies: Mapping[str, Any]) -> list[_StoredPolicy]:
    return [
        _StoredPolicy(f"{kind}_{owner}_{name}", kind, _document(document))
        for name, document in policies.items()
    ]


def _principal_policies(
    backend: Any, arn: str
) -> tuple[list[_StoredPolicy], Mapping[str, Any] | None]:
    """(identity policies, permissions boundary document) of the user or role `arn` names.

    The ARN must match the entity exactly, path included, as AWS requires.
    """
    match = re.fullmatch(r"arn:[\w-]+:iam::\d{12}:(user|role)(/.*)?/([\w+=,.@-]+)", arn)
    if match is None:
        raise LookupError(f"PolicySourceArn {arn} is not an IAM user or role ARN")
    kind, name = match.group(1), match.group(3)
    entity: Any = None
    if kind == "user":
        entity = backend.users.get(name)
    else:
        entity = next((role for role in backend.roles.values() if role.name == name), None)
    if entity is None or entity.arn != arn:
        raise LookupError(f"The {kind} with ARN {arn} cannot be found.")
    policies = _inline(kind, name, entity.policies)
    policies += _managed(entity.managed_policies.values())
    if kind == "user":
        for group in backend.get_groups_for_user(name):
            policies += _inline("group", group.name, group.policies)
            policies += _managed(group.managed_policies.values())
    boundary_arn = getattr(entity, "permissions_boundary_arn", None)
    boundary = None
    if boundary_arn:
        boundary = _managed_document(backend.get_policy(boundary_arn))
    return policies, boundary


# --- evaluating ------------------------------------------------------------------------


def _values(element: Any) -> list[str]:
    if isinstance(element, str):
        return [element]
    if isinstance(element, list):
        return [str(v) for v in element]
    return []


def _wildcard(pattern: str, value: str, *, ignore_case: bool) -> bool:
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def _covers(statement: Mapping[str, Any], key: str, value: str, *, ignore_case: bool) -> bool:
    """Whether `Action`/`Resource` (or their `Not` forms) of `statement` cover `value`."""
    if key in statement:
        return any(_wildcard(p, value, ignore_case=ignore_case) for p in _values(statement[key]))
    if f"Not{key}" in statement:
        patterns = _values(statement[f"Not{key}"])
        return not any(_wildcard(p, value, ignore_case=ignore_case) for p in patterns)
    return False


def _statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statement = document.get("Statement", [])
    statements = statement if isinstance(statement, list) else [statement]
    return [s for s in statements if isinstance(s, Mapping)]


def _condition_keys(statement: Mapping[str, Any]) -> list[str]:
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return []
    return [str(key) for block in condition.values() if isinstance(block, Mapping) for key in block]


@dataclass
class _Verdict:
    decision: str
    matched: list[dict[str, str]]
    missing: set[str]


def _evaluate(action: str, resource: str, policies: Iterable[_StoredPolicy]) -> _Verdict:
    allows: list[dict[str, str]] = []
    denies: list[dict[str, str]] = []
    missing: set[str] = set()
    for policy in policies:
        for statement in _statements(policy.document):
            if not _covers(statement, "Action", action, ignore_case=True):
                continue
            if not _covers(statement, "Resource", resource, ignore_case=False):
                continue
            keys = _condition_keys(statement)
            if keys:  # no context values are given, so the condition cannot hold
                missing.update(keys)
                continue
            matched = {"SourcePolicyId": policy.source_id, "SourcePolicyType": policy.source_type}
            (denies if statement.get("Effect") == "Deny" else allows).append(matched)
    if denies:
        return _Verdict("explicitDeny", denies, missing)
    if allows:
        return _Verdict("allowed", allows, missing)
    return _Verdict("implicitDeny", [], missing)


def _evaluate_action(
    action: str,
    resources: list[str],
    policies: list[_StoredPolicy],
    boundary: Mapping[str, Any] | None,
) -> dict[str, Any]:
    per_resource = []
    order = {"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}
    top = "allowed"
    matched_all: list[dict[str, str]] = []
    missing_all: set[str] = set()
    boundary_allows_all = True
    for resource in resources:
        verdict = _evaluate(action, resource, policies)
        entry: dict[str, Any] = {"EvalResourceName": resource}
        if boundary is not None:
            bounded = _evaluate(action, resource, [_StoredPolicy("boundary", "none", boundary)])
            allowed_by_boundary = bounded.decision == "allowed"
            boundary_allows_all = boundary_allows_all and allowed_by_boundary
            entry["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": allowed_by_boundary
            }
            if verdict.decision == "allowed" and not allowed_by_boundary:
                verdict = _Verdict(
                    "explicitDeny" if bounded.decision == "explicitDeny" else "implicitDeny",
                    [],
                    verdict.missing | bounded.missing,
                )
        entry["EvalResourceDecision"] = verdict.decision
        entry["MatchedStatements"] = verdict.matched
        entry["MissingContextValues"] = sorted(verdict.missing)
        per_resource.append(entry)
        if order[verdict.decision] > order[top]:
            top = verdict.decision
        matched_all += [m for m in verdict.matched if m not in matched_all]
        missing_all |= verdict.missing
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resources[0] if len(resources) == 1 else "*",
        "EvalDecision": top,
        "MatchedStatements": matched_all,
        "MissingContextValues": sorted(missing_all),
        "ResourceSpecificResults": per_resource,
    }
    if boundary is not None:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": boundary_allows_all
        }
    return result


__all__ = ["install"]
