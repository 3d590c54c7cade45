"""`cognito-doctor user EMAIL`: one user's state in the pool, and the fix for that state.

Read-only: AdminGetUser (and ListUsers filtered by email when the email is not the username)
with the operator's credentials, plus DescribeUserPool for TemporaryPasswordValidityDays.
The assessment itself (:func:`assess_user`, in user_verdicts.py) is a pure function of the
user, the pool and `now`, so that an expired invitation can be shown without waiting a week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.engine.model import FactUnavailable
from cognito_doctor.engine.registry import Registry
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.oncall.user_commands import invite_command, resend_command
from cognito_doctor.oncall.user_verdicts import (
    DEFAULT_TEMPORARY_PASSWORD_DAYS,
    OK,
    PROBLEM,
    WARN,
    CognitoUser,
    UserAssessment,
    UserFinding,
    assess_user,
    not_found_finding,
    temporary_password_days,
    worst,
)
from cognito_doctor.platform.awscli import AwsTarget
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

# A deliberately loose shape check: Cognito decides what an email is; this only refuses
# input that cannot be one (and so cannot be put in a ListUsers filter safely).
# `local@domain` where the domain has a dot with something either side. The domain's part
# before its first dot (after the first character) is taken whole: with `[^…]+\.[^…]+` every
# dot was a split point and each scanned on to the end (quadratic on `a@....`).
EMAIL_PATTERN = re.compile(r"^[^\s@\"\\]++@[^\s@\"\\][^\s@\"\\.]*+\.[^\s@\"\\]++$")


class UserInputError(ValueError):
    """The email given cannot be an email address."""


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


def utcnow() -> datetime:
    """The clock the assessment uses (tests move it instead of waiting for days)."""
    return datetime.now(UTC)


def validate_email(email: str) -> str:
    """The email, trimmed; UserInputError when it cannot be an email address."""
    value = email.strip()
    if not value:
        raise UserInputError("no email given")
    if not EMAIL_PATTERN.match(value):
        # Not echoed: what was pasted in place of an email may be a secret.
        raise UserInputError(
            f"the argument ({len(value)} characters, {'an' if '@' in value else 'no'} '@') is "
            "not an email address (the platform's users sign in by email)"
        )
    return value


def lookup_user(
    config: RunConfig,
    registry: Registry,
    email: str,
    *,
    now: datetime | None = None,
) -> UserReport:
    """Look `email` up in the pool the `.env` files under `config.root` name (read-only)."""
    from cognito_doctor.engine.resolve import resolve_facts

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
    target = AwsTarget.of(config)
    users = tuple(
        assess_user(
            CognitoUser.from_response(r),
            pool,
            target=target,
            region=ref.region,
            email=email,
            now=moment,
        )
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
        not_found=None if users else not_found_finding(target, ref.region, pool, email),
        temporary_password_days=days,
        notes=notes,
    )


_RETRY = "Run again; if it persists, check the endpoint (--endpoint-url) or the network."


class _LookupFailed(Exception):
    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix


def _find_users(ctx: CheckContext, ref: PoolRef, email: str) -> list[dict[str, Any]]:
    """AdminGetUser by email (the username, or an alias of it); else ListUsers by email."""

    idp = ctx.aws.operator("cognito-idp", ref.region)
    denied: str | None = None
    try:
        found = dict(idp.admin_get_user(UserPoolId=ref.pool_id, Username=email))
        if not isinstance(found.get("Username"), str):
            raise _LookupFailed(
                "couldn't verify the user: AdminGetUser's answer has no Username (an empty or "
                "garbled answer)",
                _RETRY,
            )
        return [found]
    except AwsError as exc:
        code = exc.code
        if code == "UserNotFoundException":
            pass
        elif code in ("AccessDeniedException", "AccessDenied"):
            denied = exc.explain(action="cognito-idp:AdminGetUser")[0]
        else:
            message, fix = exc.explain(action="cognito-idp:AdminGetUser")
            raise _LookupFailed(message, fix) from None
    escaped = email.replace("\\", "\\\\").replace('"', '\\"')
    try:
        users: list[dict[str, Any]] = []
        for page in idp.get_paginator("list_users").paginate(
            UserPoolId=ref.pool_id,
            Filter=f'email = "{escaped}"',
            PaginationConfig={"MaxItems": 60},
        ):
            listed = page.get("Users")
            if not isinstance(listed, list) or not all(
                isinstance(u, dict) and isinstance(u.get("Username"), str) for u in listed
            ):
                # An HTML or `{}` 200 is not "no such user": nothing was read.
                raise _LookupFailed(
                    "couldn't verify whether the user exists: AdminGetUser found no user by "
                    "that name and ListUsers' answer has no readable Users list",
                    _RETRY,
                )
            users.extend(dict(u) for u in listed)
        return users
    except AwsError as exc:
        message, fix = exc.explain(action="cognito-idp:ListUsers")
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


__all__ = [
    "DEFAULT_TEMPORARY_PASSWORD_DAYS",
    "EMAIL_PATTERN",
    "OK",
    "PROBLEM",
    "WARN",
    "CognitoUser",
    "UserAssessment",
    "UserFinding",
    "UserInputError",
    "UserReport",
    "assess_user",
    "invite_command",
    "lookup_user",
    "not_found_finding",
    "report_dict",
    "resend_command",
    "temporary_password_days",
    "utcnow",
    "validate_email",
    "worst",
]
