"""Who the keys in services/user-management/.env are: sts:GetCallerIdentity made with them."""

from __future__ import annotations

from cognito_doctor.aws.failure import THROTTLED, AwsError
from cognito_doctor.aws.shared import ServiceKeys
from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext, cause_of
from cognito_doctor.facts.records import IdentityLookup
from cognito_doctor.platform.envfiles import EnvFile, EnvFiles
from cognito_doctor.platform.target import PoolRef


def service_keys(env: EnvFile) -> ServiceKeys | None:
    """The static AWS keys in a `.env` file, when both halves are set."""
    key_id, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not key_id or not secret:
        return None
    return ServiceKeys(key_id, secret, env.get("AWS_SESSION_TOKEN"))


@fact("service_identity", network=True)
def service_identity(
    ctx: CheckContext, env_files: EnvFiles, pool_ref: PoolRef
) -> IdentityLookup | None:
    """sts:GetCallerIdentity made with the keys in services/user-management/.env, once for
    every fact that needs it (creds.identity, the iam principal); None without static keys.

    Never raises for AWS's answer or the lack of one: each fact that needs it decides what a
    failure means for it (the failure is in `failure` or `error_code`).
    """

    keys = keys_in(env_files)
    if keys is None:
        return None
    hint = f"…{keys.access_key_id[-4:]}"
    try:
        sts = ctx.aws.service("sts", pool_ref.region, keys)
        response = sts.get_caller_identity()
    except AwsError as exc:
        code = exc.code
        if code is None or code in THROTTLED or (exc.http_status or 0) >= 500:
            # No verdict on the keys: the call never got AWS's answer to them.
            action, who = "sts:GetCallerIdentity", f"the service's keys ({hint})"
            failure = exc.explain(action=action, who="the service's keys")
            cause = cause_of(exc, action, who)
            return IdentityLookup(hint, None, failure=failure, failure_cause=cause)
        return IdentityLookup(hint, None, code, exc.message)
    identity = {k: str(response[k]) for k in ("Account", "Arn", "UserId") if k in response}
    return IdentityLookup(hint, identity)


@fact("caller_identity")
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
        raise FactUnavailable(
            Status.SKIP, f"no static AWS keys in {ctx.config.um_env_path}; {where}"
        )
    if service_identity.failure is not None:
        raise FactUnavailable(
            Status.ERROR, *service_identity.failure, cause=service_identity.failure_cause
        )
    return service_identity


def keys_in(env_files: EnvFiles) -> ServiceKeys | None:
    """The static keys in the service's .env file, or None (unusable file, or no keys)."""
    return service_keys(env_files.um) if env_files.um.usable else None
