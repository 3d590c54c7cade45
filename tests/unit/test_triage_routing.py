"""The knowledge base routed per AWS: the issue's real error texts, each to the cause AWS's
documentation (or the verifier's own source) gives it, and away from the causes it was
wrongly routed to before."""

from __future__ import annotations

import pytest

from cognito_doctor.oncall.knowledge import load_knowledge
from cognito_doctor.oncall.triage import match_text

# Real texts: Cognito's, AWS SigV4's and IAM's messages as the JavaScript SDK logs them, and
# aws-jwt-verify 5.x, jose 5.x and jwks-rsa 3.x errors (read from their sources).
REAL_TEXTS = {
    "LimitExceededException: Attempt limit exceeded, please try after some time.": (
        "attempt-limit-exceeded"
    ),
    "NotAuthorizedException: Incorrect username or password.": "incorrect-username-or-password",
    "NotAuthorizedException: User password cannot be reset in the current state.": (
        "reset-password-wrong-state"
    ),
    "NotAuthorizedException: Invalid session for the user, session is expired.": (
        "auth-session-expired"
    ),
    "NotAuthorizedException: Invalid Refresh Token": "refresh-token-rejected",
    "NotAuthorizedException: Refresh Token has expired": "refresh-token-rejected",
    "NotAuthorizedException: Refresh Token has been revoked": "refresh-token-rejected",
    "NotAuthorizedException: Access Token has been revoked": "access-token-revoked",
    "InvalidSignatureException: Signature expired: 20240502T101112Z is now earlier than "
    "20240502T101613Z (20240502T102113Z - 5 min.)": "aws-clock-skew",
    "InvalidSignatureException: Signature not yet current: 20240502T103000Z is still later "
    "than 20240502T102113Z (20240502T101613Z + 5 min.)": "aws-clock-skew",
    "An error occurred (RequestExpired) when calling the AdminCreateUser operation": (
        "aws-clock-skew"
    ),
    "InvalidParameterException: Auth flow not enabled for this client": "auth-flow-not-enabled",
    "InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client": (
        "auth-flow-not-enabled"
    ),
    "InvalidParameterException: Initiate Auth method not supported.": (
        "initiate-auth-method-not-supported"
    ),
    "InvalidParameterException: Cannot reset password for the user as there is no "
    "registered/verified email or phone_number": "reset-no-verified-contact",
    "InvalidParameterException: Invalid attributes given, name is missing": (
        "required-attribute-missing"
    ),
    "PasswordResetRequiredException: Password reset required for the user": (
        "password-reset-required"
    ),
    "UserNotConfirmedException: User is not confirmed.": "user-not-confirmed",
    "UnsupportedUserStateException: Resend not possible. ann@clinic.test status is not "
    "FORCE_CHANGE_PASSWORD": "resend-not-possible",
    "InvalidPasswordException: Password did not conform with policy: Password not long enough": (
        "invalid-password"
    ),
    "CodeMismatchException: Invalid verification code provided, please try again.": (
        "code-mismatch"
    ),
    "ExpiredCodeException: Invalid code provided, please request a code again.": "code-expired",
    "InvalidParameterException: REFRESH_TOKEN_AUTH should always be allowed.": (
        "refresh-flow-required"
    ),
    "InvalidParameterException: Email arn does not belong to your account.": (
        "ses-arn-other-account"
    ),
    "InvalidEmailRoleAccessPolicyException: Amazon Cognito is not allowed to use your email "
    "identity.": "ses-role-access-policy",
    "AccountSendingPausedException: Email sending is disabled for your entire Amazon SES "
    "account": "ses-sending-paused",
    "TooManyRequestsException: Too many requests": "cognito-throttled",
    "JwtNotBeforeError: Token can't be used before 2024-05-02T10:11:12.000Z": (
        "token-not-yet-valid"
    ),
    "FetchError: Failed to fetch https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbC/"
    ".well-known/jwks.json: Status code is 404, expected 200": "jwks-fetch-failed",
    "JwtParseError: JWT string does not consist of exactly 3 parts (header, payload, "
    "signature)": "jwt-malformed",
    "JwtInvalidSignatureAlgorithmError: JWT signature algorithm not allowed: HS256. "
    "Expected: RS256": "jwt-signature-algorithm",
    'JWTClaimValidationFailed: missing required "aud" claim': "token-audience",
    'JWTClaimValidationFailed: unexpected "iss" claim value': "token-issuer",
    'JWTExpired: "exp" claim timestamp check failed': "token-expired",
    "JWKSNoMatchingKey: no applicable key found in the JSON Web Key Set": "token-signing-key",
    "SigningKeyNotFoundError: Unable to find a signing key that matches 'abc123'": (
        "token-signing-key"
    ),
}

_ARN = (
    "User: arn:aws:iam::123456789012:user/clinical-platform-user-mgmt-dev is not authorized to "
    "perform: cognito-idp:AdminCreateUser on resource: "
    "arn:aws:cognito-idp:eu-west-2:123456789012:userpool/eu-west-2_Xyz"
)
DENY_CLAUSES = {
    " with an explicit deny in a service control policy": "access-denied-scp",
    " because no service control policy allows the cognito-idp:AdminCreateUser action": (
        "access-denied-scp"
    ),
    " because no VPC endpoint policy allows the cognito-idp:AdminCreateUser action": (
        "access-denied-vpc-endpoint"
    ),
    " with an explicit deny in a permissions boundary": "access-denied-permissions-boundary",
    " because no session policy allows the cognito-idp:AdminCreateUser action": (
        "access-denied-session-policy"
    ),
    " with an explicit deny in an identity-based policy": "access-denied-explicit-deny",
    " because no identity-based policy allows the cognito-idp:AdminCreateUser action": (
        "access-denied-resource-arn"
    ),
}


def ids(text: str) -> list[str]:
    return [m.entry.id for m in match_text(text)]


@pytest.mark.parametrize(("text", "entry_id"), REAL_TEXTS.items())
def test_each_real_error_text_names_its_cause_first(text: str, entry_id: str) -> None:
    assert ids(text)[0] == entry_id, [(m.entry.id, m.score) for m in match_text(text)]


@pytest.mark.parametrize(
    "text",
    [t for t in REAL_TEXTS if t.startswith("NotAuthorizedException")]
    + [
        "NotAuthorizedException: User is disabled.",
        "NotAuthorizedException: Temporary password has expired and must be reset by an "
        "administrator.",
    ],
)
def test_cognitos_own_not_authorized_messages_never_blame_the_aws_keys(text: str) -> None:
    assert "service-keys-not-accepted" not in ids(text)


def test_attempt_limit_is_throttling_not_the_daily_email_quota() -> None:
    found = ids("LimitExceededException: Attempt limit exceeded, please try after some time.")
    assert "invite-daily-limit" not in found and "invite-default-sender" not in found
    # The daily quota's own text still goes to the daily quota.
    assert ids(
        "LimitExceededException: Exceeded daily email limit for the operation or the account."
    )[0] == ("invite-daily-limit")


def test_a_skewed_clock_is_not_taken_for_a_wrong_secret() -> None:
    found = ids(
        "InvalidSignatureException: Signature expired: 20240502T101112Z is now earlier than "
        "20240502T101613Z (20240502T102113Z - 5 min.)"
    )
    assert "aws-secret-mismatch" not in found
    assert "aws-credentials-expired" not in ids("RequestExpired")
    assert ids("InvalidSignatureException when user-management calls AdminCreateUser")[0] == (
        "aws-secret-mismatch"
    )


@pytest.mark.parametrize(("clause", "entry_id"), DENY_CLAUSES.items())
def test_each_access_denied_reason_clause_names_its_owner(clause: str, entry_id: str) -> None:
    found = ids(f"AccessDeniedException: {_ARN}{clause}")
    assert found[0] == entry_id
    if entry_id != "access-denied-resource-arn":
        # Not the service's own Allow: the resource-ARN cause would send people the wrong way.
        assert "access-denied-resource-arn" not in found


def test_the_audience_entry_says_access_tokens_have_no_aud() -> None:
    entry = next(e for e in load_knowledge() if e.id == "token-audience")
    assert "access tokens" in entry.cause and "client_id" in entry.cause
    assert entry.documented is not None and "no aud" in entry.documented


def test_just_invited_incorrect_password_names_the_masked_and_mangled_causes() -> None:
    entry = next(e for e in load_knowledge() if e.id == "incorrect-username-or-password")
    assert "PreventUserExistenceErrors" in entry.cause
    assert "case" in entry.cause and "temporary password" in entry.cause
    assert "not_found" in entry.user_confirms


def test_every_entry_names_what_it_rests_on_or_says_how_to_check() -> None:
    # New and changed entries name their source; the rest keep their manual checks.
    for entry in load_knowledge():
        if entry.id in {e for e in REAL_TEXTS.values()} | set(DENY_CLAUSES.values()):
            assert entry.documented, entry.id


def test_a_rejected_updated_issuer_is_told_both_formats_and_where_to_look() -> None:
    """An UPDATED pool's tokens carry issuer-cognito-idp: the fix must not send the operator
    back to the ORIGINAL issuer only (issue 10, item 2)."""
    text = (
        "JwtInvalidIssuerError: Issuer not allowed: "
        "https://issuer-cognito-idp.eu-west-2.amazonaws.com/eu-west-2_AbCdEf123"
    )
    first = match_text(text)[0].entry
    assert first.id == "token-issuer"
    assert "https://issuer-cognito-idp.<REGION>.amazonaws.com/<USER_POOL_ID>" in first.fix
    assert "issuer.pool-type" in first.fix
    assert "issuer.pool-type" in [c.id for c in first.checks]
