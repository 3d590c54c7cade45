"""What the iam checks print as fixes: the runbook's statement with real values, corrected
and narrowed statements, policy documents with one statement changed, and the `aws iam`
commands that store them."""

from __future__ import annotations

import copy
import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from cognito_doctor.iam.actions import REQUIRED_ACTIONS
from cognito_doctor.iam.arns import Arn, compare_resource, placeholders_in, wildcard_match
from cognito_doctor.iam.policies import PolicySource, element_values, policy_statements
from cognito_doctor.iam.principal import Principal

RUNBOOK_POLICY_NAME = "clinical-platform-user-mgmt"


def runbook_statement(pool: str, actions: Iterable[str] = REQUIRED_ACTIONS) -> dict[str, Any]:
    """The runbook's step-2 statement with real values."""
    return {"Effect": "Allow", "Action": list(actions), "Resource": pool}


def runbook_policy(pool: str) -> dict[str, Any]:
    """The runbook's policy document: its one statement, with real values."""
    return {"Version": "2012-10-17", "Statement": [runbook_statement(pool)]}


def _pool_like(pattern: str, pool: Arn) -> bool:
    """A Resource entry meant to be this pool: a user-pool ARN, or one with placeholders."""
    parsed = Arn.parse(pattern)
    if placeholders_in(pattern) or parsed is None:
        return True
    return "cognito" in parsed.service or parsed.resource.startswith("userpool")


def corrected_statement(
    statement: Mapping[str, Any] | None, pool: Arn, actions: Iterable[str] = REQUIRED_ACTIONS
) -> dict[str, Any]:
    """`statement` rewritten to allow `actions` on the pool: wrong or placeholder pool ARNs
    replaced with the pool's, missing actions added, everything else (Sid, Condition) kept."""
    wanted = list(actions)
    if statement is None:
        return runbook_statement(str(pool), wanted)
    fixed: dict[str, Any] = {}
    if "Sid" in statement:
        fixed["Sid"] = statement["Sid"]
    fixed["Effect"] = "Allow"
    if "Action" in statement:
        existing = element_values(statement["Action"])
        missing = [
            a for a in wanted if not any(wildcard_match(p, a, ignore_case=True) for p in existing)
        ]
        fixed["Action"] = existing + missing
    else:
        fixed["Action"] = wanted
    resources: list[str] = []
    if "Resource" in statement:
        for pattern in element_values(statement["Resource"]):
            matches = compare_resource(pattern, pool).matches
            keep = matches or not _pool_like(pattern, pool)
            entry = pattern if keep else str(pool)
            if entry not in resources:
                resources.append(entry)
    if not any(wildcard_match(p, str(pool)) for p in resources):
        resources.append(str(pool))
    fixed["Resource"] = resources[0] if len(resources) == 1 else resources
    for key, value in statement.items():
        if key not in ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"):
            fixed[key] = copy.deepcopy(value)
    return fixed


def narrowed_statement(statement: Mapping[str, Any], pool: Arn) -> dict[str, Any]:
    """`statement` cut down to the six actions on the pool (for iam.least-privilege)."""
    fixed: dict[str, Any] = {}
    if "Sid" in statement:
        fixed["Sid"] = statement["Sid"]
    fixed.update(runbook_statement(str(pool)))
    if "Condition" in statement:
        fixed["Condition"] = copy.deepcopy(statement["Condition"])
    return fixed


def document_with(
    source: PolicySource, index: int | None, statement: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The source's document with statement `index` replaced by `statement` (None deletes
    it; index None appends)."""
    document = copy.deepcopy(dict(source.document))
    statements = [copy.deepcopy(dict(s)) for s in policy_statements(source.document)]
    if index is None:
        if statement is not None:
            statements.append(dict(statement))
    elif statement is None:
        del statements[index]
    else:
        statements[index] = dict(statement)
    document["Statement"] = statements
    document.setdefault("Version", "2012-10-17")
    return document


def compact_json(value: Any) -> str:
    """`value` as JSON on one line, without spaces."""
    return json.dumps(value, separators=(",", ":"))


def pretty_json(value: Any) -> str:
    """`value` as JSON indented by two spaces."""
    return json.dumps(value, indent=2)


def put_policy_command(source: PolicySource, document: Mapping[str, Any]) -> str | None:
    """The `aws iam` command that stores `document` as `source` (None for AWS managed ones)."""
    body = shlex.quote(compact_json(document))
    if source.kind == "inline":
        return (
            f"aws iam put-{source.owner_type}-policy --{source.owner_type}-name "
            f"{shlex.quote(source.owner)} --policy-name {shlex.quote(source.name)} "
            f"--policy-document {body}"
        )
    if source.aws_managed or not source.arn:
        return None
    return (
        f"aws iam create-policy-version --policy-arn {shlex.quote(source.arn)} "
        f"--policy-document {body} --set-as-default"
    )


def new_inline_policy_command(
    principal: Principal, document: Mapping[str, Any], taken: Iterable[str] = ()
) -> str:
    """`aws iam put-user-policy` / `put-role-policy` adding `document` as a new inline policy."""
    names = set(taken)
    name = RUNBOOK_POLICY_NAME
    counter = 2
    while name in names:
        name = f"{RUNBOOK_POLICY_NAME}-{counter}"
        counter += 1
    return (
        f"aws iam put-{principal.kind}-policy --{principal.kind}-name "
        f"{shlex.quote(principal.name)} --policy-name {shlex.quote(name)} "
        f"--policy-document {shlex.quote(compact_json(document))}"
    )
