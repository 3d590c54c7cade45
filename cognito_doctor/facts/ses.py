"""Facts about the pool's email sending through Amazon SES (EmailSendingAccount DEVELOPER).

With COGNITO_DEFAULT sending there is no SES identity or account to look at: `ses_sending`
then makes every check that needs it skip, before any SES call is made. The SES calls are
read-only and made with the operator's credentials in the region the SourceArn names (that is
where Cognito sends from): ses:GetIdentityVerificationAttributes and ses:GetAccount (SESv2).
"""

from __future__ import annotations

import re
from typing import Any

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext, aws_failure
from cognito_doctor.facts.records import SesAccount, SesIdentityLookup, SesSending
from cognito_doctor.platform.regions import pool_id_region

SES_IDENTITY_ARN = re.compile(
    r"^arn:(?P<partition>aws[a-z-]*):ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"identity/(?P<identity>[^/\s]+)$"
)
# What a moto server (and any endpoint without SESv2 GetAccount) answers for it.
_NOT_IMPLEMENTED = frozenset({"404", "NotFound", "UnknownOperationException", "InvalidAction"})


@fact("ses_sending")
def ses_sending(ctx: CheckContext, user_pool: dict[str, Any]) -> SesSending:
    """The pool's DEVELOPER email configuration (skips for COGNITO_DEFAULT pools)."""
    config = user_pool.get("EmailConfiguration") or {}
    mode = str(config.get("EmailSendingAccount") or "COGNITO_DEFAULT")
    if mode != "DEVELOPER":
        raise FactUnavailable(
            Status.SKIP,
            f"applies only with DEVELOPER email sending (Amazon SES); the pool uses {mode}, "
            "Cognito's own sender (see pool.email-sending)",
        )
    pool_id = str(user_pool.get("Id", ""))
    pool_region = pool_id_region(pool_id)
    arn = config.get("SourceArn")
    from_header = str(config["From"]) if config.get("From") else None
    if not arn:
        return SesSending(
            pool_id,
            pool_region,
            None,
            from_header=from_header,
            problem="EmailSendingAccount is DEVELOPER but the pool has no SourceArn",
        )
    match = SES_IDENTITY_ARN.match(str(arn))
    if match is None:
        return SesSending(
            pool_id,
            pool_region,
            str(arn),
            from_header=from_header,
            problem=(
                f"SourceArn {arn} is not an SES identity ARN "
                "(arn:aws:ses:<region>:<account-id>:identity/<domain-or-address>)"
            ),
        )
    return SesSending(
        pool_id,
        pool_region,
        str(arn),
        region=match["region"],
        account=match["account"],
        identity=match["identity"],
        from_header=from_header,
    )


def _usable(sending: SesSending) -> tuple[str, str]:
    if sending.problem or sending.region is None or sending.identity is None:
        raise FactUnavailable(
            Status.SKIP, f"{sending.problem or 'no SES identity'} (see email.ses-identity)"
        )
    return sending.region, sending.identity


def _aws_failure(exc: AwsError, action: str) -> FactUnavailable:
    if exc.code not in _NOT_IMPLEMENTED:
        return aws_failure(exc, action)
    return FactUnavailable(
        Status.ERROR,
        f"{action} is not answered by this endpoint ({exc.code}): it does not "
        "implement the call (moto's server does not implement SESv2 GetAccount), so this "
        "could not be checked",
        "Run against real AWS to check this, or look in the SES console.",
    )


@fact("ses_identity", network=True)
def ses_identity(ctx: CheckContext, ses_sending: SesSending) -> SesIdentityLookup:
    """ses:GetIdentityVerificationAttributes for the SourceArn's identity, in its region."""

    if ses_sending.problem:
        return SesIdentityLookup(ses_sending, None)
    region, identity = _usable(ses_sending)
    ses = ctx.aws.operator("ses", region)
    try:
        response = ses.get_identity_verification_attributes(Identities=[identity])
    except AwsError as exc:
        raise _aws_failure(exc, "ses:GetIdentityVerificationAttributes") from None
    # SES keeps domain identities in lower case: match the SourceArn's spelling loosely.
    found = response.get("VerificationAttributes", {})
    attributes = next((v for k, v in found.items() if k.lower() == identity.lower()), None)
    status = attributes.get("VerificationStatus") if isinstance(attributes, dict) else None
    return SesIdentityLookup(ses_sending, str(status) if status else None)


@fact("ses_account", network=True)
def ses_account(ctx: CheckContext, ses_sending: SesSending) -> SesAccount:
    """SESv2 GetAccount in the SourceArn's region (sandbox or production, sending paused)."""

    region, _ = _usable(ses_sending)
    sesv2 = ctx.aws.operator("sesv2", region)
    try:
        response = sesv2.get_account()
    except AwsError as exc:
        raise _aws_failure(exc, "ses:GetAccount") from None
    account = {k: v for k, v in dict(response).items() if k != "ResponseMetadata"}
    return SesAccount(ses_sending, region, account)
