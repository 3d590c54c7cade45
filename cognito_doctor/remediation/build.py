"""Building the plan from a report: the checks' changes (their `Outcome.change`, never their
words) merged per resource, each resource read once, one command per resource.

Every value comes from one resolution of the target (:func:`platform.target.read_target`):
the pool id and region the checks looked at, the same for every resource.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.checks.changes import Resource
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.platform.awscli import (
    AwsTarget,
    aws_command,
    cli_input_command,
    update_user_pool_client_input,
    update_user_pool_input,
    without_defaults,
)
from cognito_doctor.platform.envfiles import EnvFiles, read_env_file
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef, read_target
from cognito_doctor.remediation.envedit import edit_env_text, unified_diff
from cognito_doctor.remediation.iam_policy import plan_policy
from cognito_doctor.remediation.newpool import new_pool_plan
from cognito_doctor.remediation.plan import ByHand, MemberChange, Plan, ResourcePlan, policy_label

if TYPE_CHECKING:
    from cognito_doctor.aws.clients import AwsAccess

# (resource, target) → [(check id, members)], in report order.
Collected = dict[tuple[Resource, str], list[tuple[str, Mapping[str, Any]]]]


def collect(report: Report) -> tuple[Collected, list[ByHand]]:
    """The changes of every failing or warning check, per resource, and the problems that
    come with no change (to do by hand)."""
    collected: Collected = {}
    by_hand: list[ByHand] = []
    for result in report.results:
        outcome = result.outcome
        if outcome.status not in (Status.FAIL, Status.WARN, Status.ERROR):
            continue
        change = outcome.change
        if change is None:
            by_hand.append(ByHand(result.spec.id, outcome.status.value, outcome.fix))
            continue
        for target in change.targets:
            key = (Resource(change.resource), target)
            collected.setdefault(key, []).append((result.spec.id, change.members))
    return collected, by_hand


def get_path(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return copy.deepcopy(value)


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, dict):
            child = data[part] = {}
        data = child
    data[last] = copy.deepcopy(value)


def _merged(
    base: Mapping[str, Any], items: Iterable[tuple[str, Mapping[str, Any]]]
) -> tuple[dict[str, Any], list[MemberChange], list[str]]:
    """`base` with every item's members applied; the changes (before → after) and checks."""
    request = copy.deepcopy(dict(base))
    changes: dict[str, MemberChange] = {}
    checks: list[str] = []
    for check_id, members in items:
        for path, value in members.items():
            before = get_path(base, path)
            if before == value:
                continue
            set_path(request, path, value)
            changes[path] = MemberChange(path, before, copy.deepcopy(value))
            if check_id not in checks:
                checks.append(check_id)
    return request, list(changes.values()), checks


def build_plan(report: Report, config: RunConfig, aws: AwsAccess | None) -> Plan:
    """The plan for `report` (a run of `config`); `aws` reads the resources (None offline)."""
    collected, by_hand = collect(report)
    files = EnvFiles(
        read_env_file(config.root, config.um_env_path),
        read_env_file(config.root, config.auth_env_path),
    )
    plan = Plan(config, by_hand=by_hand, secrets=tuple(files.secret_values()))
    ref = read_target(files, config.region).pool_ref()
    pool_keys = [k for k in collected if k[0] in (Resource.POOL, Resource.MFA, Resource.NEW_POOL)]
    client_keys = [k for k in collected if k[0] is Resource.CLIENT]
    if (pool_keys or client_keys) and (aws is None or isinstance(ref, str)):
        why = "run without --offline" if aws is None else str(ref)
        plan.unread += [(f"{kind.value} {target}", why) for kind, target in pool_keys + client_keys]
    elif aws is not None and isinstance(ref, PoolRef):
        if pool_keys:
            _plan_pool(plan, collected, ref, aws)
        for _, client_id in client_keys:
            _plan_client(plan, collected[(Resource.CLIENT, client_id)], ref, client_id, aws)
    policy_keys = [k for k in collected if k[0] is Resource.IAM_POLICY]
    if policy_keys and aws is not None and isinstance(ref, PoolRef):
        for _, policy in policy_keys:
            item = plan_policy(plan, policy, collected[(Resource.IAM_POLICY, policy)], ref, aws)
            if item is not None:
                plan.resources.append(item)
    elif policy_keys:
        why = "run without --offline" if aws is None else str(ref)
        plan.unread += [(policy_label(target), why) for _, target in policy_keys]
    for (kind, label), items in collected.items():
        if kind is Resource.ENV_FILE:
            _plan_env_file(plan, label, items)
    return plan


def _plan_pool(plan: Plan, collected: Collected, ref: PoolRef, aws: AwsAccess) -> None:
    config = plan.config
    try:
        idp = aws.operator("cognito-idp", ref.region)
        pool = dict(idp.describe_user_pool(UserPoolId=ref.pool_id)["UserPool"])
    except AwsError as exc:
        plan.unread.append(
            (f"user pool {ref.pool_id}", exc.explain(action="cognito-idp:DescribeUserPool")[0])
        )
        return
    target = AwsTarget.of(config)
    mfa = collected.get((Resource.MFA, ref.pool_id), [])
    items = list(collected.get((Resource.POOL, ref.pool_id), []))
    if items:  # UpdateUserPool carries MfaConfiguration: the planned one, not a stale copy.
        items += [
            (c, {"MfaConfiguration": m["MfaConfiguration"]})
            for c, m in mfa
            if "MfaConfiguration" in m
        ]
    request, changes, checks = _merged(update_user_pool_input(pool, {}), items)
    # The members AWS applies when omitted are left out after the changes too (a check's
    # change may carry one back in, e.g. a password policy with PasswordHistorySize 0).
    request = without_defaults(request)
    if changes:
        command = cli_input_command(target, "cognito-idp", "update-user-pool", ref.region, request)
        plan.resources.append(
            ResourcePlan(
                Resource.POOL,
                ref.pool_id,
                ref.region,
                tuple(checks),
                tuple(changes),
                command,
                request,
                pool,
            )
        )
    if mfa:
        wanted = str(mfa[-1][1].get("MfaConfiguration", "OFF"))
        before = str(pool.get("MfaConfiguration") or "OFF")
        if before != wanted:
            request = {"UserPoolId": ref.pool_id, "MfaConfiguration": wanted}
            command = aws_command(
                target,
                "cognito-idp",
                "set-user-pool-mfa-config",
                ref.region,
                user_pool_id=ref.pool_id,
                mfa_configuration=wanted,
            )
            plan.resources.append(
                ResourcePlan(
                    Resource.MFA,
                    ref.pool_id,
                    ref.region,
                    tuple(c for c, _ in mfa),
                    (MemberChange("MfaConfiguration", before, wanted),),
                    command,
                    request,
                    pool,
                )
            )
    new_pool = collected.get((Resource.NEW_POOL, ref.pool_id))
    if new_pool:
        plan.new_pool = new_pool_plan(pool, ref, config, new_pool)


def _plan_client(
    plan: Plan,
    items: list[tuple[str, Mapping[str, Any]]],
    ref: PoolRef,
    client_id: str,
    aws: AwsAccess,
) -> None:
    try:
        idp = aws.operator("cognito-idp", ref.region)
        client = dict(
            idp.describe_user_pool_client(UserPoolId=ref.pool_id, ClientId=client_id)[
                "UserPoolClient"
            ]
        )
    except AwsError as exc:
        why = exc.explain(action="cognito-idp:DescribeUserPoolClient")[0]
        plan.unread.append((f"app client {client_id}", why))
        return
    if client.get("ClientSecret"):
        plan.secrets = (*plan.secrets, str(client["ClientSecret"]))
    base = update_user_pool_client_input(client, {})
    request, changes, checks = _merged(base, items)
    if not changes:
        return
    target = AwsTarget.of(plan.config)
    command = cli_input_command(
        target, "cognito-idp", "update-user-pool-client", ref.region, request
    )
    plan.resources.append(
        ResourcePlan(
            Resource.CLIENT,
            client_id,
            ref.region,
            tuple(checks),
            tuple(changes),
            command,
            request,
            client,
        )
    )


def _plan_env_file(plan: Plan, label: str, items: list[tuple[str, Mapping[str, Any]]]) -> None:
    path = plan.config.root / label
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        plan.unread.append((label, f"cannot be read: {exc}"))
        return
    keys: dict[str, str | None] = {}
    checks: list[str] = []
    changes: dict[str, MemberChange] = {}
    current = read_env_file(plan.config.root, label)
    for check_id, members in items:
        for key, value in members.items():
            before = current.get(key)
            if before == value:
                continue
            keys[key] = value
            changes[key] = MemberChange(key, before, value)
            if check_id not in checks:
                checks.append(check_id)
    if not keys:
        return
    try:
        edited = edit_env_text(text, keys)
    except ValueError as exc:
        plan.unread.append((label, str(exc)))
        return
    plan.resources.append(
        ResourcePlan(
            Resource.ENV_FILE,
            label,
            "",
            tuple(checks),
            tuple(changes.values()),
            unified_diff(label, text, edited),
            {"text": edited},
            text,
        )
    )
