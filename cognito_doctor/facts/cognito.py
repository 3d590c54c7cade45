"""The Cognito facts: the pool and the app client the .env files name, as AWS describes them."""

from __future__ import annotations

from typing import Any

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext, aws_failure
from cognito_doctor.facts.records import ClientLookup, PoolLookup
from cognito_doctor.platform.target import PoolRef


@fact("pool_lookup", network=True)
def pool_lookup(ctx: CheckContext, pool_ref: PoolRef) -> PoolLookup:
    """DescribeUserPool; when the pool isn't there, ListUserPools in the same region."""

    idp = ctx.aws.operator("cognito-idp", pool_ref.region)
    try:
        pool = idp.describe_user_pool(UserPoolId=pool_ref.pool_id)["UserPool"]
        return PoolLookup(pool_ref, dict(pool))
    except AwsError as exc:
        if exc.code != "ResourceNotFoundException":
            raise aws_failure(exc, "cognito-idp:DescribeUserPool") from None
    try:
        pools: list[dict[str, Any]] = []
        for page in idp.get_paginator("list_user_pools").paginate(
            MaxResults=60, PaginationConfig={"MaxItems": 300}
        ):
            pools.extend(page.get("UserPools", []))
        return PoolLookup(pool_ref, None, tuple(pools))
    except AwsError as exc:
        message, _ = exc.explain(action="cognito-idp:ListUserPools")
        return PoolLookup(pool_ref, None, (), message)


@fact("user_pool")
def user_pool(ctx: CheckContext, pool_lookup: PoolLookup) -> dict[str, Any]:
    """The DescribeUserPool `UserPool`, when the pool exists."""
    if pool_lookup.pool is None:
        raise FactUnavailable(
            Status.SKIP,
            f"user pool {pool_lookup.ref.pool_id} was not found in {pool_lookup.ref.region} "
            "(see pool.exists)",
        )
    return pool_lookup.pool


@fact("client_lookup", network=True)
def client_lookup(ctx: CheckContext, pool_ref: PoolRef) -> ClientLookup:
    """DescribeUserPoolClient for COGNITO_APP_CLIENT_ID; when not found, the pool's clients."""

    if pool_ref.app_client_id is None:
        raise FactUnavailable(
            Status.SKIP,
            f"COGNITO_APP_CLIENT_ID is not set in {ctx.config.auth_env_path} "
            "(see env.app-client-id)",
        )
    idp = ctx.aws.operator("cognito-idp", pool_ref.region)
    try:
        response = idp.describe_user_pool_client(
            UserPoolId=pool_ref.pool_id, ClientId=pool_ref.app_client_id
        )
        client = dict(response["UserPoolClient"])
    except AwsError as exc:
        if exc.code != "ResourceNotFoundException":
            raise aws_failure(exc, "cognito-idp:DescribeUserPoolClient") from None
        client = None
    if client is not None and _plain(client.get("ClientName")) == _plain(
        ctx.config.expect.app_client_name
    ):
        return ClientLookup(pool_ref, client)
    # Not found, or another application's client: the pool's clients name the right one.
    try:
        clients: list[dict[str, Any]] = []
        for page in idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_ref.pool_id, MaxResults=60, PaginationConfig={"MaxItems": 300}
        ):
            clients.extend(page.get("UserPoolClients", []))
        return ClientLookup(pool_ref, client, tuple(clients))
    except AwsError as exc:
        if exc.code == "ResourceNotFoundException":
            raise FactUnavailable(
                Status.SKIP,
                f"user pool {pool_ref.pool_id} was not found in {pool_ref.region} "
                "(see pool.exists)",
            ) from None
        message, _ = exc.explain(action="cognito-idp:ListUserPoolClients")
        return ClientLookup(pool_ref, client, (), message)


def _plain(name: object) -> str:
    """A client name compared loosely: `Clinical_Platform` is `clinical-platform`."""
    return str(name or "").lower().replace("_", "-").replace(" ", "-")


@fact("app_client")
def app_client(ctx: CheckContext, client_lookup: ClientLookup) -> dict[str, Any]:
    """The DescribeUserPoolClient `UserPoolClient`, when COGNITO_APP_CLIENT_ID names one."""
    if client_lookup.client is None:
        raise FactUnavailable(
            Status.SKIP,
            f"app client {client_lookup.ref.app_client_id} is not a client of "
            f"{client_lookup.ref.pool_id} (see client.exists)",
        )
    return client_lookup.client
