"""Judging one Cognito user's state: what it means for the platform, and the fix for it.

Everything here is a pure function of the user, the pool and `now` (no AWS call), so that an
expired invitation can be shown without waiting a week.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cognito_doctor.oncall.user_commands import (
    idp_command,
    invite_command,
    required_attributes,
    resend_command,
)
from cognito_doctor.platform.awscli import AwsTarget

# AWS's default when neither PasswordPolicy.TemporaryPasswordValidityDays nor the legacy
# AdminCreateUserConfig.UnusedAccountValidityDays is set.
DEFAULT_TEMPORARY_PASSWORD_DAYS = 7

OK = "ok"
WARN = "warn"
PROBLEM = "problem"
_LEVEL_ORDER = {OK: 0, WARN: 1, PROBLEM: 2}


@dataclass(frozen=True)
class UserFinding:
    """One thing to say about a user: how bad it is, what it means, what to do."""

    level: str
    message: str
    fix: str = ""
    fix_command: str | None = None


@dataclass(frozen=True)
class CognitoUser:
    """The parts of AdminGetUser / ListUsers that say what state a user is in."""

    username: str
    status: str
    enabled: bool
    email: str | None
    email_verified: bool | None
    sub: str | None
    created: datetime | None
    modified: datetime | None
    # The names of the attributes the user has a value for.
    attribute_names: frozenset[str] = frozenset()

    @classmethod
    def from_response(cls, user: Mapping[str, Any]) -> CognitoUser:
        """From an AdminGetUser response or one ListUsers `Users` item."""
        raw = user.get("UserAttributes") or user.get("Attributes") or []
        attributes = {str(a.get("Name")): str(a.get("Value", "")) for a in raw}
        verified = attributes.get("email_verified")
        return cls(
            username=str(user.get("Username", "")),
            status=str(user.get("UserStatus") or "UNKNOWN"),
            enabled=bool(user.get("Enabled", True)),
            email=attributes.get("email"),
            email_verified=None if verified is None else verified.lower() == "true",
            sub=attributes.get("sub"),
            created=_aware(user.get("UserCreateDate")),
            modified=_aware(user.get("UserLastModifiedDate")),
            attribute_names=frozenset(n for n, v in attributes.items() if v),
        )


@dataclass(frozen=True)
class UserAssessment:
    """A user, the state tags triage matches against, and what to say about it."""

    user: CognitoUser
    tags: frozenset[str]
    findings: tuple[UserFinding, ...]
    invitation_expires: datetime | None = None

    @property
    def level(self) -> str:
        return worst(f.level for f in self.findings)


def worst(levels: Any) -> str:
    found = list(levels)
    return max(found, key=lambda level: _LEVEL_ORDER[level]) if found else OK


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def temporary_password_days(pool: Mapping[str, Any]) -> int:
    """How long an invitation's temporary password is valid in this pool, in days."""
    policy = (pool.get("Policies") or {}).get("PasswordPolicy") or {}
    days = policy.get("TemporaryPasswordValidityDays")
    if isinstance(days, int) and days > 0:
        return days
    # Older pools: effective until TemporaryPasswordValidityDays is set.
    legacy = (pool.get("AdminCreateUserConfig") or {}).get("UnusedAccountValidityDays")
    if isinstance(legacy, int) and legacy > 0:
        return legacy
    return DEFAULT_TEMPORARY_PASSWORD_DAYS


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _span(delta: timedelta) -> str:
    seconds = abs(int(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours = rest // 3600
    if days:
        return f"{days} day(s) {hours} h" if hours else f"{days} day(s)"
    minutes = (rest % 3600) // 60
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _command_username(user: CognitoUser, pool: Mapping[str, Any], email: str) -> str:
    # In a pool whose usernames are email addresses, AdminCreateUser (also with RESEND) takes
    # the email: the sub-style Username is refused with "Username should be an email.".
    if "email" in (pool.get("UsernameAttributes") or []):
        return user.email or email
    return user.username


def assess_user(
    user: CognitoUser,
    pool: Mapping[str, Any],
    *,
    target: AwsTarget,
    region: str,
    email: str,
    now: datetime,
) -> UserAssessment:
    """What `user`'s state means for the platform at `now`, and the fix for each problem."""
    pool_id = str(pool.get("Id", "<user-pool-id>"))
    name = _command_username(user, pool, email)
    tags: set[str] = {"exists", user.status, "enabled" if user.enabled else "disabled"}
    findings: list[UserFinding] = []
    expires: datetime | None = None

    if not user.enabled:
        findings.append(_disabled_finding(target, region, pool_id, name))

    if user.status == "FORCE_CHANGE_PASSWORD":
        resend = resend_command(target, region, pool_id, name)
        invitation_tags, finding, expires = _invitation(
            user, temporary_password_days(pool), resend, now
        )
        tags |= invitation_tags
        findings.append(finding)
    else:
        status_finding = _status_finding(user, target, region, pool_id, name)
        if status_finding is not None:
            findings.append(status_finding)

    lacking = [n for n in required_attributes(pool) if n not in user.attribute_names]
    if lacking:
        tags.add("required_attribute_missing")
        findings.append(_missing_attributes_finding(user, lacking, target, region, pool_id, name))

    if user.email_verified is not True:
        tags.add("email_unverified")
    # An invited user who has not signed in yet is expected to be unverified.
    if user.email_verified is not True and user.status != "FORCE_CHANGE_PASSWORD":
        findings.append(_unverified_email_finding(target, region, pool_id, name))
    return UserAssessment(user, frozenset(tags), tuple(findings), expires)


def _disabled_finding(target: AwsTarget, region: str, pool_id: str, name: str) -> UserFinding:
    """The finding for a disabled user, with the command that re-enables them."""
    return UserFinding(
        PROBLEM,
        "the user is disabled: every sign-in is refused with NotAuthorizedException "
        '"User is disabled."',
        "If they should have access, re-enable them in the platform, or run:",
        idp_command(target, "admin-enable-user", region, pool_id, name),
    )


def _missing_attributes_finding(
    user: CognitoUser, lacking: list[str], target: AwsTarget, region: str, pool_id: str, name: str
) -> UserFinding:
    """The finding for a user without a value for the pool's required attributes `lacking`."""
    # AWS does not check required attributes on AdminCreateUser; the first sign-in's
    # NEW_PASSWORD_REQUIRED answer then fails with this message.
    when = (
        "the first sign-in (setting the new password) fails"
        if user.status == "FORCE_CHANGE_PASSWORD"
        else "updates and sign-ins that set attributes fail"
    )
    return UserFinding(
        PROBLEM,
        f"the user has no {', '.join(lacking)}, which the pool requires: {when} with "
        f'InvalidParameterException "Invalid attributes given, {lacking[0]} is missing"',
        "Give the user the missing attribute(s) (the platform's display name for name):",
        idp_command(
            target,
            "admin-update-user-attributes",
            region,
            pool_id,
            name,
            user_attributes=tuple(f"Name={n},Value=<{n}>" for n in lacking),
        ),
    )


def _unverified_email_finding(
    target: AwsTarget, region: str, pool_id: str, name: str
) -> UserFinding:
    """The finding for a user whose email is not verified, with the command that verifies it."""
    return UserFinding(
        WARN,
        "email_verified is not true: with recovery by verified email only, Cognito "
        "cannot send this user a password-reset code (AdminResetUserPassword and Forgot "
        "password fail for them)",
        "Once you know the address is theirs, mark it verified:",
        idp_command(
            target,
            "admin-update-user-attributes",
            region,
            pool_id,
            name,
            user_attributes=("Name=email_verified,Value=true",),
        ),
    )


def _invitation(
    user: CognitoUser, days: int, resend: str, now: datetime
) -> tuple[frozenset[str], UserFinding, datetime | None]:
    """An invited user's (FORCE_CHANGE_PASSWORD) tags, finding and invitation expiry."""
    created, modified = user.created, user.modified or user.created
    if created is None or modified is None:
        return (
            frozenset(),
            UserFinding(
                WARN,
                "invited but has not signed in yet (FORCE_CHANGE_PASSWORD); Cognito gave no "
                "creation date, so whether the invitation expired is unknown",
                "If the invitation was lost or has expired, resend it:",
                resend,
            ),
            None,
        )
    # The temporary password is set at creation and again by every RESEND, which also
    # updates UserLastModifiedDate (as do other changes): so the invitation has
    # certainly expired only when even the last modification is older than the
    # validity period.
    latest_expiry = modified + timedelta(days=days)
    first_expiry = created + timedelta(days=days)
    if now >= latest_expiry:
        finding = _expired_invitation(created, latest_expiry, days, resend, now)
        return frozenset({"invitation_expired"}), finding, latest_expiry
    if now >= first_expiry:
        finding = _resent_invitation(created, modified, first_expiry, latest_expiry, resend)
    else:
        finding = _pending_invitation(created, latest_expiry, days, resend, now)
    return frozenset({"invitation_valid"}), finding, latest_expiry


def _expired_invitation(
    created: datetime, expiry: datetime, days: int, resend: str, now: datetime
) -> UserFinding:
    """The finding for an invitation whose temporary password has certainly expired."""
    return UserFinding(
        PROBLEM,
        f"the invitation has expired: the user was invited {_when(created)} "
        f"and never signed in, and the temporary password was valid for {days} "
        f"day(s) (TemporaryPasswordValidityDays), so it expired "
        f"{_when(expiry)}, {_span(now - expiry)} ago. Signing in "
        'with it fails with "Temporary password has expired and must be reset '
        'by an administrator." A password reset does not help: AdminResetUserPassword '
        'refuses a user in FORCE_CHANGE_PASSWORD ("User password cannot be reset in the '
        'current state.").',
        "Resend the invitation, which emails a new temporary password valid for "
        f"another {days} day(s):",
        resend,
    )


def _resent_invitation(
    created: datetime,
    modified: datetime,
    first_expiry: datetime,
    latest_expiry: datetime,
    resend: str,
) -> UserFinding:
    """The finding for a first invitation that expired but may have been resent since."""
    return UserFinding(
        WARN,
        f"invited {_when(created)} and has not signed in yet; the first "
        f"invitation expired {_when(first_expiry)}, but the user was modified "
        f"{_when(modified)} (a resent invitation does that), so a temporary "
        f"password sent then is valid until {_when(latest_expiry)}",
        "If the user's invitation does not work, resend it:",
        resend,
    )


def _pending_invitation(
    created: datetime, expiry: datetime, days: int, resend: str, now: datetime
) -> UserFinding:
    """The finding for an invitation whose temporary password is still valid."""
    return UserFinding(
        OK,
        f"invited {_when(created)} and has not signed in yet; the temporary "
        f"password is valid until {_when(expiry)} "
        f"({_span(expiry - now)} left, TemporaryPasswordValidityDays "
        f"{days})",
        "If the invitation email never arrived, check the pool's email sending "
        "(`cognito-doctor check --only pool.email-sending --only 'email.*'`) and "
        "resend it:",
        resend,
    )


def _status_finding(
    user: CognitoUser, target: AwsTarget, region: str, pool_id: str, name: str
) -> UserFinding | None:
    """The finding for any UserStatus but FORCE_CHANGE_PASSWORD (None: nothing to say)."""
    status = user.status
    if status == "CONFIRMED":
        if user.enabled:
            return UserFinding(OK, "confirmed: the user has set a password and can sign in")
        return None
    if status == "RESET_REQUIRED":
        return UserFinding(
            PROBLEM,
            "a password reset is required (RESET_REQUIRED): the user's password no longer "
            "works and they must set a new one with the code emailed to them (valid 1 hour)",
            "Ask the user to use Forgot password; if their code has expired, send a new one:",
            idp_command(target, "admin-reset-user-password", region, pool_id, name),
        )
    if status == "UNCONFIRMED":
        return UserFinding(
            PROBLEM,
            "signed up but never confirmed (UNCONFIRMED): the platform is invitation-only, so "
            "this user did not come from a promote (is self sign-up on? see pool.self-signup)",
            "If the user is legitimate, confirm them; otherwise delete them:",
            idp_command(target, "admin-confirm-sign-up", region, pool_id, name),
        )
    if status == "COMPROMISED":
        return UserFinding(
            PROBLEM,
            "Cognito marked the user's credentials as compromised (COMPROMISED): sign-in is "
            "blocked until the password is reset",
            "Reset the password, which emails the user a code to set a new one:",
            idp_command(target, "admin-reset-user-password", region, pool_id, name),
        )
    if status == "EXTERNAL_PROVIDER":
        return UserFinding(OK, "signs in through an external identity provider (EXTERNAL_PROVIDER)")
    return UserFinding(
        PROBLEM,
        f"the user is in state {status}, which the platform's invitation flow never produces",
        "Look at the user in Cognito → User pools → Users; if it is stale, delete it and "
        "promote the person again.",
    )


def not_found_finding(
    target: AwsTarget, region: str, pool: Mapping[str, Any], email: str
) -> UserFinding:
    pool_id = str(pool.get("Id", "<user-pool-id>"))
    email_usernames = "email" in (pool.get("UsernameAttributes") or [])
    return UserFinding(
        PROBLEM,
        f"no user with email {email} in pool {pool_id} ({region}): if they were invited, the "
        "user was deleted since, or was created in another pool. AWS documents that a deleted "
        "username can be used again once it is deleted (there is no 14-day wait; 14 days is "
        "how long a deleted pool is kept)",
        "Invite the user again (promote them again in the platform), or create them directly:"
        if email_usernames
        else "Invite the user again by promoting them in the platform. To find them elsewhere, "
        "check that COGNITO_USER_POOL_ID names the same pool in both .env files.",
        invite_command(target, region, pool_id, email) if email_usernames else None,
    )
