"""Building the fixes of the pool.* checks of :mod:`cognito_doctor.checks.pool`: the
`update-user-pool` changes (carrying all of the pool's current settings) and, for settings
that cannot change after creation, the `create-user-pool` command and parameters of a new pool.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cognito_doctor.checks.changes import (
    mfa_change,
    new_pool_change,
    pending_pool_changes,
    pool_change,
    several_changes_note,
)
from cognito_doctor.checks.pool_values import (
    COGNITO_MANAGED_ATTRIBUTES,
    EMAIL_ONLY_RECOVERY,
    PASSWORD_CLASSES,
    PROD_MIN_PASSWORD_LENGTH,
    REQUIRED_ATTRIBUTES,
    SES_DOMAIN_PLACEHOLDER,
    arn_parts,
    password_policy_of,
    schema_of,
    user_count,
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
    without_defaults,
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


def next_pool_name(name: str) -> str:
    match = re.fullmatch(r"(.*)-v(\d+)", name)
    if match:
        return f"{match.group(1)}-v{int(match.group(2)) + 1}"
    return f"{name}-v2"


def schema_for_new_pool(pool: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CreateUserPool `Schema`: the current required and custom attributes, plus email and name
    required."""
    schema: dict[str, dict[str, Any]] = {}
    for name, attribute in schema_of(pool).items():
        if name in COGNITO_MANAGED_ATTRIBUTES:
            continue
        custom = name.startswith(("custom:", "dev:custom:"))
        if not custom and not attribute.get("Required"):
            continue
        entry: dict[str, Any] = {
            "Name": name.split("custom:", 1)[1] if custom else name,
            "AttributeDataType": attribute.get("AttributeDataType", "String"),
            "Mutable": bool(attribute.get("Mutable", True)),
            "Required": bool(attribute.get("Required", False)),
        }
        if custom:
            if attribute.get("DeveloperOnlyAttribute"):
                entry["DeveloperOnlyAttribute"] = True
            for constraints in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if attribute.get(constraints):
                    entry[constraints] = dict(attribute[constraints])
        schema[name] = entry
    for name in REQUIRED_ATTRIBUTES:
        schema[name] = {
            "Name": name,
            "AttributeDataType": "String",
            "Mutable": True,
            "Required": True,
        }
    return list(schema.values())


def new_pool_params(pool: Mapping[str, Any], *, prod: bool) -> dict[str, Any]:
    """CreateUserPool input for a replacement pool made as the runbook says, keeping the
    current pool's other settings (messages, triggers, tags, email sending)."""
    params: dict[str, Any] = {
        "PoolName": next_pool_name(str(pool.get("Name") or "clinical-platform"))
    }
    params.update({k: v for k, v in update_user_pool_input(pool, {}).items() if k != "UserPoolId"})
    if "VerificationMessageTemplate" in params:
        # The template supersedes these deprecated members: give only the template.
        for deprecated in (
            "SmsVerificationMessage",
            "EmailVerificationMessage",
            "EmailVerificationSubject",
        ):
            params.pop(deprecated, None)
    # "true ... This is the default value" (UsernameConfigurationType.CaseSensitive): a new
    # pool is case-sensitive unless told otherwise, and the setting can't change later.
    params["UsernameConfiguration"] = {"CaseSensitive": False}
    dcr = pool.get("DcrConfiguration")
    if isinstance(dcr, Mapping) and dcr.get("EnableStatus") == "Enabled":
        params["DcrConfiguration"] = copy.deepcopy(dict(dcr))
    params["UsernameAttributes"] = ["email"]
    params["Schema"] = schema_for_new_pool(pool)
    params["AutoVerifiedAttributes"] = sorted(
        {*(pool.get("AutoVerifiedAttributes") or []), "email"}
    )
    params["MfaConfiguration"] = "OFF"
    params["AdminCreateUserConfig"] = invitation_only(pool)
    params["AccountRecoverySetting"] = copy.deepcopy(EMAIL_ONLY_RECOVERY)
    if prod:
        params["Policies"] = with_password_policy(pool, prod_password_policy(pool))
        params["DeletionProtection"] = "ACTIVE"
    return without_defaults(params)


def copied_resources_note(params: Mapping[str, Any]) -> str:
    """What to redo for the copied settings whose AWS resources name the old pool's ARN."""
    notes = []
    if params.get("LambdaConfig"):
        notes.append(
            "it copies LambdaConfig, but each trigger function's resource policy lets only the "
            "old pool's ARN (SourceArn) invoke it: add a permission for the new pool's ARN "
            "(aws lambda add-permission --principal cognito-idp.amazonaws.com --source-arn "
            "<new pool ARN>) or its triggers fail"
        )
    email = params.get("EmailConfiguration") or {}
    if email.get("EmailSendingAccount") == "DEVELOPER":
        notes.append(
            "it copies EmailConfiguration: if the SES identity's sending authorization policy "
            "names the old pool's ARN, add the new pool's ARN to it or SES refuses its emails"
        )
    return ("Note: " + "; ".join(notes) + ". ") if notes else ""


def env_files(settings: RunConfig) -> str:
    """Both .env files, as this run's config names them."""
    return f"{settings.um_env_path} and {settings.auth_env_path}"


def new_pool_fix(
    ref: PoolRef, pool: Mapping[str, Any], *, settings: RunConfig, why: str, **wanted: Any
) -> PoolFix:
    """The fix for a setting that needs a new pool (`wanted`: what the new pool must have)."""
    prod = settings.prod
    params = new_pool_params(pool, prod=prod)
    target = AwsTarget.of(settings)
    command = cli_input_command(target, "cognito-idp", "create-user-pool", ref.region, params)
    fix = (
        f"{why} cannot be changed after a user pool is created: you need a new pool. Create it "
        "in the console (Cognito → User pools → Create user pool: sign-in with Email only; "
        "required attributes email and name; No MFA; self-registration off; recovery Email "
        f"only), or run this, which makes {params['PoolName']!r} with the runbook's settings "
        f"and keeps this pool's other settings:\n{command}\n"
        + (f"{note}\n" if (note := newer_cli_note(params)) else "")
        + copied_resources_note(params)
        + "Then: create the clinical-platform app client in the new pool; put the new pool id "
        f"into COGNITO_USER_POOL_ID in {env_files(settings)} (and the new client id into "
        "COGNITO_APP_CLIENT_ID); point the IAM policy's Resource at the new pool's ARN. "
        "Users must be migrated: they cannot be moved between pools, so re-invite "
        f"{user_count(pool)} of {ref.pool_id} into the new pool (AdminCreateUser, e.g. by "
        "promoting them again) or attach a user-migration Lambda trigger to it; delete the "
        "old pool once nobody uses it."
    )
    return PoolFix(fix, command, new_pool_change(ref.pool_id, **wanted))


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
