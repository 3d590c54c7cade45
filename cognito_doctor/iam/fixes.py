"""What the iam checks print as fixes: the runbook's statement with real values, corrected
and narrowed statements, policy documents with one statement changed, and the `aws iam`
commands that store them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from typing import Any, assert_never

from cognito_doctor.iam.actions import REQUIRED_ACTIONS
from cognito_doctor.iam.arns import Arn, compare_resource, placeholders_in, wildcard_match
from cognito_doctor.iam.kinds import PolicyKind
from cognito_doctor.iam.policies import PolicySource, element_values
from cognito_doctor.iam.principal import Principal
from cognito_doctor.platform.awscli import AwsTarget, aws_command

RUNBOOK_POLICY_NAME = "clinical-platform-user-mgmt"
# IAM is global; the CLI signs its calls for the partition's IAM endpoint whatever the Region.
DEFAULT_REGION = "us-east-1"


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


def compact_json(value: Any) -> str:
    """`value` as JSON on one line, without spaces."""
    return json.dumps(value, separators=(",", ":"))


def pretty_json(value: Any) -> str:
    """`value` as JSON indented by two spaces."""
    return json.dumps(value, indent=2)


def put_policy_command(
    target: AwsTarget,
    source: PolicySource,
    document: Mapping[str, Any],
    region: str = DEFAULT_REGION,
) -> str | None:
    """The `aws iam` command that stores `document` as `source` (None for AWS managed ones)."""
    body = compact_json(document)
    match source.kind:
        case PolicyKind.INLINE:
            owner = {f"{source.owner_type}_name": source.owner}
            return aws_command(
                target,
                "iam",
                f"put-{source.owner_type}-policy",
                region,
                **owner,
                policy_name=source.name,
                policy_document=body,
            )
        case PolicyKind.MANAGED:
            if source.aws_managed or not source.arn:
                return None
            return aws_command(
                target,
                "iam",
                "create-policy-version",
                region,
                policy_arn=source.arn,
                policy_document=body,
                set_as_default=True,
            )
        case unreachable:
            assert_never(unreachable)


def version_limit_note(
    target: AwsTarget, source: PolicySource, region: str = DEFAULT_REGION
) -> str:
    """What to run first when the managed policy already holds IAM's limit of 5 versions
    (create-policy-version then fails with LimitExceeded): delete its oldest non-default one."""
    arn = source.arn or ""
    oldest = aws_command(
        target,
        "iam",
        "list-policy-versions",
        region,
        policy_arn=arn,
        query="sort_by(Versions[?!IsDefaultVersion], &CreateDate)[0].VersionId",
        output="text",
    )
    delete = aws_command(
        target, "iam", "delete-policy-version", region, policy_arn=arn, version_id="VERSION_ID"
    )
    return (
        f"A managed policy keeps at most 5 versions; if {source.name} has 5, "
        f"create-policy-version fails with LimitExceeded: first find its oldest non-default "
        f"version with `{oldest}` and delete it with `{delete}` (VERSION_ID from the first)."
    )


def new_inline_policy_command(
    target: AwsTarget,
    principal: Principal,
    document: Mapping[str, Any],
    taken: Iterable[str] = (),
    region: str = DEFAULT_REGION,
) -> str:
    """`aws iam put-user-policy` / `put-role-policy` adding `document` as a new inline policy."""
    return aws_command(
        target,
        "iam",
        f"put-{principal.kind}-policy",
        region,
        **{f"{principal.kind}_name": principal.name},
        policy_name=free_policy_name(taken),
        policy_document=compact_json(document),
    )


def free_policy_name(taken: Iterable[str]) -> str:
    """The runbook's policy name, numbered past the inline policy names in `taken`."""
    names = set(taken)
    name = RUNBOOK_POLICY_NAME
    counter = 2
    while name in names:
        name = f"{RUNBOOK_POLICY_NAME}-{counter}"
        counter += 1
    return name


def account_id_command(target: AwsTarget, region: str | None = None) -> str:
    """`aws sts get-caller-identity` printing the account id of the run's credentials (STS
    answers in any region: `region` is the run's `--region`, when it had one)."""
    return aws_command(target, "sts", "get-caller-identity", region, query="Account", output="text")
