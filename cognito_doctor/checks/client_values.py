"""What the client checks know of app clients: the runbook's client, how to name one, and how
to tell the platform's client from another application's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cognito_doctor.checks.changes import env_change
from cognito_doctor.engine.model import Outcome, failed
from cognito_doctor.facts.records import ClientLookup
from cognito_doctor.platform.awscli import (
    AwsTarget,
    aws_command,
)
from cognito_doctor.platform.envfiles import EnvFile
from cognito_doctor.platform.settings import RunConfig

RUNBOOK_CLIENT_NAME = "clinical-platform"


REQUIRED_FLOWS = ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


def not_ours(client: Mapping[str, Any], settings: RunConfig) -> str:
    return (
        f"app client {describe(client)} is not the {settings.expect.app_client_name} client: "
        "another application's client is left alone (see client.exists)"
    )


def describe(client: Mapping[str, Any]) -> str:
    return f"'{client.get('ClientName') or '(no name)'}' ({client.get('ClientId')})"


def create_client_command(
    target: AwsTarget, region: str, pool_id: str, name: str = RUNBOOK_CLIENT_NAME
) -> str:
    """The runbook's confidential `clinical-platform` client for this pool, as an aws command."""
    return aws_command(
        target,
        "cognito-idp",
        "create-user-pool-client",
        region,
        user_pool_id=pool_id,
        client_name=name,
        generate_secret=True,
        explicit_auth_flows=REQUIRED_FLOWS,
    )


def is_expected_client(client: Mapping[str, Any], wanted: str = RUNBOOK_CLIENT_NAME) -> bool:
    """Whether the client is named like `wanted` (the runbook's client, not another
    application's): the first two of `runbook_like`'s tiers."""
    name = str(client.get("ClientName") or "").lower().replace("_", "-").replace(" ", "-")
    return wanted.lower() in name or wanted.lower().replace("-", "") in name


def another_apps_client(
    client: Mapping[str, Any], lookup: ClientLookup, auth_env: EnvFile, settings: RunConfig
) -> Outcome:
    """COGNITO_APP_CLIENT_ID names a client of the pool that is not the runbook's: point at
    the right one (or its creation), and leave the other application's client alone."""
    ref = lookup.ref
    wanted = settings.expect.app_client_name
    where = auth_env.location("COGNITO_APP_CLIENT_ID")
    message = (
        f"COGNITO_APP_CLIENT_ID={ref.app_client_id} is the app client {describe(client)} of "
        f"pool {ref.pool_id}, which is not the {wanted} client: services/auth would accept "
        "tokens minted for another application"
    )
    leave = (
        f"Leave {describe(client)} as it is: it belongs to another application (do not "
        "change its flows or delete it). Restart auth afterwards."
    )
    others = [c for c in lookup.other_clients if c.get("ClientId") != client.get("ClientId")]
    candidates = [c for c in runbook_like(others, wanted) if is_expected_client(c, wanted)]
    if len(candidates) == 1:
        best = str(candidates[0].get("ClientId"))
        return failed(
            f"{message}. The {wanted} client is {describe(candidates[0])}",
            f"In {auth_env.label}, set\n  COGNITO_APP_CLIENT_ID={best}\n{leave}",
            location=where,
            change=env_change((auth_env.label,), COGNITO_APP_CLIENT_ID=best),
            suggested_client_id=best,
        )
    if candidates:
        listing = ", ".join(describe(c) for c in candidates)
        return failed(
            f"{message}. {len(candidates)} clients are named like {wanted}: {listing}",
            f"In {auth_env.label}, set COGNITO_APP_CLIENT_ID to the one whose tokens "
            f"services/auth receives. {leave}",
            location=where,
        )
    create = create_client_command(AwsTarget.of(settings), ref.region, ref.pool_id, wanted)
    problem = f" ({lookup.list_problem})" if lookup.list_problem else ""
    return failed(
        f"{message}; no {wanted} client was found in the pool{problem}",
        f"Create the runbook's confidential {wanted} client:\n  {create}\nthen put the "
        f"ClientId it prints into {auth_env.label} as COGNITO_APP_CLIENT_ID. {leave}",
        fix_command=create,
        location=where,
    )


def runbook_like(
    clients: Sequence[Mapping[str, Any]], wanted: str = RUNBOOK_CLIENT_NAME
) -> list[Mapping[str, Any]]:
    """The clients named most like `wanted` (the runbook's `clinical-platform`, or the config
    file's app_client_name), best tier only."""

    def name(client: Mapping[str, Any]) -> str:
        return str(client.get("ClientName") or "").lower().replace("_", "-").replace(" ", "-")

    tiers = (
        lambda n: n == wanted.lower(),
        lambda n: wanted.lower() in n or wanted.lower().replace("-", "") in n,
        lambda n: "clinical" in n,
    )
    for matches in tiers:
        found = [c for c in clients if matches(name(c))]
        if found:
            return found
    return []
