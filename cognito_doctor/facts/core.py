"""The built-in facts: named values each produced once per run by one provider.

A provider gets `ctx` and the facts it `needs`; it returns a value or raises
:class:`FactUnavailable`, whose status (skip or error) and reason become the result of every
check that needs it. Providers that talk to AWS import :mod:`cognito_doctor.aws` inside
their body, so offline runs never import botocore.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cognito_doctor.engine.model import Environment, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV, EnvFile, read_env_file
from cognito_doctor.platform.regions import expected_issuer, is_region
from cognito_doctor.platform.settings import RunConfig

if TYPE_CHECKING:
    from cognito_doctor.aws import AwsAccess, ServiceKeys

POOL_ID_PATTERN = re.compile(r"^[\w-]+_[0-9a-zA-Z]+$")
HTTP_TIMEOUT_SECONDS = 10.0


class FactUnavailable(Exception):
    """A fact could not be produced; every check needing it gets `status` and `reason`."""

    def __init__(self, status: Status, reason: str, fix: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.fix = fix


@dataclass
class SharedClients:
    """AWS clients shared by the environments of one command line run (see AwsAccess).

    Holds no client until the first AWS fact needs one, so that creating it imports nothing.
    """

    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    store: Any = field(default=None, repr=False)


@dataclass
class CheckContext:
    """What checks and providers may read besides facts: the run's options, and AWS access."""

    config: RunConfig
    _aws: AwsAccess | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    clients: SharedClients | None = field(default=None, repr=False)

    @property
    def environment(self) -> Environment:
        return self.config.environment

    @property
    def prod(self) -> bool:
        return self.config.environment is Environment.PROD

    @property
    def aws(self) -> AwsAccess:
        """AWS access, created (and botocore imported) on first use."""
        with self._lock:
            if self._aws is None:
                from cognito_doctor.aws import AwsAccess

                self._aws = AwsAccess(self.config, self.clients)
            return self._aws


@dataclass(frozen=True)
class EnvFiles:
    """Both services' `.env` files, each parsed or with the reason it couldn't be."""

    um: EnvFile
    auth: EnvFile

    def __iter__(self) -> Iterator[EnvFile]:
        return iter((self.um, self.auth))


@dataclass(frozen=True)
class PoolRef:
    """The pool the `.env` files point at, and where to look for it."""

    pool_id: str
    region: str
    app_client_id: str | None

    @property
    def issuer(self) -> str:
        return expected_issuer(self.region, self.pool_id)


@dataclass(frozen=True)
class PoolLookup:
    """DescribeUserPool's answer, or, when the pool wasn't found, the pools that do exist."""

    ref: PoolRef
    pool: dict[str, Any] | None
    other_pools: tuple[dict[str, Any], ...] = ()
    list_problem: str | None = None


@dataclass(frozen=True)
class ClientLookup:
    """DescribeUserPoolClient's answer, or, when not found, the pool's clients."""

    ref: PoolRef
    client: dict[str, Any] | None
    other_clients: tuple[dict[str, Any], ...] = ()
    list_problem: str | None = None

    def secret_values(self) -> Iterator[str]:
        if self.client and self.client.get("ClientSecret"):
            yield str(self.client["ClientSecret"])


@dataclass(frozen=True)
class Discovery:
    """The pool's OIDC discovery document and its JWKS, or what went wrong fetching them."""

    url: str
    document: dict[str, Any] | None
    problem: str | None
    jwks: dict[str, Any] | None = None
    jwks_problem: str | None = None


@dataclass(frozen=True)
class IdentityLookup:
    """sts:GetCallerIdentity with the service's keys: the identity, or the AWS error code."""

    key_hint: str
    identity: dict[str, str] | None
    error_code: str | None = None
    error_message: str | None = None
    # (message, fix) when the call got no AWS answer at all (network, endpoint, throttling).
    failure: tuple[str, str] | None = None


# --- offline facts ---------------------------------------------------------------------


@fact("env_files")
def env_files(ctx: CheckContext) -> EnvFiles:
    """Both `.env` files under --root (at the config file's paths), read and parsed."""
    config = ctx.config
    return EnvFiles(
        read_env_file(config.root, config.um_env_path),
        read_env_file(config.root, config.auth_env_path),
    )


def _usable(env: EnvFile) -> EnvFile:
    if not env.usable:
        raise FactUnavailable(Status.SKIP, f"{env.problem} (see env.files)")
    return env


@fact("um_env", needs=["env_files"])
def um_env(ctx: CheckContext, env_files: EnvFiles) -> EnvFile:
    """services/user-management/.env, when it exists and is readable."""
    return _usable(env_files.um)


@fact("auth_env", needs=["env_files"])
def auth_env(ctx: CheckContext, env_files: EnvFiles) -> EnvFile:
    """services/auth/.env, when it exists and is readable."""
    return _usable(env_files.auth)


def first_value(files: EnvFiles, key: str) -> str | None:
    """`key` from user-management's file, else from auth's (unreadable files count as empty)."""
    for env in files:
        if env.usable and env.get(key):
            return env.get(key)
    return None


@fact("pool_ref", needs=["env_files"])
def pool_ref(ctx: CheckContext, env_files: EnvFiles) -> PoolRef:
    """The pool id, region and app client id the `.env` files name (--region overrides)."""
    pool_id = first_value(env_files, "COGNITO_USER_POOL_ID")
    if pool_id is None or not POOL_ID_PATTERN.match(pool_id):
        raise FactUnavailable(
            Status.SKIP, "no well-formed COGNITO_USER_POOL_ID in the .env files (see env.pool-id)"
        )
    region = ctx.config.region or first_value(env_files, "COGNITO_REGION") or pool_id.split("_")[0]
    if not is_region(region):
        raise FactUnavailable(Status.SKIP, f"{region!r} is not an AWS region (see env.region)")
    client_id = env_files.auth.get("COGNITO_APP_CLIENT_ID") if env_files.auth.usable else None
    return PoolRef(pool_id, region, client_id)


# --- AWS facts -------------------------------------------------------------------------


def aws_failure(exc: BaseException, action: str, who: str = "the operator") -> FactUnavailable:
    """The `error` a fact gives up with when `action` failed, in words a person can act on."""
    from cognito_doctor.aws import explain

    message, fix = explain(exc, action=action, who=who)
    return FactUnavailable(Status.ERROR, message, fix)


@fact("pool_lookup", needs=["pool_ref"], network=True)
def pool_lookup(ctx: CheckContext, pool_ref: PoolRef) -> PoolLookup:
    """DescribeUserPool; when the pool isn't there, ListUserPools in the same region."""
    from cognito_doctor.aws import error_code, explain, is_aws_error

    idp = ctx.aws.operator("cognito-idp", pool_ref.region)
    try:
        pool = idp.describe_user_pool(UserPoolId=pool_ref.pool_id)["UserPool"]
        return PoolLookup(pool_ref, dict(pool))
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        if error_code(exc) != "ResourceNotFoundException":
            raise aws_failure(exc, "cognito-idp:DescribeUserPool") from None
    try:
        pools: list[dict[str, Any]] = []
        for page in idp.get_paginator("list_user_pools").paginate(
            MaxResults=60, PaginationConfig={"MaxItems": 300}
        ):
            pools.extend(page.get("UserPools", []))
        return PoolLookup(pool_ref, None, tuple(pools))
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        message, _ = explain(exc, action="cognito-idp:ListUserPools")
        return PoolLookup(pool_ref, None, (), message)


@fact("user_pool", needs=["pool_lookup"])
def user_pool(ctx: CheckContext, pool_lookup: PoolLookup) -> dict[str, Any]:
    """The DescribeUserPool `UserPool`, when the pool exists."""
    if pool_lookup.pool is None:
        raise FactUnavailable(
            Status.SKIP,
            f"user pool {pool_lookup.ref.pool_id} was not found in {pool_lookup.ref.region} "
            "(see pool.exists)",
        )
    return pool_lookup.pool


@fact("client_lookup", needs=["pool_ref"], network=True)
def client_lookup(ctx: CheckContext, pool_ref: PoolRef) -> ClientLookup:
    """DescribeUserPoolClient for COGNITO_APP_CLIENT_ID; when not found, the pool's clients."""
    from cognito_doctor.aws import error_code, explain, is_aws_error

    if pool_ref.app_client_id is None:
        raise FactUnavailable(
            Status.SKIP, f"COGNITO_APP_CLIENT_ID is not set in {AUTH_ENV} (see env.app-client-id)"
        )
    idp = ctx.aws.operator("cognito-idp", pool_ref.region)
    try:
        response = idp.describe_user_pool_client(
            UserPoolId=pool_ref.pool_id, ClientId=pool_ref.app_client_id
        )
        return ClientLookup(pool_ref, dict(response["UserPoolClient"]))
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        if error_code(exc) != "ResourceNotFoundException":
            raise aws_failure(exc, "cognito-idp:DescribeUserPoolClient") from None
    try:
        clients: list[dict[str, Any]] = []
        for page in idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_ref.pool_id, MaxResults=60, PaginationConfig={"MaxItems": 300}
        ):
            clients.extend(page.get("UserPoolClients", []))
        return ClientLookup(pool_ref, None, tuple(clients))
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        if error_code(exc) == "ResourceNotFoundException":
            raise FactUnavailable(
                Status.SKIP,
                f"user pool {pool_ref.pool_id} was not found in {pool_ref.region} "
                "(see pool.exists)",
            ) from None
        message, _ = explain(exc, action="cognito-idp:ListUserPoolClients")
        return ClientLookup(pool_ref, None, (), message)


@fact("app_client", needs=["client_lookup"])
def app_client(ctx: CheckContext, client_lookup: ClientLookup) -> dict[str, Any]:
    """The DescribeUserPoolClient `UserPoolClient`, when COGNITO_APP_CLIENT_ID names one."""
    if client_lookup.client is None:
        raise FactUnavailable(
            Status.SKIP,
            f"app client {client_lookup.ref.app_client_id} is not a client of "
            f"{client_lookup.ref.pool_id} (see client.exists)",
        )
    return client_lookup.client


def discovery_url(config: RunConfig, ref: PoolRef) -> str:
    """Where the pool's OIDC discovery document is served (moto serves it under the endpoint)."""
    base = config.endpoint_url.rstrip("/") if config.endpoint_url else ref.issuer
    if config.endpoint_url:
        base = f"{base}/{ref.pool_id}"
    return f"{base}/.well-known/openid-configuration"


def _get_json(url: str, timeout: float = HTTP_TIMEOUT_SECONDS) -> dict[str, Any]:
    import urllib.request  # network facts only: offline runs never pay for it

    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body = response.read(2_000_000)
    document = json.loads(body)
    if not isinstance(document, dict):
        raise ValueError("the response is JSON but not an object")
    return document


def _http_problem(url: str, exc: Exception, timeout: float = HTTP_TIMEOUT_SECONDS) -> str:
    import urllib.error

    if isinstance(exc, urllib.error.HTTPError):
        return f"GET {url} answered HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        if isinstance(exc.reason, TimeoutError):
            return f"GET {url} timed out after {timeout:g} s"
        return f"GET {url} failed: {exc.reason}"
    if isinstance(exc, json.JSONDecodeError):
        return f"GET {url} did not return JSON ({exc.msg} at char {exc.pos})"
    if isinstance(exc, TimeoutError):
        return f"GET {url} timed out after {timeout:g} s"
    if isinstance(exc, ConnectionResetError):
        return f"GET {url} failed: the connection was reset before an answer came"
    return f"GET {url} failed: {type(exc).__name__}: {exc}"


@fact("discovery", needs=["pool_ref"], network=True)
def discovery(ctx: CheckContext, pool_ref: PoolRef) -> Discovery:
    """The OIDC discovery document of the pool and the JWKS it points at."""
    url = discovery_url(ctx.config, pool_ref)
    # The connect and read timeouts of the AWS calls bound these two requests too.
    timeout = ctx.config.read_timeout
    try:
        document = _get_json(url, timeout)
    except (OSError, ValueError, http_client_errors()) as exc:
        return Discovery(url, None, _http_problem(url, exc, timeout))
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str):
        return Discovery(url, document, None, None, "the discovery document has no jwks_uri")
    try:
        return Discovery(url, document, None, _get_json(jwks_uri, timeout))
    except (OSError, ValueError, http_client_errors()) as exc:
        return Discovery(url, document, None, None, _http_problem(jwks_uri, exc, timeout))


def http_client_errors() -> type[Exception]:
    """http.client's errors for a connection that broke mid-answer (not OSErrors)."""
    import http.client

    return http.client.HTTPException


def service_keys(env: EnvFile) -> ServiceKeys | None:
    """The static AWS keys in a `.env` file, when both halves are set."""
    from cognito_doctor.aws import ServiceKeys

    key_id, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not key_id or not secret:
        return None
    return ServiceKeys(key_id, secret, env.get("AWS_SESSION_TOKEN"))


@fact("service_identity", needs=["env_files", "pool_ref"], network=True)
def service_identity(
    ctx: CheckContext, env_files: EnvFiles, pool_ref: PoolRef
) -> IdentityLookup | None:
    """sts:GetCallerIdentity made with the keys in services/user-management/.env, once for
    every fact that needs it (creds.identity, the iam principal); None without static keys.

    Never raises for AWS's answer or the lack of one: each fact that needs it decides what a
    failure means for it (the failure is in `failure` or `error_code`).
    """
    from cognito_doctor.aws import (
        THROTTLED,
        error_code,
        error_message,
        explain,
        http_status,
        is_aws_error,
    )

    keys = service_keys(env_files.um) if env_files.um.usable else None
    if keys is None:
        return None
    hint = f"…{keys.access_key_id[-4:]}"
    try:
        sts = ctx.aws.service("sts", pool_ref.region, keys)
        response = sts.get_caller_identity()
    except Exception as exc:
        if not is_aws_error(exc):
            raise
        code = error_code(exc)
        if code is None or code in THROTTLED or (http_status(exc) or 0) >= 500:
            # No verdict on the keys: the call never got AWS's answer to them.
            failure = explain(exc, action="sts:GetCallerIdentity", who="the service's keys")
            return IdentityLookup(hint, None, failure=failure)
        return IdentityLookup(hint, None, code, error_message(exc))
    identity = {k: str(response[k]) for k in ("Account", "Arn", "UserId") if k in response}
    return IdentityLookup(hint, identity)


@fact("caller_identity", needs=["um_env", "service_identity"])
def caller_identity(
    ctx: CheckContext, um_env: EnvFile, service_identity: IdentityLookup | None
) -> IdentityLookup:
    """The service's identity for creds.identity: what sts:GetCallerIdentity answered to the
    keys in services/user-management/.env."""
    if service_identity is None:
        where = (
            "the service uses its execution role (pass --principal-arn to check it)"
            if ctx.prod
            else "see env.aws-credentials"
        )
        raise FactUnavailable(Status.SKIP, f"no static AWS keys in {UM_ENV}; {where}")
    if service_identity.failure is not None:
        raise FactUnavailable(Status.ERROR, *service_identity.failure)
    return service_identity
