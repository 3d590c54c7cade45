"""An installed plugin: registered in a dist-info's entry_points.txt under cognito_doctor.checks."""

from __future__ import annotations

from cognito_doctor.engine.model import Outcome, passed, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.platform.envfiles import AUTH_ENV, EnvFile


@check(
    "acme.issuer-pinned",
    title="services/auth pins COGNITO_ISSUER",
    severity="warning",
    needs=["auth_env"],
)
def issuer_pinned(auth_env: EnvFile) -> Outcome:
    """
    ## What it checks
    That `COGNITO_ISSUER` is set in `services/auth/.env` (ACME's policy).

    ## Why it matters
    ACME's auditors want the accepted issuer written down, not derived.

    ## How to fix
    Add `COGNITO_ISSUER=https://cognito-idp.<region>.amazonaws.com/<poolId>`.
    """
    issuer = auth_env.get("COGNITO_ISSUER")
    if issuer is None:
        return warned(
            "COGNITO_ISSUER is not pinned (ACME policy)",
            f"Add COGNITO_ISSUER to {AUTH_ENV}.",
            location=auth_env.location(),
        )
    return passed(f"COGNITO_ISSUER={issuer}")
