"""ARNs: parsing them, IAM's `*` / `?` wildcard matching, and comparing a policy's Resource
with the pool's ARN part by part (partition, service, region, account, resource type, pool
id), naming the part that differs; and what an identity (principal) ARN names."""

from __future__ import annotations

import re
from dataclasses import dataclass

RUNBOOK_EXAMPLE_POOL_ID = "eu-west-2_AbCdEf123"
# Runbook placeholders (`<REGION>`), template braces, elisions, and "${…}" that is not one of
# IAM's own policy variables (`${aws:username}` is legitimate).
PLACEHOLDER = re.compile(
    r"<[^<>\s]+>|\{\{[^{}]*\}\}|\$\{(?!aws:|saml:|cognito-|www\.|graph\.|accounts\.)[^{}]*\}|…"
)
_ARN_RESOURCE_NAME = r"[\w+=,.@-]+"


@dataclass(frozen=True)
class Arn:
    """`arn:partition:service:region:account:resource`."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> Arn | None:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            return None
        return cls(*parts[1:])

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def pool_arn(partition: str, region: str, account: str, pool_id: str) -> str:
    """`arn:<partition>:cognito-idp:<region>:<account>:userpool/<poolId>`."""
    return f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{pool_id}"


def wildcard_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's `*` (any run of characters) and `?` (one character) matching."""
    regex = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def placeholders_in(text: str) -> list[str]:
    """The template placeholders left in `text` (`<REGION>`, `{{account}}`, `…`)."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


@dataclass(frozen=True)
class ResourceComparison:
    """A policy Resource compared with the pool's ARN: whether it matches, and if not, why."""

    pattern: str
    matches: bool
    differences: tuple[str, ...] = ()
    placeholders: tuple[str, ...] = ()


def compare_resource(pattern: str, pool: Arn, *, check_account: bool = True) -> ResourceComparison:
    """Compare one Resource entry with the pool's ARN, part by part.

    With `check_account=False` (offline, the account is unknown) the account part only has
    to be a 12-digit account id.
    """
    placeholders = tuple(placeholders_in(pattern))
    target = str(pool) if check_account else None
    if target is not None and wildcard_match(pattern, target):
        return ResourceComparison(pattern, True, (), placeholders)
    parsed = Arn.parse(pattern)
    if parsed is None:
        return ResourceComparison(
            pattern,
            False,
            (
                f"{pattern!r} is not an ARN (expected "
                f"arn:partition:service:region:account:resource, e.g. {pool})",
            ),
            placeholders,
        )
    differences: list[str] = []
    _location_differences(differences, parsed, pool)
    _account_differences(differences, parsed, pool, check_account=check_account)
    _resource_differences(differences, parsed, pool)
    if not differences and target is None:
        return ResourceComparison(pattern, True, (), placeholders)
    if not differences:
        # Every part matches on its own but the whole doesn't (e.g. a wildcard across parts).
        differences.append(f"{pattern} does not match {pool}")
    return ResourceComparison(pattern, False, tuple(differences), placeholders)


def _differ(differences: list[str], part: str, name: str, actual: str, sentence: str) -> None:
    """Add `sentence` (or the placeholder left in `part`) when `part` doesn't match `actual`."""
    left = placeholders_in(part)
    if left:
        differences.append(
            f"the placeholder {', '.join(left)} was never replaced (the {name} is {actual})"
        )
    elif not wildcard_match(part, actual):
        differences.append(sentence)


def _location_differences(differences: list[str], parsed: Arn, pool: Arn) -> None:
    """Where the policy's partition, service and region differ from the pool's."""
    _differ(
        differences,
        parsed.partition,
        "partition",
        pool.partition,
        f"the policy names partition {parsed.partition or '(empty)'}, the pool is in "
        f"partition {pool.partition}",
    )
    hint = (
        " (that is Cognito identity pools, not user pools)" if "identity" in parsed.service else ""
    )
    _differ(
        differences,
        parsed.service,
        "service",
        pool.service,
        f"the policy names service {parsed.service or '(empty)'}{hint}, a user pool's is "
        f"{pool.service}",
    )
    _differ(
        differences,
        parsed.region,
        "region",
        pool.region,
        f"the policy names region {parsed.region}, the pool is in {pool.region}"
        if parsed.region
        else f"the policy leaves the region empty, the pool is in {pool.region}",
    )


def _account_differences(
    differences: list[str], parsed: Arn, pool: Arn, *, check_account: bool
) -> None:
    """How the policy's account differs from the pool's (offline: from a 12-digit id)."""
    if check_account:
        _differ(
            differences,
            parsed.account,
            "account",
            pool.account,
            f"the policy names account {parsed.account or '(empty)'}, the pool's account is "
            f"{pool.account}",
        )
    elif placeholders_in(parsed.account):
        differences.append(
            f"the placeholder {', '.join(placeholders_in(parsed.account))} was never replaced "
            "(the account is your 12-digit AWS account id)"
        )
    elif not re.fullmatch(r"\d{12}", parsed.account):
        differences.append(
            f"the policy names account {parsed.account or '(empty)'}, which is not a "
            "12-digit account id"
        )


def _resource_differences(differences: list[str], parsed: Arn, pool: Arn) -> None:
    """How the policy's resource type and pool id differ from the pool's."""
    pool_id = pool.resource.split("/", 1)[1] if "/" in pool.resource else pool.resource
    resource_type, slash, resource_id = parsed.resource.partition("/")
    if wildcard_match(parsed.resource, pool.resource):
        return
    if not slash:
        _differ(
            differences,
            parsed.resource,
            "resource",
            pool.resource,
            f"the policy names resource {parsed.resource}, a user pool's is {pool.resource}",
        )
        return
    _differ(
        differences,
        resource_type,
        "resource type",
        "userpool",
        f"the policy names resource type {resource_type}, a user pool's is userpool",
    )
    if resource_id == RUNBOOK_EXAMPLE_POOL_ID and pool_id != RUNBOOK_EXAMPLE_POOL_ID:
        differences.append(
            f"the policy names the runbook's example pool id {resource_id}, the pool is {pool_id}"
        )
    else:
        case = (
            " (they differ only in letter case; pool ids are case-sensitive)"
            if resource_id.lower() == pool_id.lower()
            else ""
        )
        _differ(
            differences,
            resource_id,
            "pool id",
            pool_id,
            f"the policy names pool id {resource_id}, the pool is {pool_id}{case}",
        )


@dataclass(frozen=True)
class PrincipalArn:
    """What an identity ARN names: kind (user, role, assumed-role, …), name and path."""

    arn: Arn
    kind: str
    name: str
    path: str = "/"
    session: str | None = None


def parse_principal(text: str) -> PrincipalArn | None:
    """An IAM user/role/group ARN, an STS assumed-role or federated-user ARN, or root."""
    arn = Arn.parse(text.strip())
    if arn is None or not re.fullmatch(r"\d{12}", arn.account):
        return None
    if arn.service == "iam":
        if arn.resource == "root":
            return PrincipalArn(arn, "root", "root")
        match = re.fullmatch(
            rf"(user|role|group)(/(?:[!-~]*/)?)?({_ARN_RESOURCE_NAME})", arn.resource
        )
        if match:
            return PrincipalArn(arn, match.group(1), match.group(3), match.group(2) or "/")
        return None
    if arn.service == "sts":
        match = re.fullmatch(rf"assumed-role/({_ARN_RESOURCE_NAME})/([\w+=,.@-]+)", arn.resource)
        if match:
            return PrincipalArn(arn, "assumed-role", match.group(1), session=match.group(2))
        match = re.fullmatch(rf"federated-user/({_ARN_RESOURCE_NAME})", arn.resource)
        if match:
            return PrincipalArn(arn, "federated-user", match.group(1))
    return None
