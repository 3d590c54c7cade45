"""What the facts an error text names say about the setup: each is compared with the target
the `.env` files name ("the AccessDenied names pool eu-west-2_Abc but
services/user-management/.env:2 names eu-west-2_Xyz") and with AWS's own lists (a region
that doesn't exist).

A finding "differs" when the text and the setup disagree (the likeliest lead), "invalid"
when the text names something that can't exist, "agrees" when they match (that rules a
mix-up out).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cognito_doctor.oncall.error_facts import ErrorFacts, region_exists
from cognito_doctor.platform.envfiles import EnvFiles
from cognito_doctor.platform.target import EnvTarget, Named


class Bearing(StrEnum):
    """How a fact of the text bears on the setup."""

    DIFFERS = "differs"
    INVALID = "invalid"
    AGREES = "agrees"


@dataclass(frozen=True)
class TextFinding:
    """One comparison of a fact of the text with the setup."""

    subject: str  # pool_id, client_id, region, account_id, key_id; online also principal,
    # caller_account, pool_in_aws, client_in_pool (triage_aws)
    bearing: Bearing
    message: str


@dataclass(frozen=True)
class Unverified:
    """A comparison with AWS that could not be made (no answer, or no permission): it
    decides nothing, and says why."""

    subject: str
    message: str


def _where(named: Named, key: str) -> str:
    return f"{key} ({named.location})" if named.location else key


def text_pools(facts: ErrorFacts) -> tuple[str, ...]:
    """The pool ids the text names: alone, or in the resource ARN an AccessDenied names."""
    pools = list(facts.pool_ids)
    pools += [
        d.resource.rsplit("/", 1)[-1]
        for d in facts.denials
        if d.resource and "userpool/" in d.resource
    ]
    return tuple(dict.fromkeys(pools))


def _pools(facts: ErrorFacts, target: EnvTarget) -> list[TextFinding]:
    expected = target.pool_id.value
    findings = []
    for pool in text_pools(facts):
        if expected is None:
            continue
        where = _where(target.pool_id, "COGNITO_USER_POOL_ID")
        if pool == expected:
            findings.append(
                TextFinding(
                    "pool_id", Bearing.AGREES, f"the text names pool {pool}, the one {where} names"
                )
            )
        else:
            findings.append(
                TextFinding(
                    "pool_id",
                    Bearing.DIFFERS,
                    f"the text names pool {pool} but {where} names {expected}: the failing call "
                    "went to another pool than the .env files name (a service running an old "
                    "configuration, or a policy written for another pool)",
                )
            )
    return findings


def _clients(facts: ErrorFacts, target: EnvTarget) -> list[TextFinding]:
    expected = target.app_client_id.value
    if expected is None:
        return []
    where = _where(target.app_client_id, "COGNITO_APP_CLIENT_ID")
    findings = []
    for client in facts.client_ids:
        if client == expected:
            findings.append(
                TextFinding("client_id", Bearing.AGREES, f"the client id in the text is {where}")
            )
        else:
            findings.append(
                TextFinding(
                    "client_id",
                    Bearing.DIFFERS,
                    f"the client id in the text ({client}) is not {where}, which is {expected}",
                )
            )
    return findings


def _regions(facts: ErrorFacts, target: EnvTarget) -> list[TextFinding]:
    expected = target.region.value
    findings = []
    for region in facts.region_shaped():
        if not region_exists(region):
            findings.append(
                TextFinding(
                    "region",
                    Bearing.INVALID,
                    f"the text names region {region}, which doesn't exist: a typo in "
                    "COGNITO_REGION or COGNITO_USER_POOL_ID where the call was configured",
                )
            )
        elif expected and region != expected:
            where = _where(target.region, "COGNITO_REGION")
            findings.append(
                TextFinding(
                    "region",
                    Bearing.DIFFERS,
                    f"the text names region {region} but {where} is {expected}",
                )
            )
    return findings


def _accounts(facts: ErrorFacts) -> list[TextFinding]:
    findings = []
    for denial in facts.denials:
        if not denial.resource:
            continue
        principal_account = account_of(denial.principal)
        resource_account = account_of(denial.resource)
        if principal_account and resource_account and principal_account != resource_account:
            findings.append(
                TextFinding(
                    "account_id",
                    Bearing.DIFFERS,
                    f"the caller {denial.principal} is in account {principal_account} but the "
                    f"resource is in account {resource_account}: the service's keys belong to "
                    "another account than the pool",
                )
            )
    return findings


def account_of(arn: str) -> str | None:
    """The account id an ARN names, or None (none, or `aws` for AWS's own managed policies)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else None


def _keys(facts: ErrorFacts, files: EnvFiles) -> list[TextFinding]:
    um = files.um
    configured = um.get("AWS_ACCESS_KEY_ID") if um.usable else None
    if not configured or len(configured) < 4:
        return []
    mine = f"…{configured[-4:]}"
    where = f"AWS_ACCESS_KEY_ID ({um.location('AWS_ACCESS_KEY_ID')})"
    findings = []
    for key in facts.key_ids:
        if key == mine:
            findings.append(
                TextFinding(
                    "key_id", Bearing.AGREES, f"the access key {key} in the text is {where}"
                )
            )
        else:
            findings.append(
                TextFinding(
                    "key_id",
                    Bearing.DIFFERS,
                    f"the access key {key} in the text is not {where} ({mine}): the process that "
                    "failed runs with other keys (a shell variable, a profile, or a service not "
                    "restarted since the .env changed)",
                )
            )
    return findings


def compare(facts: ErrorFacts, target: EnvTarget, files: EnvFiles) -> list[TextFinding]:
    """Every comparison of the text's facts with the setup, the disagreements first."""
    findings = _pools(facts, target) + _clients(facts, target) + _regions(facts, target)
    findings += _accounts(facts) + _keys(facts, files)
    return sort_findings(findings)


def sort_findings(findings: list[TextFinding]) -> list[TextFinding]:
    """`findings`, the disagreements first (a stable sort: each kind keeps its order)."""
    order = (Bearing.INVALID, Bearing.DIFFERS, Bearing.AGREES)
    return sorted(findings, key=lambda f: order.index(f.bearing))
