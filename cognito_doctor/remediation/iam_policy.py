"""The service's IAM policies in the plan: every statement edit the iam checks propose to one
policy merged into one write, read before it is planned and again before it is applied.

AWS (botocore's IAM model): PutUserPolicy / PutRolePolicy / PutGroupPolicy "add or update"
an inline policy, replacing its whole document; a managed policy changes by
CreatePolicyVersion with SetAsDefault, and "a managed policy can have up to five versions.
If the policy has five versions, you must delete an existing version using
DeletePolicyVersion before you create a new version" (which cannot delete the default
version). GetUserPolicy's documents are "URL-encoded compliant with RFC 3986".
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.checks.changes import Resource
from cognito_doctor.iam.fixes import compact_json
from cognito_doctor.iam.policies import policy_statements
from cognito_doctor.platform.awscli import AwsTarget, aws_command
from cognito_doctor.platform.target import PoolRef
from cognito_doctor.remediation.plan import (
    MemberChange,
    Plan,
    Refused,
    ResourcePlan,
    policy_label,
)

if TYPE_CHECKING:
    from cognito_doctor.aws.clients import AwsAccess

# IAM keeps at most this many versions of a managed policy (CreatePolicyVersion).
MAX_POLICY_VERSIONS = 5
Items = Sequence[tuple[str, Mapping[str, Any]]]


def document_of(raw: Any) -> dict[str, Any] | None:
    """A policy document from boto3 (decoded already) or as URL-encoded JSON text."""
    if raw is None or isinstance(raw, Mapping):
        return dict(raw) if raw is not None else None
    text = str(raw)
    try:
        loaded = json.loads(text)
    except ValueError:
        loaded = json.loads(unquote(text))
    return dict(loaded) if isinstance(loaded, Mapping) else {}


def read_policy(iam: Any, policy: Mapping[str, Any]) -> dict[str, Any]:
    """The policy as it is now: its document (None for an inline policy that does not exist),
    and for a managed one its default version and its other versions, oldest first."""
    if policy["Kind"] == "managed":
        arn = policy["PolicyArn"]
        default = str(iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"])
        version = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        others = sorted((v for v in versions if not v.get("IsDefaultVersion")), key=_age)
        return {
            "Document": document_of(version["Document"]),
            "DefaultVersionId": default,
            "Versions": len(versions),
            "Oldest": str(others[0]["VersionId"]) if others else None,
        }
    kind = str(policy["OwnerType"])
    owner = {f"{kind.capitalize()}Name": policy["Owner"]}
    try:
        answer = getattr(iam, f"get_{kind}_policy")(PolicyName=policy["PolicyName"], **owner)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return {"Document": None}
        raise
    return {"Document": document_of(answer["PolicyDocument"])}


def _read_action(policy: Mapping[str, Any]) -> str:
    # The facts read the default version already: what the plan adds is the version list.
    if policy["Kind"] == "managed":
        return "iam:ListPolicyVersions"
    return f"iam:Get{str(policy['OwnerType']).capitalize()}Policy"


def _age(version: Mapping[str, Any]) -> tuple[str, int]:
    # Versions made within one second share a CreateDate: IAM numbers them v1, v2, … in the
    # order they were made, which breaks the tie.
    number = str(version.get("VersionId", "")).lstrip("v")
    return str(version.get("CreateDate")), int(number) if number.isdigit() else 0


def merged_statements(
    document: Mapping[str, Any] | None, items: Items
) -> tuple[list[Any], list[MemberChange], list[str]]:
    """The statements after every check's edits (later checks win on the same statement),
    the changes (before → after) and the checks that made them."""
    statements: list[Any] = [copy.deepcopy(s) for s in policy_statements(document or {})]
    before = copy.deepcopy(statements)
    replaced: dict[int, Any] = {}
    added: list[Any] = []
    checks: list[str] = []
    for check_id, entry in items:
        for index, statement in entry["Statements"].items():
            replaced[int(index)] = statement
        added += [s for s in entry["Added"] if s not in added]
        if check_id not in checks:
            checks.append(check_id)
    changes = [
        change
        for index in sorted(replaced)
        if index < len(before)
        for change in statement_changes(index, before[index], replaced[index])
    ]
    changes += [MemberChange("Statement[+]", None, s) for s in added]
    kept = [replaced.get(i, s) for i, s in enumerate(statements)]
    return [s for s in kept if s is not None] + added, changes, checks


def statement_changes(index: int, before: Any, after: Any) -> list[MemberChange]:
    """A replaced statement's changes, element by element (Resource, Action, …) when it is
    still there, so the before → after shows what differs."""
    name = f"Statement[{index}]"
    if not isinstance(before, Mapping) or not isinstance(after, Mapping):
        return [MemberChange(name, before, after)] if before != after else []
    keys = list(dict.fromkeys([*before, *after]))
    return [
        MemberChange(f"{name}.{key}", before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key)
    ]


def plan_policy(
    plan: Plan, target_key: str, items: Items, ref: PoolRef, aws: AwsAccess
) -> ResourcePlan | None:
    """The one write to the policy `target_key` for every check's edits (None: nothing to do,
    or the policy could not be read or changed since the checks read it)."""
    entries = [(check_id, members[target_key]) for check_id, members in items]
    policy = entries[-1][1]["Policy"]
    label = policy_label(target_key)
    try:
        read = read_policy(aws.operator("iam", ref.region), policy)
    except AwsError as exc:
        plan.unread.append((label, exc.explain(action=_read_action(policy))[0]))
        return None
    if any(entry["Document"] != read["Document"] for _, entry in entries):
        plan.unread.append(
            (label, "changed since the checks read it: run `cognito-doctor fix` again")
        )
        return None
    statements, changes, checks = merged_statements(read["Document"], entries)
    if not changes:
        return None
    document = {**(read["Document"] or {"Version": "2012-10-17"}), "Statement": statements}
    request = policy_request(policy, document if statements else None, read)
    command = policy_command(AwsTarget.of(plan.config), ref.region, request)
    return ResourcePlan(
        Resource.IAM_POLICY,
        target_key,
        ref.region,
        tuple(checks),
        tuple(changes),
        command,
        request,
        read,
    )


def policy_request(
    policy: Mapping[str, Any], document: Mapping[str, Any] | None, read: Mapping[str, Any]
) -> dict[str, Any]:
    """The calls that write the policy, in order: {"Policy": policy, "Calls": [(operation,
    params), …]}."""
    kind, owner_type = policy["Kind"], str(policy["OwnerType"])
    owner = {f"{owner_type.capitalize()}Name": policy["Owner"]}
    calls: list[tuple[str, dict[str, Any]]] = []
    if kind == "managed":
        arn = {"PolicyArn": policy["PolicyArn"]}
        if document is None:
            calls.append((f"detach_{owner_type}_policy", {**owner, **arn}))
        else:
            if read["Versions"] >= MAX_POLICY_VERSIONS and read["Oldest"]:
                calls.append(("delete_policy_version", {**arn, "VersionId": read["Oldest"]}))
            body = {"PolicyDocument": compact_json(document), "SetAsDefault": True}
            calls.append(("create_policy_version", {**arn, **body}))
    else:
        name = {"PolicyName": policy["PolicyName"]}
        if document is None:
            calls.append((f"delete_{owner_type}_policy", {**owner, **name}))
        else:
            body = {"PolicyDocument": compact_json(document)}
            calls.append((f"put_{owner_type}_policy", {**owner, **name, **body}))
    return {"Policy": dict(policy), "Calls": calls}


def policy_command(target: AwsTarget, region: str, request: Mapping[str, Any]) -> str:
    """The request as `aws iam` commands, joined by `&&` (the oldest version deleted first)."""
    commands = []
    for operation, params in request["Calls"]:
        options: dict[str, str | bool] = {}
        for member, value in params.items():
            snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in member).lstrip("_")
            options[snake] = value
        commands.append(aws_command(target, "iam", operation.replace("_", "-"), region, **options))
    return " && ".join(commands)


def apply_policy(item: ResourcePlan, aws: AwsAccess) -> str:
    """Write the policy after reading it again; Refused when it changed since the plan."""
    iam = aws.operator("iam", item.region)
    policy = item.request["Policy"]
    now = read_policy(iam, policy)
    if now["Document"] != item.read["Document"]:
        raise Refused(
            f"the {policy_label(item.target)} changed since the plan was made; run "
            "`cognito-doctor fix` again for a plan of it as it is now"
        )
    if now.get("DefaultVersionId") != item.read.get("DefaultVersionId"):
        raise Refused(
            f"the default version of {item.target} is {now['DefaultVersionId']} now, "
            f"{item.read['DefaultVersionId']} in the plan; run `cognito-doctor fix` again"
        )
    for operation, params in item.request["Calls"]:
        if operation == "delete_policy_version" and now["Oldest"] != params["VersionId"]:
            raise Refused(f"the versions of {item.target} changed since the plan was made")
    for operation, params in item.request["Calls"]:
        getattr(iam, operation)(**params)
    return " && ".join(operation.replace("_", "-") for operation, _ in item.request["Calls"])


def policy_action(item: ResourcePlan) -> str:
    """The IAM action of the policy's last (main) write, e.g. `iam:PutUserPolicy`."""
    operation = item.request["Calls"][-1][0]
    return "iam:" + "".join(part.capitalize() for part in operation.split("_"))
