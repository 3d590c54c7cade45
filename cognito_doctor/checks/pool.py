"""Checks of the user pool itself, against the runbook's step 1 (DescribeUserPool, no writes).

Every check is a pure function of the DescribeUserPool answer (`user_pool`) and of where the
`.env` files say the pool is (`pool_ref`). Fixes that change the pool through
`update-user-pool` carry all of its current settings (see :mod:`cognito_doctor.platform.awscli`);
settings that cannot change after creation get a `create-user-pool` command for a new pool.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from cognito_doctor.engine.model import Outcome, failed, passed, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.facts.records import PoolLookup
from cognito_doctor.platform.awscli import (
    RESET_WARNING,
    aws_command,
    cli_input_command,
    update_user_pool_command,
    update_user_pool_input,
)
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

REQUIRED_ATTRIBUTES = ("email", "name")
PROD_MIN_PASSWORD_LENGTH = 12
PASSWORD_CLASSES = {
    "RequireUppercase": "upper-case letters",
    "RequireLowercase": "lower-case letters",
    "RequireNumbers": "numbers",
    "RequireSymbols": "symbols",
}
EMAIL_ONLY_RECOVERY = {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]}
# Where SES identities go in a fix; the person running it knows their verified domain.
SES_DOMAIN_PLACEHOLDER = "<your-verified-domain>"
# How many pools a "not found" message names; the evidence holds more.
LISTED_POOLS = 10
EVIDENCE_POOLS = 100
# Attributes Cognito manages itself and that a CreateUserPool Schema must not name.
COGNITO_MANAGED_ATTRIBUTES = frozenset({"sub", "identities"})


# --- helpers ---------------------------------------------------------------------------


def _console(pool: Mapping[str, Any], *path: str) -> str:
    """A console path into this pool, e.g. Cognito → User pools → name → Sign-up → …"""
    return " → ".join(("Cognito", "User pools", str(pool.get("Name") or pool["Id"]), *path))


def _current(pool: Mapping[str, Any], member: str) -> Any:
    """The current value of an UpdateUserPool member as the update command would carry it."""
    return copy.deepcopy(update_user_pool_input(pool, {}).get(member))


def _update_fix(
    ref: PoolRef, pool: Mapping[str, Any], changes: Mapping[str, Any], console: str
) -> tuple[str, str]:
    """(fix text, command) for a change made with update-user-pool."""
    command = update_user_pool_command(ref.region, pool, changes)
    fix = f"In the console: {console}. Or run:\n{command}\n" + RESET_WARNING.format(
        what="user-pool"
    )
    return fix, command


def _arn_parts(pool: Mapping[str, Any]) -> tuple[str, str]:
    """(partition, account id) from the pool's ARN, with placeholders when it has none."""
    parts = str(pool.get("Arn", "")).split(":")
    if len(parts) >= 5 and parts[0] == "arn" and parts[4]:
        return parts[1], parts[4]
    return "aws", "<account-id>"


def _schema(pool: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """SchemaAttributes by name.

    Real AWS lists every standard attribute; moto lists only those passed at creation when
    any were. Either way an attribute that is not listed is not required.
    """
    attributes = pool.get("SchemaAttributes") or []
    return {str(a["Name"]): a for a in attributes if isinstance(a, Mapping) and "Name" in a}


def _password_policy(pool: Mapping[str, Any]) -> dict[str, Any]:
    policies = pool.get("Policies") or {}
    return dict(policies.get("PasswordPolicy") or {})


def _describe_password_policy(policy: Mapping[str, Any]) -> str:
    classes = [words for key, words in PASSWORD_CLASSES.items() if policy.get(key)]
    required = ", ".join(classes) if classes else "no character classes"
    return f"minimum length {policy.get('MinimumLength', 8)}, requires {required}"


def _prod_password_policy(
    pool: Mapping[str, Any], minimum: int = PROD_MIN_PASSWORD_LENGTH
) -> dict[str, Any]:
    """The current password policy tightened to `minimum`+ characters and all four classes."""
    policy = _password_policy(pool)
    policy["MinimumLength"] = max(int(policy.get("MinimumLength") or 0), minimum)
    for key in PASSWORD_CLASSES:
        policy[key] = True
    return policy


def _with_password_policy(pool: Mapping[str, Any], policy: Mapping[str, Any]) -> dict[str, Any]:
    policies = dict(_current(pool, "Policies") or {})
    policies["PasswordPolicy"] = dict(policy)
    return policies


def _invitation_only(pool: Mapping[str, Any]) -> dict[str, Any]:
    admin_config = dict(_current(pool, "AdminCreateUserConfig") or {})
    admin_config["AllowAdminCreateUserOnly"] = True
    return admin_config


def _next_pool_name(name: str) -> str:
    match = re.fullmatch(r"(.*)-v(\d+)", name)
    if match:
        return f"{match.group(1)}-v{int(match.group(2)) + 1}"
    return f"{name}-v2"


def _schema_for_new_pool(pool: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CreateUserPool `Schema`: the current required and custom attributes, plus email and name
    required."""
    schema: dict[str, dict[str, Any]] = {}
    for name, attribute in _schema(pool).items():
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
        "PoolName": _next_pool_name(str(pool.get("Name") or "clinical-platform"))
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
    if pool.get("UsernameConfiguration"):
        params["UsernameConfiguration"] = copy.deepcopy(pool["UsernameConfiguration"])
    params["UsernameAttributes"] = ["email"]
    params["Schema"] = _schema_for_new_pool(pool)
    params["AutoVerifiedAttributes"] = sorted(
        {*(pool.get("AutoVerifiedAttributes") or []), "email"}
    )
    params["MfaConfiguration"] = "OFF"
    params["AdminCreateUserConfig"] = _invitation_only(pool)
    params["AccountRecoverySetting"] = copy.deepcopy(EMAIL_ONLY_RECOVERY)
    if prod:
        params["Policies"] = _with_password_policy(pool, _prod_password_policy(pool))
        params["DeletionProtection"] = "ACTIVE"
    return params


def _user_count(pool: Mapping[str, Any]) -> str:
    count = pool.get("EstimatedNumberOfUsers")
    return f"the {count} user(s)" if isinstance(count, int) and count > 0 else "the users"


def _env_files(settings: RunConfig) -> str:
    """Both .env files, as this run's config names them."""
    return f"{settings.um_env_path} and {settings.auth_env_path}"


def _new_pool_fix(
    ref: PoolRef, pool: Mapping[str, Any], *, settings: RunConfig, why: str
) -> tuple[str, str]:
    """(fix text, command) for a setting that needs a new pool."""
    prod = settings.prod
    params = new_pool_params(pool, prod=prod)
    command = cli_input_command("cognito-idp", "create-user-pool", ref.region, params)
    fix = (
        f"{why} cannot be changed after a user pool is created: you need a new pool. Create it "
        "in the console (Cognito → User pools → Create user pool: sign-in with Email only; "
        "required attributes email and name; No MFA; self-registration off; recovery Email "
        f"only), or run this, which makes {params['PoolName']!r} with the runbook's settings "
        f"and keeps this pool's other settings:\n{command}\n"
        "Then: create the clinical-platform app client in the new pool; put the new pool id "
        f"into COGNITO_USER_POOL_ID in {_env_files(settings)} (and the new client id into "
        "COGNITO_APP_CLIENT_ID); point the IAM policy's Resource at the new pool's ARN. "
        "Users must be migrated: they cannot be moved between pools, so re-invite "
        f"{_user_count(pool)} of {ref.pool_id} into the new pool (AdminCreateUser, e.g. by "
        "promoting them again) or attach a user-migration Lambda trigger to it; delete the "
        "old pool once nobody uses it."
    )
    return fix, command


# --- checks ----------------------------------------------------------------------------


def _pool_label(pool: Mapping[str, Any]) -> str:
    return f"{pool.get('Name', '?')} ({pool.get('Id', '?')})"


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
            f"user pool {_pool_label(pool)} found in {ref.region}",
            user_pool_id=pool.get("Id"),
            name=pool.get("Name"),
            arn=pool.get("Arn"),
        )
    message = f"user pool {ref.pool_id} was not found in {ref.region}"
    pool_region = ref.pool_id.split("_", 1)[0]
    if pool_region != ref.region:
        message += f" (its id starts with {pool_region}, but the region used is {ref.region})"
    others = [
        {"name": str(p.get("Name", "")), "id": str(p.get("Id", ""))}
        for p in pool_lookup.other_pools
    ]
    fix = (
        f"Copy the right pool's id from Cognito → User pools (region {ref.region}) into "
        f"COGNITO_USER_POOL_ID in {_env_files(settings)}, or set COGNITO_REGION to the region "
        "the pool is in; if there is no pool yet, create one as the runbook's step 1 says."
    )
    if pool_lookup.list_problem is not None:
        message += f"; the pools in {ref.region} could not be listed: {pool_lookup.list_problem}"
    elif not others:
        message += f"; there are no user pools at all in {ref.region}"
    else:
        listed = ", ".join(f"{p['name']} ({p['id']})" for p in others[:LISTED_POOLS])
        more = len(others) - LISTED_POOLS
        message += f"; the {len(others)} pool(s) in {ref.region} are: {listed}"
        if more > 0:
            message += f" and {more} more"
        likely = [p for p in others if "clinical-platform" in p["name"]]
        if len(likely) == 1:
            fix = (
                f"If {likely[0]['name']} is the platform's pool, set "
                f"COGNITO_USER_POOL_ID={likely[0]['id']} in {_env_files(settings)} and restart "
                f"the services. Otherwise: {fix}"
            )
    return failed(
        message,
        fix,
        user_pool_id=ref.pool_id,
        region=ref.region,
        pools_in_region=others[:EVIDENCE_POOLS],
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
    problems = []
    if not username:
        problems.append("users sign in with a separate username (UsernameAttributes is not set)")
    elif username != ["email"]:
        extra = [a for a in username if a != "email"]
        problems.append(
            f"UsernameAttributes is {username}"
            + (f": users can also sign in with {', '.join(extra)}" if extra else "")
        )
    if alias:
        problems.append(f"AliasAttributes is {alias}: these are aliases of a separate username")
    fix, command = _new_pool_fix(
        pool_ref, user_pool, settings=settings, why="The sign-in option (UsernameAttributes)"
    )
    return failed(
        "; ".join(problems) + ". The runbook's pool signs in with email only, and this can't "
        "be changed on an existing pool",
        fix,
        fix_command=command,
        username_attributes=username,
        alias_attributes=alias,
    )


@check(
    "pool.mfa", title="Cognito MFA is off (the platform does MFA in admin-api)", severity="error"
)
def mfa_off(user_pool: dict[str, Any], pool_ref: PoolRef) -> Outcome:
    """
    ## What it checks
    That the pool's `MfaConfiguration` is `OFF` (the console's "No MFA"). Both `ON`
    (required) and `OPTIONAL` fail.

    ## Why it matters
    OFF is the intended setting, not a gap: the platform does multi-factor authentication
    itself, in admin-api. Cognito's MFA on top of it would prompt admins for a second factor
    twice, and its challenges (SMS_MFA, SOFTWARE_TOKEN_MFA, MFA_SETUP) are answers the
    platform's sign-in and token-exchange flows do not handle, so sign-ins stall.

    ## How to fix
    Cognito → User pools → your pool → Sign-in → Multi-factor authentication → Edit → No
    MFA, or run `aws cognito-idp set-user-pool-mfa-config --user-pool-id <id>
    --mfa-configuration OFF --region <region>` (the fix prints it with the real values).
    """
    mfa = str(user_pool.get("MfaConfiguration") or "OFF")
    if mfa == "OFF":
        return passed("MfaConfiguration=OFF: the platform does MFA itself in admin-api", mfa=mfa)
    command = aws_command(
        "cognito-idp",
        "set-user-pool-mfa-config",
        pool_ref.region,
        user_pool_id=pool_ref.pool_id,
        mfa_configuration="OFF",
    )
    console = _console(user_pool, "Sign-in", "Multi-factor authentication", "Edit", "No MFA")
    meaning = "required for every user" if mfa == "ON" else "optional (users may turn it on)"
    return failed(
        f"MfaConfiguration={mfa}: Cognito MFA is {meaning}; the platform does MFA in admin-api, "
        "so admins would be asked for a second factor twice and the platform's flows can't "
        "answer Cognito's MFA challenges",
        f"In the console: {console}. Or run:\n{command}",
        fix_command=command,
        mfa=mfa,
    )


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
    user's display name; requiring it keeps every user in the pool, however created, with
    the name the platform shows. Required attributes are fixed when the pool is created.

    ## How to fix
    Create a new pool with email and name required (the fix prints a `create-user-pool`
    command with the runbook's settings and this pool's others), create the
    `clinical-platform` app client in it, point both `.env` files and the IAM policy at it,
    and migrate the users: they cannot be moved between pools, so re-invite them (or add a
    user-migration Lambda trigger).
    """
    schema = _schema(user_pool)
    missing = [name for name in REQUIRED_ATTRIBUTES if not schema.get(name, {}).get("Required")]
    required = sorted(n for n, a in schema.items() if a.get("Required"))
    if not missing:
        return passed("email and name are required attributes", required=required)
    reasons = {
        "email": "users without an email address get no invitation and can't reset passwords",
        "name": "CognitoService.createUser sends a name attribute with the user's display name",
    }
    fix, command = _new_pool_fix(
        pool_ref, user_pool, settings=settings, why="The pool's required attributes"
    )
    return failed(
        f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not required ("
        + "; ".join(reasons[name] for name in missing)
        + "), and required attributes can't be changed on an existing pool",
        fix,
        fix_command=command,
        missing=missing,
        required=required,
    )


@check("pool.self-signup", title="Self-registration is off (invitation only)", severity="error")
def self_signup_off(user_pool: dict[str, Any], pool_ref: PoolRef) -> Outcome:
    """
    ## What it checks
    That `AdminCreateUserConfig.AllowAdminCreateUserOnly` is true: only administrators (the
    platform, through AdminCreateUser) can create users.

    ## Why it matters
    The platform is invitation-only: a user exists because someone promoted or invited them.
    With self-registration on, anyone who knows the app client id (it is in every token and
    in the browser) can call SignUp and create an account in the pool the platform trusts.

    ## How to fix
    Cognito → User pools → your pool → Sign-up → Self-service sign-up → Edit → Disable
    self-registration, or run the printed `update-user-pool` command, which carries all the
    pool's current settings (update-user-pool resets any it is not given).
    """
    allowed = bool((user_pool.get("AdminCreateUserConfig") or {}).get("AllowAdminCreateUserOnly"))
    if allowed:
        return passed("self-registration is off: only the platform creates users (invitation only)")
    fix, command = _update_fix(
        pool_ref,
        user_pool,
        {"AdminCreateUserConfig": _invitation_only(user_pool)},
        _console(user_pool, "Sign-up", "Self-service sign-up", "Edit", "Disable self-registration"),
    )
    return failed(
        "anyone can sign up: AllowAdminCreateUserOnly is false, so self-registration is on and "
        "the platform is meant to be invitation-only",
        fix,
        fix_command=command,
        allow_admin_create_user_only=False,
    )


@check("pool.email-verification", title="Cognito verifies email addresses", severity="error")
def email_verification(user_pool: dict[str, Any], pool_ref: PoolRef) -> Outcome:
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
    fix, command = _update_fix(
        pool_ref,
        user_pool,
        {"AutoVerifiedAttributes": [*verified, "email"]},
        _console(
            user_pool,
            "Sign-up",
            "Attribute verification and user account confirmation",
            "Edit",
            "tick 'Allow Cognito to automatically send messages to verify and confirm' and "
            "choose 'Send email message, verify email address'",
        ),
    )
    return failed(
        f"AutoVerifiedAttributes is {verified or 'empty'}: email addresses are never verified, so "
        "password resets (AdminResetUserPassword) have no verified address to go to",
        fix,
        fix_command=command,
        auto_verified_attributes=verified,
    )


@check(
    "pool.account-recovery", title="Account recovery is by verified email only", severity="error"
)
def account_recovery(user_pool: dict[str, Any], pool_ref: PoolRef) -> Outcome:
    """
    ## What it checks
    That `AccountRecoverySetting.RecoveryMechanisms` is exactly `verified_email` (the
    console's "Email only", the runbook's default). No setting at all (a pool from before
    the setting existed) fails, and so do `admin_only` and phone-based recovery.

    ## Why it matters
    The platform triggers password resets through AdminResetUserPassword, which sends the
    reset code by the recovery mechanism. `admin_only` makes that call fail outright; no
    setting means the legacy behaviour, which prefers SMS, and the platform has no phone
    numbers; phone recovery sends codes to numbers nobody verified.

    ## How to fix
    Cognito → User pools → your pool → Sign-in → User account recovery → Edit → Email only,
    or run the printed `update-user-pool` command (it carries all current settings).
    """
    setting = user_pool.get("AccountRecoverySetting") or {}
    mechanisms = sorted(
        setting.get("RecoveryMechanisms") or [], key=lambda m: int(m.get("Priority", 0))
    )
    names = [str(m.get("Name")) for m in mechanisms]
    if names == ["verified_email"]:
        return passed("account recovery is by verified email only", recovery=names)
    if not names:
        problem = (
            "no account recovery setting: the pool uses the legacy behaviour, which sends "
            "reset codes by SMS first, and the platform has no phone numbers"
        )
    elif "admin_only" in names:
        problem = (
            "account recovery is admin_only: AdminResetUserPassword, which the platform uses "
            "for password resets, fails"
        )
    else:
        problem = (
            f"account recovery is {' then '.join(names)}, not verified email only: reset codes "
            "can go to phone numbers the platform never collects or verifies"
        )
    fix, command = _update_fix(
        pool_ref,
        user_pool,
        {"AccountRecoverySetting": copy.deepcopy(EMAIL_ONLY_RECOVERY)},
        _console(user_pool, "Sign-in", "User account recovery", "Edit", "Email only"),
    )
    return failed(problem, fix, fix_command=command, recovery=names)


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
    policy = _password_policy(user_pool)
    described = _describe_password_policy(policy)
    configured = settings.expect.password_min_length
    env = settings.name
    if not settings.prod and configured is None:
        return passed(
            f"dev: {described} (fine for dev; prod needs {PROD_MIN_PASSWORD_LENGTH}+ characters "
            "and all four character classes)",
            password_policy=policy,
        )
    # A config file's password_min_length sets the bar for its environment; else prod's 12.
    minimum = configured if configured is not None else PROD_MIN_PASSWORD_LENGTH
    shortfalls = []
    length = int(policy.get("MinimumLength") or 0)
    if length < minimum:
        shortfalls.append(f"minimum length is {length} ({env} needs {minimum}+)")
    missing = [words for key, words in PASSWORD_CLASSES.items() if not policy.get(key)]
    if missing and settings.prod:
        shortfalls.append(f"{', '.join(missing)} not required")
    if not shortfalls:
        return passed(f"{env}: {described}", password_policy=policy)
    fix, command = _update_fix(
        pool_ref,
        user_pool,
        {"Policies": _with_password_policy(user_pool, _prod_password_policy(user_pool, minimum))},
        _console(
            user_pool,
            "Authentication methods",
            "Password policy",
            "Edit",
            f"Custom: minimum length {PROD_MIN_PASSWORD_LENGTH}, tick all four character "
            "requirements",
        ),
    )
    return failed(
        f"{env} password policy is too weak: {'; '.join(shortfalls)}",
        fix,
        fix_command=command,
        password_policy=policy,
    )


@check(
    "pool.email-sending",
    title="Emails are sent in a way that fits the environment",
    severity="error",
)
def email_sending(user_pool: dict[str, Any], pool_ref: PoolRef, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    How Cognito sends its emails (`EmailConfiguration`). dev: Cognito's default sender
    (`COGNITO_DEFAULT`) is a warning; prod: it must be `DEVELOPER` (Amazon SES) with a
    `SourceArn` naming the verified SES identity. `DEVELOPER` without a `SourceArn` fails
    in both.

    ## Why it matters
    Every invitation and password reset is an email. Cognito's default sender allows about
    50 emails a day for the whole account, and its address, no-reply@verificationemail.com,
    lands in junk for some providers: the runbook's "promote succeeds but no email arrives".
    Prod needs SES with a verified domain, moved out of the SES sandbox.

    ## How to fix
    Verify your domain in Amazon SES (and request production access), then Cognito → User
    pools → your pool → Authentication methods → Email → Edit → Send email with Amazon SES
    and pick the identity; or run the printed `update-user-pool` command after putting your
    verified domain in place of `<your-verified-domain>`.
    """
    config = dict(user_pool.get("EmailConfiguration") or {})
    account = str(config.get("EmailSendingAccount") or "COGNITO_DEFAULT")
    source_arn = config.get("SourceArn")
    evidence: dict[str, Any] = {
        "email_sending_account": account,
        "source_arn": source_arn,
        "from": config.get("From"),
    }
    if account == "DEVELOPER" and source_arn:
        sender = f" as {config['From']}" if config.get("From") else ""
        return passed(f"emails go through Amazon SES identity {source_arn}{sender}", **evidence)
    expected = settings.expect.email_sending
    if expected == "COGNITO_DEFAULT" and account == "COGNITO_DEFAULT":
        return passed(
            f"Cognito's default sender, as the config file expects for {settings.name}",
            **evidence,
        )

    partition, account_id = _arn_parts(user_pool)
    changed = dict(_current(user_pool, "EmailConfiguration") or {})
    changed["EmailSendingAccount"] = "DEVELOPER"
    changed["SourceArn"] = (
        f"arn:{partition}:ses:{pool_ref.region}:{account_id}:identity/{SES_DOMAIN_PLACEHOLDER}"
    )
    changed.setdefault("From", f"no-reply@{SES_DOMAIN_PLACEHOLDER}")
    fix, _ = _update_fix(
        pool_ref,
        user_pool,
        {"EmailConfiguration": changed},
        _console(
            user_pool,
            "Authentication methods",
            "Email",
            "Edit",
            "Send email with Amazon SES, pick the verified identity",
        ),
    )
    fix = (
        f"Verify your sending domain in Amazon SES in {pool_ref.region} and request SES "
        "production access (SES → Account dashboard). "
        + fix
        + f"\nReplace {SES_DOMAIN_PLACEHOLDER} in the command with that domain first."
    )
    if account == "DEVELOPER":
        return failed(
            "EmailSendingAccount is DEVELOPER but no SourceArn names the SES identity to send from",
            fix,
            **evidence,
        )
    problem = (
        "Cognito's default sender (COGNITO_DEFAULT) allows about 50 emails a day, and its "
        "address no-reply@verificationemail.com lands in junk for some providers"
    )
    if settings.prod or expected == "DEVELOPER":
        return failed(
            f"{problem}; {settings.name} must send through Amazon SES (DEVELOPER with a SourceArn)",
            fix,
            **evidence,
        )
    return warned(f"{problem}: fine for a dev pool, not for real users", fix, **evidence)


@check(
    "pool.deletion-protection",
    title="Deletion protection is on (prod)",
    severity="warning",
    environments=["prod"],
)
def deletion_protection(user_pool: dict[str, Any], pool_ref: PoolRef) -> Outcome:
    """
    ## What it checks
    prod only: that the pool's `DeletionProtection` is `ACTIVE`. Anything else (including
    no setting, which means INACTIVE) is a warning.

    ## Why it matters
    Deleting a user pool deletes every user in it, with no undo: everyone would have to be
    invited again, and their usernames stay reserved for a while. With deletion protection
    on, DeleteUserPool is refused until someone deliberately turns it off.

    ## How to fix
    Cognito → User pools → your pool → Settings → Deletion protection → Edit → Activate, or
    run the printed `update-user-pool` command (it carries all current settings).
    """
    state = str(user_pool.get("DeletionProtection") or "INACTIVE")
    if state == "ACTIVE":
        return passed("deletion protection is ACTIVE", deletion_protection=state)
    fix, command = _update_fix(
        pool_ref,
        user_pool,
        {"DeletionProtection": "ACTIVE"},
        _console(user_pool, "Settings", "Deletion protection", "Edit", "Activate"),
    )
    return warned(
        f"deletion protection is {state}: one DeleteUserPool call (or a stray `terraform "
        "destroy`) deletes every prod user for good",
        fix,
        fix_command=command,
        deletion_protection=state,
    )


__all__ = [
    "account_recovery",
    "deletion_protection",
    "email_sending",
    "email_sign_in",
    "email_verification",
    "mfa_off",
    "new_pool_params",
    "password_policy",
    "pool_exists",
    "required_attributes",
    "self_signup_off",
]
