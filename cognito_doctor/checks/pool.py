"""Checks of the user pool itself, against the runbook's step 1 (DescribeUserPool, no writes).

Every check is a pure function of the DescribeUserPool answer (`user_pool`) and of where the
`.env` files say the pool is (`pool_ref`). Fixes that change the pool through
`update-user-pool` carry all of its current settings (see :mod:`cognito_doctor.platform.awscli`);
settings that cannot change after creation get a `create-user-pool` command for a new pool.
Expected settings and problems are in :mod:`.pool_values`; fixes are built in :mod:`.pool_fixes`.
"""

from __future__ import annotations

from typing import Any

from cognito_doctor.checks import pool_fixes as fixes
from cognito_doctor.checks import pool_values as values
from cognito_doctor.checks.pool_new import new_pool_fix, new_pool_params
from cognito_doctor.checks.pool_values import SES_DOMAIN_PLACEHOLDER
from cognito_doctor.engine.model import Outcome, errored, failed, passed
from cognito_doctor.engine.registry import check
from cognito_doctor.facts.records import PoolLookup
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef


@check("pool.exists", title="The user pool exists in COGNITO_REGION", severity="error")
def pool_exists(pool_lookup: PoolLookup, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That DescribeUserPool finds `COGNITO_USER_POOL_ID` in `COGNITO_REGION`, using the
    operator's credentials. When the pool is not there, it lists the user pools that do exist
    in that region (name and id), if the operator may list them (`cognito-idp:ListUserPools`).
    When the operator may not describe the pool, the result is `error`, naming
    `cognito-idp:DescribeUserPool`.

    ## Why it matters
    A pool id that does not exist in the region the services use makes every call fail with
    ResourceNotFoundException: no user is ever created or invited, and every token is
    rejected. The usual causes are a typo, a pool in another region, or a pool that was
    deleted and re-created with a new id.

    ## How to fix
    Open Cognito → User pools in the region in `COGNITO_REGION`, copy the right pool's
    User Pool ID into `COGNITO_USER_POOL_ID` in both `.env` files (or correct
    `COGNITO_REGION` to the region the pool is in), and restart the services. If no pool
    exists yet, create one as the runbook's step 1 says.
    """
    ref = pool_lookup.ref
    pool = pool_lookup.pool
    if pool is not None:
        return passed(
            f"user pool {values.pool_label(pool)} found in {ref.region}",
            user_pool_id=pool.get("Id"),
            name=pool.get("Name"),
            arn=pool.get("Arn"),
        )
    others = values.other_pools(pool_lookup)
    return failed(
        values.not_found_message(pool_lookup, others),
        fixes.not_found_fix(pool_lookup, others, settings),
        user_pool_id=ref.pool_id,
        region=ref.region,
        pools_in_region=others[: values.EVIDENCE_POOLS],
        list_problem=pool_lookup.list_problem,
    )


@check("pool.email-sign-in", title="Users sign in with their email address only", severity="error")
def email_sign_in(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That the pool's `UsernameAttributes` is exactly `["email"]` (the console's sign-in option
    "Email", nothing else ticked) and that it has no `AliasAttributes`.

    ## Why it matters
    CognitoService creates every user with their email address as the username and finds
    them by it. In a pool that signs in by a separate username (or that lets email be an
    alias of one), email addresses are not unique across users and are not what people type
    to sign in; with phone numbers also allowed, users get a sign-in path the platform never
    collects data for. This setting is fixed when the pool is created: it cannot be changed.

    ## How to fix
    Create a new pool with sign-in by Email only (the fix prints a `create-user-pool` command
    with the runbook's settings and this pool's others), create the `clinical-platform` app
    client in it, point both `.env` files and the IAM policy at it, and migrate the users:
    they cannot be moved between pools, so re-invite them (or add a user-migration Lambda
    trigger).
    """
    username = list(user_pool.get("UsernameAttributes") or [])
    alias = list(user_pool.get("AliasAttributes") or [])
    if username == ["email"] and not alias:
        return passed("users sign in with their email address (UsernameAttributes=['email'])")
    return new_pool_fix(
        pool_ref,
        user_pool,
        settings=settings,
        why="The sign-in option (UsernameAttributes)",
        UsernameAttributes=["email"],
    ).failed(
        values.sign_in_problem(username, alias),
        username_attributes=username,
        alias_attributes=alias,
    )


@check(
    "pool.mfa", title="Cognito MFA is off (the platform does MFA in admin-api)", severity="error"
)
def mfa_off(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That the pool's `MfaConfiguration` is `OFF` (the console's "No MFA"). `ON` (required)
    fails; `OPTIONAL` warns.

    ## Why it matters
    OFF is the intended setting, not a gap: the platform does multi-factor authentication
    itself, in admin-api. With `ON`, Cognito challenges every sign-in (SMS_MFA,
    SOFTWARE_TOKEN_MFA, MFA_SETUP), answers the platform's flows do not handle, so sign-ins
    stall and admins are asked twice. With `OPTIONAL`, Cognito prompts only users who chose
    and configured a preferred MFA factor (botocore's model, UpdateUserPoolRequest.
    MfaConfiguration), and the platform enrols none: harmless today, a trap once anyone does.

    ## How to fix
    Cognito → User pools → your pool → Sign-in → Multi-factor authentication → Edit → No
    MFA, or run `aws cognito-idp set-user-pool-mfa-config --user-pool-id <id>
    --mfa-configuration OFF --region <region>` (the fix prints it with the real values).
    """
    mfa = user_pool.get("MfaConfiguration")
    if mfa not in ("OFF", "ON", "OPTIONAL"):
        # botocore's UserPoolMfaType is OFF, ON or OPTIONAL; anything else was not read.
        got = "no MfaConfiguration" if mfa is None else f"MfaConfiguration {str(mfa)[:40]!r}"
        return errored(
            f"couldn't verify MFA: DescribeUserPool's answer has {got}",
            "Run again; if it persists, check that the endpoint is AWS (or a faithful stand-in).",
        )
    if mfa == "OFF":
        return passed("MfaConfiguration=OFF: the platform does MFA itself in admin-api", mfa=mfa)
    fix = fixes.mfa_off_fix(pool_ref, user_pool, settings)
    judge = fix.warned if mfa == "OPTIONAL" else fix.failed
    return judge(values.mfa_problem(mfa), mfa=mfa)


@check("pool.required-attributes", title="email and name are required attributes", severity="error")
def required_attributes(
    user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig
) -> Outcome:
    """
    ## What it checks
    That the standard attributes `email` and `name` are both marked Required in the pool's
    schema. (An attribute missing from `SchemaAttributes` counts as not required: real AWS
    lists every standard attribute, moto only those given at creation.)

    ## Why it matters
    The invitation is an email: a user without an email address gets none, and password
    resets have nowhere to go. `CognitoService.createUser` sends a `name` attribute with the
    user's display name, which the platform shows. Requiring it does not stop AdminCreateUser
    from making a user without it (AWS does not check required attributes there): such a
    user's first sign-in fails with `Invalid attributes given, name is missing`, which
    `cognito-doctor user EMAIL` points out. Required attributes are fixed at pool creation.

    ## How to fix
    Create a new pool with email and name required (the fix prints a `create-user-pool`
    command with the runbook's settings and this pool's others), create the
    `clinical-platform` app client in it, point both `.env` files and the IAM policy at it,
    and migrate the users: they cannot be moved between pools, so re-invite them (or add a
    user-migration Lambda trigger).
    """
    schema = values.schema_of(user_pool)
    missing = [n for n in values.REQUIRED_ATTRIBUTES if not schema.get(n, {}).get("Required")]
    required = sorted(n for n, a in schema.items() if a.get("Required"))
    if not missing:
        return passed("email and name are required attributes", required=required)
    return new_pool_fix(
        pool_ref,
        user_pool,
        settings=settings,
        why="The pool's required attributes",
        RequiredAttributes=missing,
    ).failed(
        values.missing_attributes_problem(missing),
        missing=missing,
        required=required,
    )


@check("pool.self-signup", title="Self-registration is off (invitation only)", severity="error")
def self_signup_off(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That `AdminCreateUserConfig.AllowAdminCreateUserOnly` is true: only administrators (the
    platform, through AdminCreateUser) can create users.

    ## Why it matters
    The platform is invitation-only: a user exists because someone promoted or invited them.
    With self-registration on, anyone who can call SignUp with the app client id (in every
    token; with a confidential client, SignUp also needs the SECRET_HASH made with the
    client secret, so anyone who holds it) creates an account in the pool the platform
    trusts (SignUpRequest.SecretHash in botocore's model).

    ## How to fix
    Cognito → User pools → your pool → Sign-up → Self-service sign-up → Edit → Disable
    self-registration, or run the printed `update-user-pool` command, which carries all the
    pool's current settings (update-user-pool resets any it is not given).
    """
    allowed = bool((user_pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"))
    if allowed:
        return passed("self-registration is off: only the platform creates users (invitation only)")
    return fixes.self_signup_fix(pool_ref, user_pool, settings).failed(
        "anyone can sign up: AllowAdminCreateUserOnly is false, so self-registration is on and "
        "the platform is meant to be invitation-only",
        allow_admin_create_user_only=False,
    )


@check("pool.email-verification", title="Cognito verifies email addresses", severity="error")
def email_verification(
    user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig
) -> Outcome:
    """
    ## What it checks
    That `AutoVerifiedAttributes` contains `email` (the console's "Send email message, verify
    email address").

    ## Why it matters
    Password resets and account recovery go only to a verified email address. Without
    automatic email verification users' addresses stay unverified, and AdminResetUserPassword
    and "forgot password" fail with "no registered/verified email".

    ## How to fix
    Cognito → User pools → your pool → Sign-up → Attribute verification and user account
    confirmation → Edit → tick "Allow Cognito to automatically send messages to verify and
    confirm" with "Send email message, verify email address", or run the printed
    `update-user-pool` command (it carries all current settings).
    """
    verified = list(user_pool.get("AutoVerifiedAttributes") or [])
    if "email" in verified:
        return passed(f"Cognito verifies email addresses (AutoVerifiedAttributes={verified})")
    return fixes.verification_fix(pool_ref, user_pool, verified, settings).failed(
        f"AutoVerifiedAttributes is {verified or 'empty'}: email addresses are never verified, so "
        "password resets (AdminResetUserPassword) have no verified address to go to",
        auto_verified_attributes=verified,
    )


@check(
    "pool.account-recovery", title="Account recovery is by verified email only", severity="error"
)
def account_recovery(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    That `AccountRecoverySetting.RecoveryMechanisms` is exactly `verified_email` (the
    console's "Email only", the runbook's default). `admin_only` and phone-based recovery
    fail; no setting at all (a pool from before the setting existed) warns.

    ## Why it matters
    The platform triggers password resets through AdminResetUserPassword, which sends the
    reset code by the recovery mechanism. `admin_only` makes that call fail outright; phone
    recovery sends codes to numbers nobody verified. Without the setting, Cognito "uses the
    legacy behavior ... where SMS is preferred through email" (botocore's model,
    UserPoolType.AccountRecoverySetting): users without a phone still get email.

    ## How to fix
    Cognito → User pools → your pool → Sign-in → User account recovery → Edit → Email only,
    or run the printed `update-user-pool` command (it carries all current settings).
    """
    names = values.recovery_names(user_pool)
    if names == ["verified_email"]:
        return passed("account recovery is by verified email only", recovery=names)
    fix = fixes.recovery_fix(pool_ref, user_pool, settings)
    judge = fix.warned if not names else fix.failed
    return judge(values.recovery_problem(names), recovery=names)


@check("pool.password-policy", title="The password policy fits the environment", severity="error")
def password_policy(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    dev: reports the password policy and passes (Cognito's defaults are fine for dev).
    prod: that `MinimumLength` is at least 12 and that upper-case letters, lower-case
    letters, numbers and symbols are all required.

    ## Why it matters
    The runbook tightens the password policy for prod: users there hold real data, and a
    short password without every character class is the first thing a credential-stuffing
    or guessing attack gets through.

    ## How to fix
    Cognito → User pools → your pool → Authentication methods → Password policy → Edit →
    Custom: minimum length 12, tick all four character requirements; or run the printed
    `update-user-pool` command (it carries all current settings).
    """
    unread = values.unread_password_settings(user_pool, prod=settings.prod)
    if unread:
        return errored(
            f"couldn't verify the password policy: DescribeUserPool's answer has no "
            f"{', '.join(unread)}",
            "Run again; if it persists, check that the endpoint is AWS (or a faithful stand-in).",
        )
    policy = values.password_policy_of(user_pool)
    described = values.describe_password_policy(policy)
    configured = settings.expect.password_min_length
    env = settings.name
    if not settings.prod and configured is None:
        return passed(
            f"dev: {described} (fine for dev; prod needs {values.PROD_MIN_PASSWORD_LENGTH}+ "
            "characters and all four character classes)",
            password_policy=policy,
        )
    # A config file's password_min_length sets the bar for its environment; else prod's 12.
    minimum = configured if configured is not None else values.PROD_MIN_PASSWORD_LENGTH
    shortfalls = values.password_shortfalls(policy, minimum, env=env, prod=settings.prod)
    if not shortfalls:
        return passed(f"{env}: {described}", password_policy=policy)
    return fixes.password_fix(pool_ref, user_pool, minimum, settings).failed(
        f"{env} password policy is too weak: {'; '.join(shortfalls)}",
        password_policy=policy,
    )


@check(
    "pool.deletion-protection",
    title="Deletion protection is on (prod)",
    severity="warning",
    environments=["prod"],
)
def deletion_protection(
    user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig
) -> Outcome:
    """
    ## What it checks
    prod only: that the pool's `DeletionProtection` is `ACTIVE`. Anything else (including
    no setting, which means INACTIVE) is a warning.

    ## Why it matters
    Deleting a user pool stops every sign-in at once. Cognito keeps a deleted pool inactive
    for 14 days, when only AWS Support can restore it, then deletes it and its users for
    good (DeleteUserPool in botocore's model). With deletion protection on, DeleteUserPool is
    refused until someone deliberately turns it off (UserPoolType.DeletionProtection).

    ## How to fix
    Cognito → User pools → your pool → Settings → Deletion protection → Edit → Activate, or
    run the printed `update-user-pool` command (it carries all current settings).
    """
    state = str(user_pool.get("DeletionProtection") or "INACTIVE")
    if state == "ACTIVE":
        return passed("deletion protection is ACTIVE", deletion_protection=state)
    return fixes.deletion_protection_fix(pool_ref, user_pool, settings).warned(
        f"deletion protection is {state}: one DeleteUserPool call (or a stray `terraform "
        "destroy`) stops every prod sign-in; only AWS Support can restore the pool, within 14 "
        "days",
        deletion_protection=state,
    )


# Registered with this module's checks (the registry reads this module's names); imported
# last so that the report lists them after the checks above.
from cognito_doctor.checks.pool_users import (  # noqa: E402
    email_sending,
    invitation_template,
    username_case,
)

__all__ = [
    "SES_DOMAIN_PLACEHOLDER",
    "account_recovery",
    "deletion_protection",
    "email_sending",
    "email_sign_in",
    "email_verification",
    "invitation_template",
    "mfa_off",
    "new_pool_params",
    "password_policy",
    "pool_exists",
    "required_attributes",
    "self_signup_off",
    "username_case",
]
