"""The changes the checks propose, as data for the fix plan (:mod:`cognito_doctor.remediation`).

A check's fix text says what to do; its `Change` says the same as resource, targets and
members, so the plan can merge every change to one resource into one command without
reading any check's words. This module also knows which of the pool checks want to change
the pool for a given DescribeUserPool answer, so that a check can tell when its own
`update-user-pool` command would carry a stale copy of another check's setting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from cognito_doctor.checks.pool_values import (
    PROD_MIN_PASSWORD_LENGTH,
    password_policy_of,
    password_shortfalls,
    recovery_names,
)
from cognito_doctor.engine.model import Change
from cognito_doctor.iam.kinds import PolicyKind
from cognito_doctor.iam.policies import PolicySource
from cognito_doctor.iam.remedies import PolicyWrite
from cognito_doctor.platform.envfiles import EnvFile
from cognito_doctor.platform.settings import RunConfig


class Resource(StrEnum):
    """The kinds of resource a change is made to."""

    POOL = "pool"  # UpdateUserPool members
    MFA = "mfa"  # SetUserPoolMfaConfig
    CLIENT = "client"  # UpdateUserPoolClient members
    ENV_FILE = "env-file"  # keys of a .env file (None removes the key)
    NEW_POOL = "new-pool"  # settings only a new pool can have
    # The service's identity policies: one target per policy (see iam_policy_key), and the
    # members per target: {"Policy": where it is, "Document": the document the checks read
    # (None for a new one), "Statements": {index: statement or None}, "Added": [...]}.
    IAM_POLICY = "iam-policy"


def pool_change(pool_id: str, **members: Any) -> Change:
    """A change to UpdateUserPool members (`Policies__PasswordPolicy` reaches into Policies)."""
    return Change(Resource.POOL, {k.replace("__", "."): v for k, v in members.items()}, (pool_id,))


def mfa_change(pool_id: str, mfa: str) -> Change:
    return Change(Resource.MFA, {"MfaConfiguration": mfa}, (pool_id,))


def client_change(client_id: str, **members: Any) -> Change:
    return Change(Resource.CLIENT, members, (client_id,))


def env_change(files: tuple[str, ...], **keys: str | None) -> Change:
    """Keys to set (or, with None, remove) in each of the `.env` files labelled `files`."""
    return Change(Resource.ENV_FILE, keys, files)


def new_pool_change(pool_id: str, **settings: Any) -> Change:
    return Change(Resource.NEW_POOL, settings, (pool_id,))


def iam_policy_key(source: PolicySource) -> str:
    r"""A policy's target: a managed policy's ARN, an inline one's `owner-type/owner/name`
    (IAM names hold no `/`: users, roles, groups and policies allow `[\w+=,.@-]`)."""
    if source.kind is PolicyKind.MANAGED:
        return str(source.arn)
    return f"{source.owner_type.value}/{source.owner}/{source.name}"


def iam_policy_change(writes: Sequence[PolicyWrite]) -> Change | None:
    """The policy edits of an iam check, for the plan (None when no policy can be written)."""
    members: dict[str, Any] = {}
    for write in writes:
        if not write.editable:
            continue
        source = write.source
        members[iam_policy_key(source)] = {
            "Policy": {
                "Kind": source.kind.value,
                "OwnerType": source.owner_type.value,
                "Owner": source.owner,
                "PolicyName": source.name,
                "PolicyArn": source.arn,
            },
            "Document": None if write.new else dict(source.document),
            "Statements": {str(i): s for i, s in sorted(write.replaced.items())},
            "Added": list(write.added),
        }
    return Change(Resource.IAM_POLICY, members, tuple(members)) if members else None


def pending_pool_changes(pool: Mapping[str, Any], settings: RunConfig) -> list[str]:
    """The ids of the checks that want this pool changed in place (UpdateUserPool, or MFA,
    which UpdateUserPool also carries): with more than one, no single check's command is safe
    to paste, since each carries the others' settings as they are now."""
    pending = []
    if not (pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"):
        pending.append("pool.self-signup")
    if "email" not in (pool.get("AutoVerifiedAttributes") or []):
        pending.append("pool.email-verification")
    if recovery_names(pool) != ["verified_email"]:
        pending.append("pool.account-recovery")
    if str(pool.get("MfaConfiguration") or "OFF") != "OFF":
        pending.append("pool.mfa")
    invite = (pool.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
    if invite.get("EmailMessage") and "{####}" not in str(invite["EmailMessage"]):
        pending.append("pool.invitation-template")
    configured = settings.expect.password_min_length
    if settings.prod or configured is not None:
        minimum = configured if configured is not None else PROD_MIN_PASSWORD_LENGTH
        policy = password_policy_of(pool)
        if password_shortfalls(policy, minimum, env=settings.name, prod=settings.prod):
            pending.append("pool.password-policy")
    if settings.prod and str(pool.get("DeletionProtection") or "INACTIVE") != "ACTIVE":
        pending.append("pool.deletion-protection")
    return pending


def several_changes_note(pending: list[str]) -> str:
    """What a pool check says instead of printing its own command when others change the
    pool too."""
    return (
        f"This pool has {len(pending)} settings to change ({', '.join(pending)}), and "
        "update-user-pool replaces the whole configuration: one command per check, pasted "
        "one after the other, would undo each other. Run `cognito-doctor fix` for the one "
        "command that makes them all (`cognito-doctor fix --apply` makes it for you)."
    )


def env_key_change(files: Sequence[EnvFile], key: str, value: str | None) -> Change | None:
    """Set `key` to `value` in each of `files` that does not have it already (None when the
    right value is unknown, or every file has it)."""
    if value is None:
        return None
    labels = tuple(env.label for env in files if env.get(key) != value)
    return env_change(labels, **{key: value}) if labels else None
