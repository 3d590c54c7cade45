"""Checks of email delivery through Amazon SES, for pools that send with DEVELOPER.

Pools on COGNITO_DEFAULT skip both (pool.email-sending covers them). The SES identity and
account are read in the region the pool's SourceArn names, which is where Cognito sends from.
"""

from __future__ import annotations

from typing import Any

from cognito_doctor.engine.model import Outcome, failed, passed, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.facts.records import SesAccount, SesIdentityLookup, SesSending
from cognito_doctor.platform.awscli import AwsTarget, aws_command
from cognito_doctor.platform.settings import RunConfig

CONSOLE_EMAIL = "Cognito → User pools → {pool} → Authentication methods → Email → Edit"
SANDBOX_LIMIT = "at most 200 messages a day and 1 a second"


def _console(sending: SesSending) -> str:
    return CONSOLE_EMAIL.format(pool=sending.user_pool_id or "your pool")


def _verify_command(target: AwsTarget, region: str, identity: str) -> str:
    return aws_command(target, "sesv2", "create-email-identity", region, email_identity=identity)


def _status_command(target: AwsTarget, region: str, identity: str) -> str:
    return aws_command(target, "sesv2", "get-email-identity", region, email_identity=identity)


def _unverified_status(
    target: AwsTarget, region: str, identity: str, kind: str, status: str
) -> tuple[str, str]:
    """(what the status means, what to do) for an identity SES has not verified."""
    if status == "Pending":
        what = (
            "pending: SES is waiting for the domain's DNS records"
            if kind == "domain"
            else "pending: nobody has clicked the verification link SES emailed to it"
        )
        resend = aws_command(target, "ses", "verify-email-identity", region, email_address=identity)
        fix = (
            "Publish the DNS records SES gave for the domain (the command shows the DKIM "
            "tokens to add as CNAME records) and wait for SES to see them."
            if kind == "domain"
            else f"Click the verification link SES emailed to {identity} (look in spam), or "
            f"send a new one with `{resend}`."
        )
        return what, fix
    return (
        f"{status}: verification did not succeed",
        f"Start verification again in {region}: SES console → Identities → {identity} "
        "→ retry, check that the DNS records are still published, or delete the "
        "identity and create it again.",
    )


def _from_problem(sending: SesSending) -> str | None:
    """Why the pool's From address can't be sent as this identity, if it can't."""
    address = sending.from_address
    identity = sending.identity
    if not address or not identity:
        return None
    if "@" in identity:
        if address.lower() != identity.lower():
            return (
                f"the pool's From address {address} is not the verified address {identity} its "
                "SourceArn names"
            )
        return None
    domain = address.rsplit("@", 1)[-1].lower()
    if domain != identity.lower() and not domain.endswith(f".{identity.lower()}"):
        return (
            f"the pool's From address {address} is not in the domain {identity} its SourceArn names"
        )
    return None


@check(
    "email.ses-identity",
    title="The SES identity the pool sends as is verified, in the SourceArn's region",
    severity="error",
)
def ses_identity_verified(ses_identity: SesIdentityLookup, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    For a pool that sends email through Amazon SES (EmailSendingAccount `DEVELOPER`): that the
    identity its `SourceArn` names (`arn:aws:ses:<region>:<account>:identity/<domain or
    address>`) exists in SES in the region that ARN names and is verified there
    (ses:GetIdentityVerificationAttributes says `Success`), and that the pool's `From` address,
    when set, is that address or an address in that domain. Pools on `COGNITO_DEFAULT` skip.

    ## Why it matters
    Cognito sends invitations and codes by calling SES as this identity. An identity that is
    missing, still pending (DNS records not published, link not clicked) or failed makes SES
    reject every message: promotes succeed, AdminCreateUser may answer
    CodeDeliveryFailureException, and nobody gets an invitation. SES identities are per
    region, so an identity verified in another region does not count.

    ## How to fix
    Verify the identity in the SourceArn's region: `aws sesv2 create-email-identity --region
    <region> --email-identity <domain>` and publish the DKIM CNAME records it returns (or,
    for an address, click the link SES emails to it); `aws sesv2 get-email-identity` shows
    the status. Or point the pool's SourceArn at an identity verified in its region
    (Cognito → User pools → the pool → Authentication methods → Email).
    """
    sending = ses_identity.sending
    evidence: dict[str, Any] = {
        "source_arn": sending.source_arn,
        "ses_region": sending.region,
        "identity": sending.identity,
        "from": sending.from_header,
    }
    if sending.problem or sending.region is None or sending.identity is None:
        return failed(
            f"the pool sends through Amazon SES (DEVELOPER), but {sending.problem}: Cognito "
            "cannot send any email",
            f"In the console: {_console(sending)} → Send email with Amazon SES, and pick the "
            "SES region and a verified FROM address (which sets SourceArn).",
            **evidence,
        )
    region, identity = sending.region, sending.identity
    target = AwsTarget.of(settings)
    kind = "domain" if sending.identity_is_domain else "address"
    status = ses_identity.status
    if status is None:
        return failed(
            f"SES in {region} has no identity {identity} (the {kind} the pool's SourceArn "
            f"{sending.source_arn} names): SES rejects every invitation Cognito sends as it",
            f"Create and verify the {kind} in SES in {region}"
            + (
                ", then publish the DKIM CNAME records the command returns in the domain's DNS"
                if kind == "domain"
                else ", then click the link SES emails to it"
            )
            + f"; or point SourceArn at an identity verified in {region} ({_console(sending)}).",
            fix_command=_verify_command(target, region, identity),
            **evidence,
        )
    if status != "Success":
        what, fix = _unverified_status(target, region, identity, kind, status)
        return failed(
            f"the SES {kind} {identity} in {region} (the pool's SourceArn) is not verified for "
            f"sending; its status is {what}",
            fix,
            fix_command=_status_command(target, region, identity),
            verification_status=status,
            **evidence,
        )
    from_problem = _from_problem(sending)
    if from_problem:
        return failed(
            f"{from_problem}: SES refuses to send as an address the identity does not cover",
            f"In the console: {_console(sending)} → FROM email address: use {identity}"
            + (f" or an address at {identity}" if kind == "domain" else "")
            + ".",
            verification_status=status,
            **evidence,
        )
    return passed(
        f"the SES {kind} {identity} is verified in {region}"
        + (f"; From {sending.from_address} is covered by it" if sending.from_address else ""),
        verification_status=status,
        **evidence,
    )


def _quota(account: dict[str, Any]) -> str:
    quota = account.get("SendQuota") or {}
    most = quota.get("Max24HourSend")
    sent = quota.get("SentLast24Hours")
    if most is None:
        return ""
    text = "unlimited" if most == -1 else f"{most:g} a day"
    return f"; quota {text}" + (f", {sent:g} sent in the last 24 h" if sent is not None else "")


@check(
    "email.ses-production",
    title="The SES account the pool sends with is out of the sandbox",
    severity="error",
)
def ses_production(ses_account: SesAccount, settings: RunConfig) -> Outcome:
    """
    ## What it checks
    For a pool that sends through Amazon SES (`DEVELOPER`): SESv2 GetAccount in the region
    the pool's SourceArn names. `ProductionAccessEnabled` false (the SES sandbox) warns in
    dev and fails in prod; sending paused (`SendingEnabled` false) or an account shut down
    (`EnforcementStatus` SHUTDOWN) fails; PROBATION warns. A pending production-access
    request is named. Pools on `COGNITO_DEFAULT` skip.

    ## Why it matters
    In the SES sandbox an account may send only to addresses verified in SES, at most 200
    messages a day and 1 a second: invitations to patients' and staff's real addresses are
    rejected, so promoting someone gives them no email. SES's sandbox is per region; the one
    that counts is the SourceArn's.

    ## How to fix
    Request production access in that region: SES console → Account dashboard → Request
    production access, or `aws sesv2 put-account-details --region <region>
    --production-access-enabled --mail-type TRANSACTIONAL --website-url <url>
    --use-case-description '<text>'`. AWS reviews the request (usually within a day).
    """
    account = ses_account.account
    region = ses_account.region
    target = AwsTarget.of(settings)
    evidence: dict[str, Any] = {
        "ses_region": region,
        "production_access_enabled": account.get("ProductionAccessEnabled"),
        "sending_enabled": account.get("SendingEnabled"),
        "enforcement_status": account.get("EnforcementStatus"),
        "send_quota": account.get("SendQuota"),
    }
    review = (account.get("Details") or {}).get("ReviewDetails") or {}
    review_status = review.get("Status")
    if account.get("SendingEnabled") is False or account.get("EnforcementStatus") == "SHUTDOWN":
        why = (
            "AWS shut it down (EnforcementStatus SHUTDOWN)"
            if account.get("EnforcementStatus") == "SHUTDOWN"
            else "sending is paused (SendingEnabled false)"
        )
        return failed(
            f"the SES account in {region} cannot send email: {why}, so no invitation goes out",
            "Open the SES console in "
            f"{region} → Reputation metrics / Account dashboard to see why; fix the bounce or "
            "complaint problem AWS names and ask AWS Support to resume sending. If you paused it "
            "yourself: `"
            + aws_command(
                target, "sesv2", "put-account-sending-attributes", region, sending_enabled=True
            )
            + "`.",
            **evidence,
        )
    if account.get("ProductionAccessEnabled") is not True:
        pending = (
            f" A production-access request is {review_status}"
            + (f" (case {review['CaseId']})" if review.get("CaseId") else "")
            + "."
            if review_status
            else ""
        )
        message = (
            f"the SES account in {region} is in the sandbox: it sends only to addresses verified "
            f"in SES ({SANDBOX_LIMIT}), so invitations to anyone else are rejected"
            f"{_quota(account)}.{pending}"
        )
        fix = (
            f"Request production access for SES in {region}: SES console → Account dashboard → "
            "Request production access, or run the command (fill in your site and a short "
            "description of the invitation emails). Until AWS grants it, invite only addresses "
            "verified in SES."
        )
        command = aws_command(
            target,
            "sesv2",
            "put-account-details",
            region,
            production_access_enabled=True,
            mail_type="TRANSACTIONAL",
            website_url="<https://your-site>",
            use_case_description="<how the platform sends invitations>",
        )
        outcome = failed if settings.prod else warned
        return outcome(message, fix, fix_command=command, review_status=review_status, **evidence)
    if account.get("EnforcementStatus") == "PROBATION":
        return warned(
            f"the SES account in {region} is on probation (EnforcementStatus PROBATION): AWS may "
            f"pause its sending if bounces or complaints stay high{_quota(account)}",
            f"Open the SES console in {region} → Reputation metrics, and bring the bounce and "
            "complaint rates down (remove addresses that bounce).",
            **evidence,
        )
    return passed(
        f"the SES account in {region} has production access and sending is enabled"
        f"{_quota(account)}",
        **evidence,
    )
