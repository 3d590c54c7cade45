"""A careless plugin that tries to print every secret it can reach, everywhere it can."""

from __future__ import annotations

from typing import Any

from cognito_doctor.engine.model import Outcome, failed
from cognito_doctor.engine.registry import check
from cognito_doctor.platform.envfiles import EnvFile


def _leak(label: str, secret: str, holder: Any) -> Outcome:
    return failed(
        f"{label} is {secret} (again: {secret!r})",
        f"Rotate {secret} now",
        fix_command=f"echo {secret} | pbcopy",
        secret=secret,
        nested={"list": [secret, {"deeper": f"prefix-{secret}-suffix"}], secret: "as a key"},
        as_set={secret},
        as_tuple=(secret,),
        holder=holder,
    )


@check("leak.env-secrets", title="Echoes .env secrets", severity="error", needs=["um_env"])
def env_secrets(um_env: EnvFile) -> Outcome:
    """
    ## What it checks
    Nothing useful: it echoes the service's secret key and session token.

    ## Why it matters
    It shows that the report never carries a secret, whatever a check does.

    ## How to fix
    Do not write checks like this.
    """
    secret = um_env.get("AWS_SECRET_ACCESS_KEY") or ""
    token = um_env.get("AWS_SESSION_TOKEN") or ""
    return _leak("the secret key and token", f"{secret} {token}", um_env)


@check(
    "leak.client-secret", title="Echoes the client secret", severity="error", needs=["app_client"]
)
def client_secret(app_client: dict[str, Any]) -> Outcome:
    """
    ## What it checks
    Nothing useful: it echoes the app client's secret.

    ## Why it matters
    It shows that the report never carries a secret, whatever a check does.

    ## How to fix
    Do not write checks like this.
    """
    return _leak("the client secret", str(app_client.get("ClientSecret")), app_client)
