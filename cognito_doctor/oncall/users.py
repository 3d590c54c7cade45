"""`cognito-doctor user EMAIL`: one user's state in the pool, and the fix for that state.

Read-only: AdminGetUser (and ListUsers filtered by email when the email is not the username)
with the operator's credentials, plus DescribeUserPool for TemporaryPasswordValidityDays.
The assessment itself (:func:`assess_user`) is a pure function of the user, the pool and
`now`, so that an expired invitation can be shown without waiting a week.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cognito_doctor.engine.model import FactUnavailable
from cognito_doctor.engine.registry import Registry
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.platform.awscli import aws_command
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

# AWS's default when neither PasswordPolicy.TemporaryPasswordValidityDays nor the legacy
# AdminCreateUserConfig.UnusedAccountValidityDays is set.
DEFAULT_TEMPORARY_PASSWORD_DAYS = 7
# A deliberately loose shape check: Cognito decides what an email is; this only refuses
# input that cannot be one (and so cannot be put in a ListUsers filter safely).
EMAIL_PATTERN = re.compile(r"^[^\s@\"\\]+@[^\s@\"\\]+\.[^\s@\"\\]+$")

OK = "ok"
WARN = "warn"
PROBLEM = "problem"
_LEVEL_ORDER = {OK: 0, WARN: 1, PROBLEM: 2}


class UserInputError(ValueError):
    """The email given cannot be an email address."""


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


@dataclass(frozen=True)
class UserReport:
    """Everything `cognito-doctor user EMAIL` found (or why it could not look)."""

    email: str
    pool_id: str | None
    region: str | None
    users: tuple[UserAssessment, ...] = ()
    not_found: UserFinding | None = None
    lookup_problem: str | None = None
    lookup_fix: str = ""
    temporary_password_days: int | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def checked(self) -> bool:
        return self.lookup_problem is None

    @property
    def tags(self) -> frozenset[str]:
        """State tags for triage: `not_found`, or the union of the users' tags."""
        if not self.checked:
            return frozenset()
        if not self.users:
            return frozenset({"not_found"})
        return frozenset().union(*(a.tags for a in self.users))

    @property
    def level(self) -> str:
        if not self.checked:
            return PROBLEM
        if not self.users:
            return PROBLEM
        return worst(a.level for a in self.users)


def worst(levels: Any) -> str:
    found = list(levels)
    return max(found, key=lambda level: _LEVEL_ORDER[level]) if found else OK


def _aware(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def utcnow() -> datetime:
    """The clock the assessment uses (tests move it instead of waiting for days)."""
    return datetime.now(UTC)


def validate_email(email: str) -> str:
    """The email, trimmed; UserInputError when it cannot be an email address."""
    value = email.strip()
    if not value:
        raise UserInputError("no email given")
    if not EMAIL_PATTERN.match(value):
        raise UserInputError(
            f"{value[:80]!r} is not an email address (the platform's users sign in by email)"
        )
    return value


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


def _idp_command(operation: str, region: str, pool_id: str, username: str, *extra: str) -> str:
    command = aws_command("cognito-idp", operation, region, user_pool_id=pool_id, username=username)
    return " ".join([command, *extra])


def resend_command(region: str, pool_id: str, username: str) -> str:
    """The invitation resend: AdminCreateUser with MessageAction RESEND."""
    return _idp_command("admin-create-user", region, pool_id, username, "--message-action RESEND")


def invite_command(region: str, pool_id: str, email: str) -> str:
    """A fresh invitation for `email` in a pool whose usernames are email addresses."""
    attributes = " ".join(
        shlex.quote(a)
        for a in (
            f"Name=email,Value={email}",
            "Name=email_verified,Value=true",
            "Name=name,Value=<display name>",
        )
    )
    return _idp_command(
        "admin-create-user", region, pool_id, email, f"--user-attributes {attributes}"
    )


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
        findings.append(
            UserFinding(
                PROBLEM,
                "the user is disabled: every sign-in is refused with NotAuthorizedException "
                '"User is disabled."',
                "If they should have access, re-enable them in the platform, or run:",
                _idp_command("admin-enable-user", region, pool_id, name),
            )
        )

    status = user.status
    if status == "FORCE_CHANGE_PASSWORD":
        days = temporary_password_days(pool)
        created, modified = user.created, user.modified or user.created
        resend = resend_command(region, pool_id, name)
        if created is None or modified is None:
            findings.append(
                UserFinding(
                    WARN,
                    "invited but has not signed in yet (FORCE_CHANGE_PASSWORD); Cognito gave no "
                    "creation date, so whether the invitation expired is unknown",
                    "If the invitation was lost or has expired, resend it:",
                    resend,
                )
            )
        else:
            # The temporary password is set at creation and again by every RESEND, which also
            # updates UserLastModifiedDate (as do other changes): so the invitation has
            # certainly expired only when even the last modification is older than the
            # validity period.
            latest_expiry = modified + timedelta(days=days)
            first_expiry = created + timedelta(days=days)
            expires = latest_expiry
            if now >= latest_expiry:
                tags.add("invitation_expired")
                findings.append(
                    UserFinding(
                        PROBLEM,
                        f"the invitation has expired: the user was invited {_when(created)} "
                        f"and never signed in, and the temporary password was valid for {days} "
                        f"day(s) (TemporaryPasswordValidityDays), so it expired "
                        f"{_when(latest_expiry)}, {_span(now - latest_expiry)} ago. Signing in "
                        'with it fails with "Temporary password has expired and must be reset '
                        'by an administrator."',
                        "Resend the invitation, which emails a new temporary password valid for "
                        f"another {days} day(s) (or User pool → Users → the user → Actions → "
                        "Resend invitation):",
                        resend,
                    )
                )
            elif now >= first_expiry:
                tags.add("invitation_valid")
                findings.append(
                    UserFinding(
                        WARN,
                        f"invited {_when(created)} and has not signed in yet; the first "
                        f"invitation expired {_when(first_expiry)}, but the user was modified "
                        f"{_when(modified)} (a resent invitation does that), so a temporary "
                        f"password sent then is valid until {_when(latest_expiry)}",
                        "If the user's invitation does not work, resend it:",
                        resend,
                    )
                )
            else:
                tags.add("invitation_valid")
                findings.append(
                    UserFinding(
                        OK,
                        f"invited {_when(created)} and has not signed in yet; the temporary "
                        f"password is valid until {_when(latest_expiry)} "
                        f"({_span(latest_expiry - now)} left, TemporaryPasswordValidityDays "
                        f"{days})",
                        "If the invitation email never arrived, check the pool's email sending "
                        "(`cognito-doctor check --only pool.email-sending --only 'email.*'`) and "
                        "resend it:",
                        resend,
                    )
                )
    elif status == "CONFIRMED":
        if user.enabled:
            findings.append(
                UserFinding(OK, "confirmed: the user has set a password and can sign in")
            )
    elif status == "RESET_REQUIRED":
        findings.append(
            UserFinding(
                PROBLEM,
                "a password reset is required (RESET_REQUIRED): the user's password no longer "
                "works and they must set a new one with the code emailed to them (valid 1 hour)",
                "Ask the user to use Forgot password; if their code has expired, send a new one:",
                _idp_command("admin-reset-user-password", region, pool_id, name),
            )
        )
    elif status == "UNCONFIRMED":
        findings.append(
            UserFinding(
                PROBLEM,
                "signed up but never confirmed (UNCONFIRMED): the platform is invitation-only, so "
                "this user did not come from a promote (is self sign-up on? see pool.self-signup)",
                "If the user is legitimate, confirm them; otherwise delete them:",
                _idp_command("admin-confirm-sign-up", region, pool_id, name),
            )
        )
    elif status == "COMPROMISED":
        findings.append(
            UserFinding(
                PROBLEM,
                "Cognito marked the user's credentials as compromised (COMPROMISED): sign-in is "
                "blocked until the password is reset",
                "Reset the password, which emails the user a code to set a new one:",
                _idp_command("admin-reset-user-password", region, pool_id, name),
            )
        )
    elif status == "EXTERNAL_PROVIDER":
        findings.append(
            UserFinding(OK, "signs in through an external identity provider (EXTERNAL_PROVIDER)")
        )
    else:
        findings.append(
            UserFinding(
                PROBLEM,
                f"the user is in state {status}, which the platform's invitation flow never "
                "produces",
                "Look at the user in Cognito → User pools → Users; if it is stale, delete it and "
                "promote the person again.",
            )
        )

    if user.email_verified is not True:
        tags.add("email_unverified")
    # An invited user who has not signed in yet is expected to be unverified.
    if user.email_verified is not True and status != "FORCE_CHANGE_PASSWORD":
        findings.append(
            UserFinding(
                WARN,
                "email_verified is not true: with recovery by verified email only, Cognito "
                "cannot send this user a password-reset code",
                "Once you know the address is theirs, mark it verified:",
                _idp_command(
                    "admin-update-user-attributes",
                    region,
                    pool_id,
                    name,
                    "--user-attributes Name=email_verified,Value=true",
                ),
            )
        )
    return UserAssessment(user, frozenset(tags), tuple(findings), expires)


def not_found_finding(region: str, pool: Mapping[str, Any], email: str) -> UserFinding:
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
        invite_command(region, pool_id, email) if email_usernames else None,
    )


def lookup_user(
    config: RunConfig,
    registry: Registry,
    email: str,
    *,
    now: datetime | None = None,
) -> UserReport:
    """Look `email` up in the pool the `.env` files under `config.root` name (read-only)."""
    from cognito_doctor.engine.runner import resolve_facts

    email = validate_email(email)
    moment = now or utcnow()
    ctx = CheckContext(config)
    facts = resolve_facts(ctx, registry, ["pool_ref", "user_pool"])
    ref = facts["pool_ref"]
    if isinstance(ref, FactUnavailable):
        return UserReport(email, None, None, lookup_problem=ref.reason, lookup_fix=ref.fix)
    assert isinstance(ref, PoolRef)
    pool = facts["user_pool"]
    if isinstance(pool, FactUnavailable):
        return UserReport(
            email, ref.pool_id, ref.region, lookup_problem=pool.reason, lookup_fix=pool.fix
        )
    days = temporary_password_days(pool)
    try:
        responses = _find_users(ctx, ref, email)
    except _LookupFailed as exc:
        return UserReport(
            email,
            ref.pool_id,
            ref.region,
            lookup_problem=exc.message,
            lookup_fix=exc.fix,
            temporary_password_days=days,
        )
    users = tuple(
        assess_user(CognitoUser.from_response(r), pool, region=ref.region, email=email, now=moment)
        for r in responses
    )
    notes: tuple[str, ...] = ()
    if len(users) > 1:
        notes = (
            f"{len(users)} users have this email: with email sign-in, only one of them can have "
            "it verified and sign in with it",
        )
    return UserReport(
        email,
        ref.pool_id,
        ref.region,
        users,
        not_found=None if users else not_found_finding(ref.region, pool, email),
        temporary_password_days=days,
        notes=notes,
    )


class _LookupFailed(Exception):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def _find_users(ctx: CheckContext, ref: PoolRef, email: str) -> list[dict[str, Any]]:
    """AdminGetUser by email (the username, or an alias of it); else ListUsers by email."""
    from cognito_doctor.aws.errors import error_code, explain, is_aws_error

    idp = ctx.aws.operator("cognito-idp", ref.region)
    denied: str | None = None
    try:
        return [dict(idp.admin_get_user(UserPoolId=ref.pool_id, Username=email))]
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        code = error_code(exc)
        if code == "UserNotFoundException":
            pass
        elif code in ("AccessDeniedException", "AccessDenied"):
            denied = explain(exc, action="cognito-idp:AdminGetUser")[0]
        else:
            message, fix = explain(exc, action="cognito-idp:AdminGetUser")
            raise _LookupFailed(message, fix) from None
    escaped = email.replace("\\", "\\\\").replace('"', '\\"')
    try:
        users: list[dict[str, Any]] = []
        for page in idp.get_paginator("list_users").paginate(
            UserPoolId=ref.pool_id,
            Filter=f'email = "{escaped}"',
            PaginationConfig={"MaxItems": 60},
        ):
            users.extend(dict(u) for u in page.get("Users", []))
        return users
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        message, fix = explain(exc, action="cognito-idp:ListUsers")
        if denied:
            message = f"{denied}; and {message}"
            fix = (
                "Grant the operator the read-only permissions cognito-idp:AdminGetUser and "
                "cognito-idp:ListUsers on the pool, or run with credentials that have them "
                "(--profile NAME)."
            )
        raise _LookupFailed(message, fix) from None


def report_dict(report: UserReport) -> dict[str, Any]:
    """The JSON form of a user report (no secrets: users' attributes are not included)."""

    def finding(f: UserFinding) -> dict[str, Any]:
        return {"level": f.level, "message": f.message, "fix": f.fix, "fix_command": f.fix_command}

    def moment(value: datetime | None) -> str | None:
        return value.astimezone(UTC).isoformat() if value else None

    return {
        "email": report.email,
        "user_pool_id": report.pool_id,
        "region": report.region,
        "checked": report.checked,
        "problem": report.lookup_problem,
        "problem_fix": report.lookup_fix or None,
        "level": report.level,
        "states": sorted(report.tags),
        "temporary_password_validity_days": report.temporary_password_days,
        "users": [
            {
                "username": a.user.username,
                "status": a.user.status,
                "enabled": a.user.enabled,
                "email_verified": a.user.email_verified,
                "created": moment(a.user.created),
                "last_modified": moment(a.user.modified),
                "invitation_expires": moment(a.invitation_expires),
                "states": sorted(a.tags),
                "level": a.level,
                "findings": [finding(f) for f in a.findings],
            }
            for a in report.users
        ],
        "not_found": finding(report.not_found) if report.not_found else None,
        "notes": list(report.notes),
    }
