"""A moto server on loopback with the runbook's setups in it: for `demo` and for the tests.

Needs the `demo` extra (moto's server). Nothing here talks to real AWS: every client is
pointed at the in-process server on 127.0.0.1 and uses throwaway credentials.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV

if TYPE_CHECKING:
    from tests.support.net import NetworkMiddleware

DEFAULT_REGION = "eu-west-2"
# The region the broken setup's IAM policy names instead of the pool's.
WRONG_POLICY_REGION = "us-east-1"
# The credentials the sandbox's operator uses; moto accepts any.
SANDBOX_OPERATOR_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
SERVICE_ACTIONS = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminResetUserPassword",
    "cognito-idp:AdminGetUser",
)


# A policy document, or a function of (region, account, pool id) that makes one.
PolicySpec = Mapping[str, Any] | Callable[[str, str, str], Mapping[str, Any]]


class DemoExtraMissing(RuntimeError):
    """moto's server is not installed."""


@dataclass(frozen=True)
class Setup:
    """One platform checkout wired to a pool in the sandbox."""

    root: Path
    region: str
    pool_id: str
    client_id: str
    um_env: Mapping[str, str]
    auth_env: Mapping[str, str]


def healthy_pool_params(name: str) -> dict[str, Any]:
    """CreateUserPool input for a pool made exactly as the runbook's step 1 says (dev)."""
    return {
        "PoolName": name,
        "UsernameAttributes": ["email"],
        # What the console sets for a new pool (the API's default, absent, is case-sensitive).
        "UsernameConfiguration": {"CaseSensitive": False},
        "AutoVerifiedAttributes": ["email"],
        "MfaConfiguration": "OFF",
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        "AccountRecoverySetting": {
            "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]
        },
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "Schema": [
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True},
        ],
    }


def healthy_client_params(pool_id: str) -> dict[str, Any]:
    """CreateUserPoolClient input for the runbook's confidential `clinical-platform` client."""
    return {
        "UserPoolId": pool_id,
        "ClientName": "clinical-platform",
        "GenerateSecret": True,
        "ExplicitAuthFlows": ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }


def service_policy(region: str, account: str, pool_id: str) -> dict[str, Any]:
    """The runbook's step-2 policy with real values."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": list(SERVICE_ACTIONS),
                "Resource": f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool_id}",
            }
        ],
    }


def write_env_file(path: Path, values: Mapping[str, str | None]) -> None:
    """Write `KEY=value` lines; a None value leaves the key out."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{key}={value}" for key, value in values.items() if value is not None]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Sandbox:
    """moto's server in this process on 127.0.0.1 (a free port), and clients pointed at it."""

    def __init__(self, middleware: NetworkMiddleware | None = None) -> None:
        """`middleware` (see :mod:`tests.support.net`) sees every request first:
        latency, request accounting and injected faults for the benchmark and the tests."""
        try:
            import moto.moto_server.werkzeug_app  # noqa: F401
        except ImportError as exc:
            raise DemoExtraMissing(
                "the demo needs moto's server: pip install 'cognito-doctor[demo]'"
            ) from exc
        self.middleware = middleware
        self.endpoint_url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> Sandbox:
        # What moto's ThreadedMotoServer does, with room for a middleware in front of the app.
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        # werkzeug logs every request to stderr; the demo's output is the reports.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        # moto has no iam:SimulatePrincipalPolicy; the sandbox answers it from moto's policies.
        from cognito_doctor.demo.iam_simulation import install

        install()
        keep_creation_only_settings()
        app: Any = DomainDispatcherApplication(create_backend_app)
        if self.middleware is not None:
            app = self.middleware.wrap(app)
        self._server = make_server(
            "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
        )
        # A client that hung up (or a connection the middleware reset) is not worth a traceback.
        self._server.handle_error = _ignore_request_error
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="cognito-doctor-sandbox",
            daemon=True,
        )
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.endpoint_url = f"http://{host}:{port}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def client(self, service: str, region: str = DEFAULT_REGION) -> Any:
        import boto3

        return boto3.client(  # type: ignore[call-overload]
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=SANDBOX_OPERATOR_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=SANDBOX_OPERATOR_ENV["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=SANDBOX_OPERATOR_ENV["AWS_SESSION_TOKEN"],
        )

    def _unique(self, stem: str) -> str:
        # moto's backends are per process, shared by every server in it: names must not clash.
        return f"{stem}-{uuid.uuid4().hex[:8]}"

    def create_service_user(
        self, region: str, pool_id: str, policy: PolicySpec | None = None
    ) -> tuple[str, str]:
        """An IAM user with the runbook's policy (or `policy`) and an access key: (id, secret).

        `policy` is a policy document, or a function of (region, account, pool id) making one.
        """
        iam = self.client("iam", region)
        user = self._unique("clinical-platform-user-mgmt-dev")
        iam.create_user(UserName=user)
        account = self.client("sts", region).get_caller_identity()["Account"]
        if policy is None:
            document: Mapping[str, Any] = service_policy(region, account, pool_id)
        elif callable(policy):
            document = policy(region, account, pool_id)
        else:
            document = policy
        iam.put_user_policy(
            UserName=user,
            PolicyName="clinical-platform-user-mgmt",
            PolicyDocument=json.dumps(document),
        )
        key = iam.create_access_key(UserName=user)["AccessKey"]
        return key["AccessKeyId"], key["SecretAccessKey"]

    def create_setup(
        self,
        root: Path,
        *,
        region: str = DEFAULT_REGION,
        pool_changes: Mapping[str, Any] | None = None,
        client_changes: Mapping[str, Any] | None = None,
        um_changes: Mapping[str, str | None] | None = None,
        auth_changes: Mapping[str, str | None] | None = None,
        policy: PolicySpec | None = None,
    ) -> Setup:
        """A pool, client, IAM user and both `.env` files under `root`, as the runbook says,
        with `*_changes` applied on top (a None value removes a key) and `policy` as the IAM
        user's policy instead of the runbook's (see :meth:`create_service_user`)."""
        idp = self.client("cognito-idp", region)
        pool_params = healthy_pool_params(self._unique("clinical-platform"))
        pool_params.update(pool_changes or {})
        pool_id = idp.create_user_pool(**pool_params)["UserPool"]["Id"]
        client_params = healthy_client_params(pool_id)
        client_params.update(client_changes or {})
        client_id = idp.create_user_pool_client(**client_params)["UserPoolClient"]["ClientId"]
        key_id, secret = self.create_service_user(region, pool_id, policy)
        um: dict[str, str | None] = {
            "COGNITO_PROVIDER": "cognito",
            "COGNITO_USER_POOL_ID": pool_id,
            "COGNITO_REGION": region,
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
        }
        auth: dict[str, str | None] = {
            "COGNITO_USER_POOL_ID": pool_id,
            "COGNITO_REGION": region,
            "COGNITO_APP_CLIENT_ID": client_id,
        }
        um.update(um_changes or {})
        auth.update(auth_changes or {})
        write_env_file(root / UM_ENV, um)
        write_env_file(root / AUTH_ENV, auth)
        return Setup(
            root,
            region,
            pool_id,
            client_id,
            {k: v for k, v in um.items() if v is not None},
            {k: v for k, v in auth.items() if v is not None},
        )

    def create_broken_setup(self, root: Path, region: str = DEFAULT_REGION) -> Setup:
        """The demo's broken setup: six runbook mistakes at once (the sixth: the service
        user's policy names region us-east-1, not the pool's)."""
        issuer = f"https://cognito-idp.{region}.amazonaws.com/"
        setup = self.create_setup(
            root,
            region=region,
            pool_changes={
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False},
                "Schema": [
                    {
                        "Name": "email",
                        "AttributeDataType": "String",
                        "Required": True,
                        "Mutable": True,
                    },
                ],
            },
            client_changes={
                "GenerateSecret": False,
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
            um_changes={"COGNITO_PROVIDER": "mock"},
            policy=lambda _region, account, pool_id: service_policy(
                WRONG_POLICY_REGION, account, pool_id
            ),
        )
        # The issuer needs the pool id, which only exists once the pool does.
        auth = dict(setup.auth_env)
        auth["COGNITO_ISSUER"] = f"{issuer}{setup.pool_id}/"
        write_env_file(root / AUTH_ENV, auth)
        return Setup(setup.root, region, setup.pool_id, setup.client_id, setup.um_env, auth)


# Settings fixed when a pool is created: UpdateUserPool has no member for them (botocore's
# cognito-idp model, UpdateUserPoolRequest), so AWS keeps them whatever an update carries.
CREATION_ONLY_SETTINGS = ("UsernameAttributes", "AliasAttributes", "UsernameConfiguration")
_KEEPS_MARK = "_cognito_doctor_keeps_creation_settings"


def keep_creation_only_settings() -> None:
    """Make moto's UpdateUserPool behave as AWS's (idempotent, in this process).

    moto 5.2 replaces a pool's whole configuration with the update's members on top of its
    defaults, so the pool loses UsernameAttributes, AliasAttributes and UsernameConfiguration,
    which no update can carry; AWS keeps them (they "can't be changed after the pool is
    created", AWS's Cognito guide, user-pool-settings-attributes). moto also leaves
    LastModifiedDate as it was; AWS sets it to the time of the update (UserPoolType's
    LastModifiedDate: "the date and time when the item was modified"). And where an update
    leaves out a message member (a COGNITO_DEFAULT pool may not carry the DEVELOPER-only
    email messages), moto drops it, while AWS applies its default (UpdateUserPool: a member
    not given is set to its default), which describe then shows.
    """
    from moto.cognitoidp.models import DEFAULT_USER_POOL_CONFIG, CognitoIdpBackend
    from moto.core.utils import utcnow

    if getattr(CognitoIdpBackend.update_user_pool, _KEEPS_MARK, False):
        return
    original = CognitoIdpBackend.update_user_pool

    def update_user_pool(self: Any, user_pool_id: str, extended_config: dict[str, Any]) -> None:
        pool = self.describe_user_pool(user_pool_id)
        kept = {
            k: pool.extended_config[k] for k in CREATION_ONLY_SETTINGS if k in pool.extended_config
        }
        original(self, user_pool_id, extended_config)
        pool.extended_config.update(kept)
        pool.extended_config.pop("UserPoolId", None)  # a request parameter, not a setting
        _with_default_messages(pool.extended_config, DEFAULT_USER_POOL_CONFIG)
        if "MfaConfiguration" in extended_config:
            pool.mfa_config = extended_config["MfaConfiguration"]
        pool.last_modified_date = utcnow()

    setattr(update_user_pool, _KEEPS_MARK, True)
    CognitoIdpBackend.update_user_pool = update_user_pool  # type: ignore[method-assign]


def _with_default_messages(config: dict[str, Any], defaults: Mapping[str, Any]) -> None:
    """Fill the message members an update left out with the defaults AWS applies."""
    template = config.get("VerificationMessageTemplate")
    if isinstance(template, dict):
        config["VerificationMessageTemplate"] = {
            **defaults["VerificationMessageTemplate"],
            **template,
        }
    admin = config.get("AdminCreateUserConfig")
    if isinstance(admin, dict):
        default_invite = defaults["AdminCreateUserConfig"]["InviteMessageTemplate"]
        admin["InviteMessageTemplate"] = {
            **default_invite,
            **(admin.get("InviteMessageTemplate") or {}),
        }


def _ignore_request_error(request: Any, client_address: Any) -> None:
    """socketserver prints a traceback for any error in a request's thread; the sandbox's
    only ones are clients that hung up and connections reset on purpose."""


@contextmanager
def running_sandbox(middleware: NetworkMiddleware | None = None) -> Iterator[Sandbox]:
    """A started sandbox (with `middleware` in front of moto, if given), stopped on exit."""
    sandbox = Sandbox(middleware).start()
    try:
        yield sandbox
    finally:
        sandbox.stop()
