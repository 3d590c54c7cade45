"""Checks of the AWS identity services/user-management runs as (the keys in its `.env`)."""

from __future__ import annotations

import re
from typing import Any

from cognito_doctor.engine.model import Location, Outcome, errored, failed, passed
from cognito_doctor.engine.registry import check
from cognito_doctor.facts.records import IdentityLookup
from cognito_doctor.platform.envfiles import EnvFile

# AWS's messages for these errors name no key, but scrub anything shaped like a key id or a
# long token before quoting one, so a key id never appears in full.
_KEY_LIKE = re.compile(r"\b[A-Z0-9]{16,}\b|[A-Za-z0-9/+=]{32,}")

RESTART = "then restart user-management (scripts/dev/start-all.sh, or just that service)"


def _runbook_fix(um_env: EnvFile) -> str:
    """The runbook's fix for keys AWS refuses, naming the file they are in."""
    return (
        f"Confirm AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set in {um_env.label} and the "
        "service "
        "restarted (runbook: Things that bite → NotAuthorizedException)."
    )


NEW_KEY = (
    "IAM → Users → clinical-platform-user-mgmt-dev → Security credentials → Create access key "
    "(Application running outside AWS)"
)


def _aws_says(lookup: IdentityLookup) -> str:
    text = _KEY_LIKE.sub("…", (lookup.error_message or "").strip())
    return f' AWS says: "{text}"' if text else ""


@check("creds.identity", title="The service's AWS keys are accepted by AWS", severity="error")
def service_identity(caller_identity: IdentityLookup, um_env: EnvFile) -> Outcome:
    """
    ## What it checks
    Calls `sts:GetCallerIdentity` with the `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and
    `AWS_SESSION_TOKEN`, if set) from `services/user-management/.env`, the keys the service
    itself uses, and reports the AWS account and the principal ARN they belong to. The call
    needs no IAM permission, so it tests the keys alone. An unknown or deleted key
    (InvalidClientTokenId, UnrecognizedClientException), a secret that doesn't belong to the
    key (SignatureDoesNotMatch) and expired temporary keys (ExpiredToken) each fail with their
    own explanation. The key id is shown only as its last four characters; the secret never.

    ## Why it matters
    With keys AWS does not accept, every Cognito call user-management makes fails: promoting
    a user returns a 500 and no invitation email is sent. The `.env` file looks complete, so
    nothing points at the keys until the first promote.

    ## How to fix
    Confirm `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` are set in
    `services/user-management/.env` and the service restarted (runbook: Things that bite). If
    the key was deleted or the secret lost, create a new access key for the IAM user
    `clinical-platform-user-mgmt-dev` (IAM → Users → the user → Security credentials → Create
    access key), paste both halves, and restart user-management. Temporary keys (`ASIA…`)
    expire: paste fresh ones together with their `AWS_SESSION_TOKEN`, or use the IAM user's
    long-term keys.
    """
    hint = caller_identity.key_hint
    identity = caller_identity.identity
    if identity is not None:
        account, arn = identity.get("Account", "?"), identity.get("Arn", "?")
        return passed(
            f"the keys in {um_env.label} (key id {hint}) are valid: account {account}, principal "
            f"{arn}",
            account=account,
            arn=arn,
            key_id=hint,
        )
    code = caller_identity.error_code or "unknown error"
    aws_says = _aws_says(caller_identity)
    evidence = {"key_id": hint, "error_code": code}
    if code in ("InvalidClientTokenId", "UnrecognizedClientException"):
        return _unrecognised_key(um_env, hint, code, aws_says, evidence)
    if code in ("SignatureDoesNotMatch", "InvalidSignatureException"):
        return _wrong_secret(um_env, hint, code, aws_says, evidence)
    if code in ("ExpiredToken", "ExpiredTokenException"):
        return _expired_keys(um_env, hint, code, aws_says, evidence)
    if code in ("AccessDenied", "AccessDeniedException"):
        return _identity_refused(um_env, hint, code, aws_says, evidence)
    return errored(
        f"sts:GetCallerIdentity with the keys in {um_env.label} (key id {hint}) failed with "
        f"{code}, so they could not be verified.{aws_says}",
        f"{_runbook_fix(um_env)} Then run cognito-doctor again; if {code} persists, look it up "
        "in the AWS STS error reference.",
        **evidence,
    )


def _where(um_env: EnvFile, key: str) -> Location:
    """Where `key` is set in the file, else where AWS_ACCESS_KEY_ID is."""
    return um_env.location(key if um_env.has(key) else "AWS_ACCESS_KEY_ID")


def _unrecognised_key(
    um_env: EnvFile, hint: str, code: str, aws_says: str, evidence: dict[str, Any]
) -> Outcome:
    """The failure for an access key AWS does not know (deleted, mistyped, another account)."""
    has_token = um_env.get("AWS_SESSION_TOKEN") is not None
    token_note = (
        " AWS_SESSION_TOKEN is also set: a long-term AKIA key must be used without one, and "
        "a temporary key only with the token issued with it."
        if has_token
        else ""
    )
    return failed(
        f"AWS does not recognise the access key {hint} from {um_env.label} ({code}): it was "
        f"deleted, deactivated or mistyped, or belongs to another account or partition."
        f"{token_note}{aws_says}",
        f"{_runbook_fix(um_env)} In IAM → Users → clinical-platform-user-mgmt-dev → Security "
        f"credentials, check that the key ending {hint[-4:]} is listed and Active; if it "
        "isn't, Create access key there (Application running outside AWS), paste "
        f"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY into {um_env.label}"
        + (" (delete AWS_SESSION_TOKEN for a long-term key)" if has_token else "")
        + f", {RESTART}.",
        location=_where(um_env, "AWS_SESSION_TOKEN" if has_token else "AWS_ACCESS_KEY_ID"),
        **evidence,
    )


def _wrong_secret(
    um_env: EnvFile, hint: str, code: str, aws_says: str, evidence: dict[str, Any]
) -> Outcome:
    """The failure for a secret that does not belong to the access key."""
    return failed(
        f"AWS knows the access key {hint}, but AWS_SECRET_ACCESS_KEY in {um_env.label} is not "
        "its "
        f"secret ({code}): the secret was mistyped, truncated, or belongs to another key."
        f"{aws_says}",
        f"{_runbook_fix(um_env)} Paste the secret access key that was created with the key "
        f"ending {hint[-4:]} into AWS_SECRET_ACCESS_KEY. AWS shows a secret only once: if it "
        f"is lost, {NEW_KEY}, paste both halves, deactivate the old key, {RESTART}.",
        location=_where(um_env, "AWS_SECRET_ACCESS_KEY"),
        **evidence,
    )


def _expired_keys(
    um_env: EnvFile, hint: str, code: str, aws_says: str, evidence: dict[str, Any]
) -> Outcome:
    """The failure for temporary keys that have expired."""
    return failed(
        f"the temporary keys in {um_env.label} (key id {hint}) have expired ({code}): STS / "
        "SSO "
        f"credentials last hours, so the service stops working when they run out.{aws_says}",
        f"{_runbook_fix(um_env)} Paste fresh temporary credentials (AWS_ACCESS_KEY_ID, "
        "AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN together), or, for a long-running dev "
        f"service, use the IAM user's long-term keys: {NEW_KEY}, paste both halves and "
        f"delete AWS_SESSION_TOKEN; {RESTART}.",
        location=_where(um_env, "AWS_SESSION_TOKEN"),
        **evidence,
    )


def _identity_refused(
    um_env: EnvFile, hint: str, code: str, aws_says: str, evidence: dict[str, Any]
) -> Outcome:
    """The error for keys AWS accepted but whose GetCallerIdentity call it refused."""
    return errored(
        f"AWS accepted the key {hint} but refused sts:GetCallerIdentity ({code}), so the "
        "identity behind the keys could not be confirmed. This call needs no IAM "
        "permission; a refusal comes from outside the user's policies (e.g. an "
        f"organization's service control policy or a disabled STS region).{aws_says}",
        f"{_runbook_fix(um_env)} If the keys are the IAM user's, ask your AWS administrator "
        "which policy denies sts:GetCallerIdentity for it, or run with --region set to a "
        "region whose STS endpoint is active.",
        **evidence,
    )
