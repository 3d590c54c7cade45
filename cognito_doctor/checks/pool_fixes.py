"""Building the fixes of the pool.* checks of :mod:`cognito_doctor.checks.pool`: the
`update-user-pool` changes (carrying all of the pool's current settings) and, for settings
that cannot change after creation, the `create-user-pool` command and parameters of a new pool.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cognito_doctor.checks.changes import (
    mfa_change,
    pending_pool_changes,
    pool_change,
    several_changes_note,
)
from cognito_doctor.checks.pool_values import (
    EMAIL_ONLY_RECOVERY,
    PASSWORD_CLASSES,
    PROD_MIN_PASSWORD_LENGTH,
    SES_DOMAIN_PLACEHOLDER,
    arn_parts,
    password_policy_of,
)
from cognito_doctor.engine.model import Change, Outcome, failed, warned
from cognito_doctor.facts.records import PoolLookup
from cognito_doctor.platform.awscli import (
    RESET_WARNING,
    AwsTarget,
    aws_command,
    cli_input_command,
    newer_cli_note,
    update_user_pool_input,
)
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef


def console(pool: Mapping[str, Any], *path: str) -> str:
    """A console path into this pool, e.g. Cognito → User pools → name → Sign-up → …"""
    return " → ".join(("Cognito", "User pools", str(pool.get("Name") or pool["Id"]), *path))


@dataclass(frozen=True)
class PoolFix:
    """A pool check's fix: its text, its command (None when it must not be pasted alone) and
    the change it makes, as data for the fix plan."""

    text: str
    command: str | None
    change: Change | None

    def failed(self, message: str, **evidence: Any) -> Outcome:
        return failed(message, self.text, fix_command=self.command, change=self.change, **evidence)

    def warned(self, message: str, **evidence: Any) -> Outcome:
        return warned(message, self.text, fix_command=self.command, change=self.change, **evidence)


def current(pool: Mapping[str, Any], member: str) -> Any:
    """The current value of an UpdateUserPool member as the update command would carry it."""
    return copy.deepcopy(update_user_pool_input(pool, {}).get(member))


def update_fix(
    ref: PoolRef,
    pool: Mapping[str, Any],
    changes: Mapping[str, Any],
    where: str,
    settings: RunConfig,
    change: Change | None = None,
    *,
    check_id: str,
) -> PoolFix:
    """The fix `check_id` proposes with update-user-pool; no command when other checks change
    the pool too (each command would carry a stale copy of the others' settings, e.g. the SES
    fix turning self-sign-up back on)."""
    pending = pending_pool_changes(pool, settings)
    if any(other != check_id for other in pending):
        listed = pending if check_id in pending else [*pending, check_id]
        return PoolFix(f"In the console: {where}. {several_changes_note(listed)}", None, change)
    params = update_user_pool_input(pool, changes)
    target = AwsTarget.of(settings)
    command = cli_input_command(target, "cognito-idp", "update-user-pool", ref.region, params)
    fix = f"In the console: {where}. Or run:\n{command}\n" + RESET_WARNING.format(what="user-pool")
    note = newer_cli_note(params)
    return PoolFix(f"{fix} {note}" if note else fix, command, change)


def prod_password_policy(
    pool: Mapping[str, Any], minimum: int = PROD_MIN_PASSWORD_LENGTH
) -> dict[str, Any]:
    """The current password policy tightened to `minimum`+ characters and all four classes."""
    policy = password_policy_of(pool)
    policy["MinimumLength"] = max(int(policy.get("MinimumLength") or 0), minimum)
    for key in PASSWORD_CLASSES:
        policy[key] = True
    return policy


def with_password_policy(pool: Mapping[str, Any], policy: Mapping[str, Any]) -> dict[str, Any]:
    policies = dict(current(pool, "Policies") or {})
    policies["PasswordPolicy"] = dict(policy)
    return policies


def invitation_only(pool: Mapping[str, Any]) -> dict[str, Any]:
    admin_config = dict(current(pool, "AdminCreateUserConfig") or {})
    admin_config["AllowAdminCreateUserOnly"] = True
    return admin_config


def mfa_off_fix(ref: PoolRef, pool: Mapping[str, Any], settings: RunConfig) -> PoolFix:
    """The fix turning Cognito MFA off; no command when other checks change the
    pool too (their update-user-pool commands carry MfaConfiguration as it is now)."""
    command = aws_command(
        AwsTarget.of(settings),
        "cognito-idp",
        "set-user-pool-mfa-config",
        ref.region,
        user_pool_id=ref.pool_id,
        mfa_configuration="OFF",
    )
    where = console(pool, "Sign-in", "Multi-factor authentication", "Edit", "No MFA")
    pending = pending_pool_changes(pool, settings)
    change = mfa_change(ref.pool_id, "OFF")
    if len(pending) > 1:
        return PoolFix(f"In the console: {where}. {several_changes_note(pending)}", None, change)
    return PoolFix(f"In the console: {where}. Or run:\n{command}", command, change)


def self_signup_fix(ref: PoolRef, pool: Mapping[str, Any], settings: RunConfig) -> PoolFix:
    """(fix text, command) turning self-registration off."""
    return update_fix(
        ref,
        pool,
        {"AdminCreateUserConfig": invitation_only(pool)},
        console(pool, "Sign-up", "Self-service sign-up", "Edit", "Disable self-registration"),
        settings,
        pool_change(ref.pool_id, AdminCreateUserConfig__AllowAdminCreateUserOnly=True),
        check_id="pool.self-signup",
    )


def verification_fix(
    ref: PoolRef, pool: Mapping[str, Any], verified: list[Any], settings: RunConfig
) -> PoolFix:
    """(fix text, command) adding email to the AutoVerifiedAttributes `verified`."""
    return update_fix(
        ref,
        pool,
        {"AutoVerifiedAttributes": [*verified, "email"]},
        console(
            pool,
            "Sign-up",
            "Attribute verification and user account confirmation",
            "Edit",
            "tick 'Allow Cognito to automatically send messages to verify and confirm' and "
            "choose 'Send email message, verify email address'",
        ),
        settings,
        pool_change(ref.pool_id, AutoVerifiedAttributes=[*verified, "email"]),
        check_id="pool.email-verification",
    )


def recovery_fix(ref: PoolRef, pool: Mapping[str, Any], settings: RunConfig) -> PoolFix:
    """(fix text, command) making account recovery verified email only."""
    return update_fix(
        ref,
        pool,
        {"AccountRecoverySetting": copy.deepcopy(EMAIL_ONLY_RECOVERY)},
        console(pool, "Sign-in", "User account recovery", "Edit", "Email only"),
        settings,
        pool_change(ref.pool_id, AccountRecoverySetting=copy.deepcopy(EMAIL_ONLY_RECOVERY)),
        check_id="pool.account-recovery",
    )


def password_fix(
    ref: PoolRef, pool: Mapping[str, Any], minimum: int, settings: RunConfig
) -> PoolFix:
    """(fix text, command) tightening the password policy to `minimum`+ and every class."""
    return update_fix(
        ref,
        pool,
        {"Policies": with_password_policy(pool, prod_password_policy(pool, minimum))},
        console(
            pool,
            "Authentication methods",
            "Password policy",
            "Edit",
            f"Custom: minimum length {PROD_MIN_PASSWORD_LENGTH}, tick all four character "
            "requirements",
        ),
        settings,
        pool_change(ref.pool_id, Policies__PasswordPolicy=prod_password_policy(pool, minimum)),
        check_id="pool.password-policy",
    )


def ses_fix(ref: PoolRef, pool: Mapping[str, Any], settings: RunConfig) -> str:
    """Fix text for sending email through Amazon SES (the domain left as a placeholder)."""
    partition, account_id = arn_parts(pool)
    changed = dict(current(pool, "EmailConfiguration") or {})
    changed["EmailSendingAccount"] = "DEVELOPER"
    changed["SourceArn"] = (
        f"arn:{partition}:ses:{ref.region}:{account_id}:identity/{SES_DOMAIN_PLACEHOLDER}"
    )
    changed.setdefault("From", f"no-reply@{SES_DOMAIN_PLACEHOLDER}")
    built = update_fix(
        ref,
        pool,
        {"EmailConfiguration": changed},
        console(
            pool,
            "Authentication methods",
            "Email",
            "Edit",
            "Send email with Amazon SES, pick the verified identity",
        ),
        settings,
        check_id="pool.email-sending",
    )
    return (
        f"Verify your sending domain in Amazon SES in {ref.region} and request SES "
        "production access (SES → Account dashboard). "
        + built.text
        + (
            f"\nReplace {SES_DOMAIN_PLACEHOLDER} in the command with that domain first. "
            if built.command
            else "\n"
        )
        + SES_ROLE_NOTE
    )


# EmailConfigurationType.EmailSendingAccount (botocore's model): "When you update your user
# pool with this option, Amazon Cognito creates a service-linked role".
SES_ROLE_NOTE = (
    "Switching to DEVELOPER makes Cognito create its service-linked role "
    "(AWSServiceRoleForAmazonCognitoIdp) if the account has none yet: whoever makes the change "
    "needs iam:CreateServiceLinkedRole, or the update is refused."
)


def deletion_protection_fix(ref: PoolRef, pool: Mapping[str, Any], settings: RunConfig) -> PoolFix:
    """(fix text, command) turning deletion protection on."""
    return update_fix(
        ref,
        pool,
        {"DeletionProtection": "ACTIVE"},
        console(pool, "Settings", "Deletion protection", "Edit", "Activate"),
        settings,
        pool_change(ref.pool_id, DeletionProtection="ACTIVE"),
        check_id="pool.deletion-protection",
    )


def env_files(settings: RunConfig) -> str:
    """Both .env files, as this run's config names them."""
    return f"{settings.um_env_path} and {settings.auth_env_path}"


def not_found_fix(lookup: PoolLookup, others: list[dict[str, str]], settings: RunConfig) -> str:
    """Fix text for a pool that was not found; names the one likely pool of `others`, if any."""
    ref = lookup.ref
    fix = (
        f"Copy the right pool's id from Cognito → User pools (region {ref.region}) into "
        f"COGNITO_USER_POOL_ID in {env_files(settings)}, or set COGNITO_REGION to the region "
        "the pool is in; if there is no pool yet, create one as the runbook's step 1 says."
    )
    likely = [p for p in others if "clinical-platform" in p["name"]]
    if lookup.list_problem is None and len(likely) == 1:
        fix = (
            f"If {likely[0]['name']} is the platform's pool, set "
            f"COGNITO_USER_POOL_ID={likely[0]['id']} in {env_files(settings)} and restart "
            f"the services. Otherwise: {fix}"
        )
    return fix
