"""The pool settings the runbook expects, and reading and describing them in a DescribeUserPool
answer (for the pool.* checks of :mod:`cognito_doctor.checks.pool`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_doctor.facts.records import PoolLookup
from cognito_doctor.platform.regions import pool_id_region

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
# Why each of REQUIRED_ATTRIBUTES must be required.
MISSING_ATTRIBUTE_REASONS = {
    "email": "users without an email address get no invitation and can't reset passwords",
    "name": "CognitoService.createUser sends a name attribute with the user's display name, "
    "which the platform shows",
}
DEFAULT_SENDER_PROBLEM = (
    "Cognito's default sender (COGNITO_DEFAULT) allows about 50 emails a day, and its "
    "address no-reply@verificationemail.com lands in junk for some providers"
)


def pool_label(pool: Mapping[str, Any]) -> str:
    return f"{pool.get('Name', '?')} ({pool.get('Id', '?')})"


def arn_parts(pool: Mapping[str, Any]) -> tuple[str, str]:
    """(partition, account id) from the pool's ARN, with placeholders when it has none."""
    parts = str(pool.get("Arn", "")).split(":")
    if len(parts) >= 5 and parts[0] == "arn" and parts[4]:
        return parts[1], parts[4]
    return "aws", "<account-id>"


def schema_of(pool: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """SchemaAttributes by name.

    Real AWS lists every standard attribute; moto lists only those passed at creation when
    any were. Either way an attribute that is not listed is not required.
    """
    attributes = pool.get("SchemaAttributes") or []
    return {str(a["Name"]): a for a in attributes if isinstance(a, Mapping) and "Name" in a}


def password_policy_of(pool: Mapping[str, Any]) -> dict[str, Any]:
    policies = pool.get("Policies") or {}
    return dict(policies.get("PasswordPolicy") or {})


def unread_password_settings(pool: Mapping[str, Any], *, prod: bool) -> list[str]:
    """The password settings the check needs that the answer doesn't hold (none is assumed:
    a DescribeUserPool answer from AWS carries them all, AWS's documented example too)."""
    policies = pool.get("Policies")
    if not isinstance(policies, Mapping) or not isinstance(policies.get("PasswordPolicy"), Mapping):
        return ["Policies.PasswordPolicy"]
    policy = policies["PasswordPolicy"]
    wanted = ["MinimumLength", *(PASSWORD_CLASSES if prod else ())]
    missing = [key for key in wanted if key not in policy]
    if not isinstance(policy.get("MinimumLength", 0), int):
        missing.append("MinimumLength (not a number)")
    return [f"PasswordPolicy.{key}" for key in missing]


def describe_password_policy(policy: Mapping[str, Any]) -> str:
    classes = [words for key, words in PASSWORD_CLASSES.items() if policy.get(key)]
    required = ", ".join(classes) if classes else "no character classes"
    return f"minimum length {policy.get('MinimumLength', 8)}, requires {required}"


def password_shortfalls(
    policy: Mapping[str, Any], minimum: int, *, env: str, prod: bool
) -> list[str]:
    """What `policy` lacks: a minimum length of `minimum`, and (prod) every character class."""
    shortfalls = []
    length = int(policy.get("MinimumLength") or 0)
    if length < minimum:
        shortfalls.append(f"minimum length is {length} ({env} needs {minimum}+)")
    missing = [words for key, words in PASSWORD_CLASSES.items() if not policy.get(key)]
    if missing and prod:
        shortfalls.append(f"{', '.join(missing)} not required")
    return shortfalls


def user_count(pool: Mapping[str, Any]) -> str:
    count = pool.get("EstimatedNumberOfUsers")
    return f"the {count} user(s)" if isinstance(count, int) and count > 0 else "the users"


def sign_in_problem(username: list[str], alias: list[str]) -> str:
    """What is wrong with UsernameAttributes `username` and AliasAttributes `alias`."""
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
    return (
        "; ".join(problems) + ". The runbook's pool signs in with email only, and this can't "
        "be changed on an existing pool"
    )


def recovery_names(pool: Mapping[str, Any]) -> list[str]:
    """The names of the pool's account recovery mechanisms, by priority."""
    setting = pool.get("AccountRecoverySetting") or {}
    mechanisms = sorted(
        setting.get("RecoveryMechanisms") or [], key=lambda m: int(m.get("Priority", 0))
    )
    return [str(m.get("Name")) for m in mechanisms]


def recovery_problem(names: list[str]) -> str:
    """What is wrong with recovery mechanisms `names` (which are not just verified_email)."""
    if not names:
        return (
            "no account recovery setting: the pool uses Cognito's legacy order, SMS first and "
            "email for users without a phone number; set verified email only so that no reset "
            "code ever goes to a phone number the platform never verified"
        )
    if "admin_only" in names:
        return (
            "account recovery is admin_only: AdminResetUserPassword, which the platform uses "
            "for password resets, fails"
        )
    return (
        f"account recovery is {' then '.join(names)}, not verified email only: reset codes "
        "can go to phone numbers the platform never collects or verifies"
    )


def other_pools(lookup: PoolLookup) -> list[dict[str, str]]:
    """The name and id of each pool that exists where the pool was not found."""
    return [
        {"name": str(p.get("Name", "")), "id": str(p.get("Id", ""))} for p in lookup.other_pools
    ]


def not_found_message(lookup: PoolLookup, others: list[dict[str, str]]) -> str:
    """Why the pool was not found, and which pools (`others`) exist in its region instead."""
    ref = lookup.ref
    message = f"user pool {ref.pool_id} was not found in {ref.region}"
    pool_region = pool_id_region(ref.pool_id) or ref.pool_id
    if pool_region != ref.region:
        message += f" (its id starts with {pool_region}, but the region used is {ref.region})"
    if lookup.list_problem is not None:
        message += f"; the pools in {ref.region} could not be listed: {lookup.list_problem}"
    elif not others:
        message += f"; there are no user pools at all in {ref.region}"
    else:
        listed = ", ".join(f"{p['name']} ({p['id']})" for p in others[:LISTED_POOLS])
        more = len(others) - LISTED_POOLS
        message += f"; the {len(others)} pool(s) in {ref.region} are: {listed}"
        if more > 0:
            message += f" and {more} more"
    return message


def mfa_problem(mfa: str) -> str:
    """What MfaConfiguration `mfa` (ON or OPTIONAL) does to the platform."""
    if mfa == "OPTIONAL":
        return (
            "MfaConfiguration=OPTIONAL: Cognito prompts only users who enrolled an MFA factor, "
            "and the platform enrols none, so nobody is prompted today; the platform does MFA "
            "in admin-api, and a user who enrols a factor would get a challenge its flows "
            "can't answer"
        )
    return (
        f"MfaConfiguration={mfa}: Cognito MFA is required for every user; the platform does MFA "
        "in admin-api, so admins would be asked for a second factor twice and the platform's "
        "flows can't answer Cognito's MFA challenges"
    )


def missing_attributes_problem(missing: list[str]) -> str:
    """What not requiring the `missing` ones of REQUIRED_ATTRIBUTES breaks."""
    return (
        f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not required ("
        + "; ".join(MISSING_ATTRIBUTE_REASONS[name] for name in missing)
        + "), and required attributes can't be changed on an existing pool"
    )


def sending_problem(account: str, env: str, *, ses_required: bool) -> str:
    """What is wrong with EmailSendingAccount `account` (and no SourceArn) in environment `env`."""
    if account == "DEVELOPER":
        return (
            "EmailSendingAccount is DEVELOPER but no SourceArn names the SES identity to send from"
        )
    if ses_required:
        return (
            f"{DEFAULT_SENDER_PROBLEM}; {env} must send through Amazon SES (DEVELOPER with a "
            "SourceArn)"
        )
    return f"{DEFAULT_SENDER_PROBLEM}: fine for a dev pool, not for real users"
