"""The --probe (the `iam_probe` fact): the read-only Admin* calls, made with the service's
own keys for a username that cannot exist."""

from __future__ import annotations

import uuid

from cognito_doctor.aws.failure import ACCESS_DENIED, AwsError
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.facts.identity import keys_in
from cognito_doctor.iam.kinds import ProbeResult
from cognito_doctor.iam.probe import PROBE_CALLS, Probe, ProbeCall
from cognito_doctor.platform.envfiles import EnvFiles
from cognito_doctor.platform.target import PoolRef


@fact("iam_probe", network=True)
def iam_probe(ctx: CheckContext, env_files: EnvFiles, pool_ref: PoolRef) -> Probe:
    """With --probe only: the read-only Admin* calls, made with the service's own keys for a
    username that cannot exist (UserNotFoundException = allowed)."""
    if not ctx.config.probe:
        return Probe(requested=False)
    keys = keys_in(env_files)
    if keys is None:
        return Probe(
            requested=True,
            problem=f"--probe needs the service's own keys, and {ctx.config.um_env_path} has "
            "none (a role's credentials exist only where the service runs)",
        )

    idp = ctx.aws.service("cognito-idp", pool_ref.region, keys)
    username = f"cognito-doctor-probe-{uuid.uuid4().hex}"
    calls = []
    for action, method in PROBE_CALLS:
        try:
            getattr(idp, method)(UserPoolId=pool_ref.pool_id, Username=username)
            # Cognito answers UserNotFoundException for a username that cannot exist; a
            # success is not its answer (a proxy's page, a garbled body), so it proves nothing.
            calls.append(ProbeCall(action, ProbeResult.INCONCLUSIVE, "a success (HTTP 200)"))
        except AwsError as exc:
            error_code = exc.code
            if error_code == "UserNotFoundException":
                calls.append(ProbeCall(action, ProbeResult.ALLOWED, error_code))
            elif error_code in ACCESS_DENIED and error_code != "403":
                calls.append(ProbeCall(action, ProbeResult.DENIED, error_code))
            elif exc.http_status == 403:
                # A bare 403 whose body isn't the JSON error the SDK expects (an XML error page
                # from a proxy or an emulator): still a refusal.
                calls.append(ProbeCall(action, ProbeResult.DENIED, "AccessDenied (HTTP 403)"))
            else:
                calls.append(
                    ProbeCall(action, ProbeResult.INCONCLUSIVE, error_code or str(exc.kind))
                )
    return Probe(True, tuple(calls), None, username)
