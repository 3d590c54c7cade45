"""`token` on locally signed tokens: the differences from aws-jwt-verify the issue lists are
gone (expiry with no grace, both issuer formats, a future iat, input cleanup, fail-closed keys,
claims of any value, size limits named)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.oncall.tokens import (
    FAIL,
    MAX_TOKEN_CHARACTERS,
    OK,
    TokenInputError,
    decode,
    expectation_from_env,
    verify,
)
from cognito_doctor.platform.envfiles import AUTH_ENV, parse_env_text
from tests.oracles.test_aws_jwt_verify import (
    CLIENT_ID,
    JWKS,
    NOW,
    POOL_ID,
    REGION,
    UPDATED,
    claims_for,
    sign,
)

AUTH = parse_env_text(
    AUTH_ENV,
    Path(AUTH_ENV),
    f"COGNITO_USER_POOL_ID={POOL_ID}\nCOGNITO_REGION={REGION}\nCOGNITO_APP_CLIENT_ID={CLIENT_ID}\n",
)


def statuses(raw: str, jwks: dict | None = JWKS) -> dict[str, str]:  # type: ignore[type-arg]
    verdict = verify(decode(raw), expectation_from_env(AUTH), jwks=jwks, now=NOW)
    return {c.name: c.status for c in verdict.checks}


def test_a_token_expired_30_s_ago_is_rejected_by_default() -> None:
    token = decode(sign(claims_for("id", exp=NOW - 30)))
    verdict = verify(token, expectation_from_env(AUTH), jwks=JWKS, now=NOW)
    assert verdict.rejected
    assert "expired 30 s ago" in verdict.summary
    assert "left" not in verdict.summary


def test_the_updated_issuer_is_accepted() -> None:
    assert statuses(sign(claims_for("id", iss=UPDATED)))["iss"] == OK


def test_a_future_iat_is_a_warning_and_the_token_accepted() -> None:
    verdict = verify(
        decode(sign(claims_for("id", iat=NOW + 300))),
        expectation_from_env(AUTH),
        jwks=JWKS,
        now=NOW,
    )
    assert not verdict.rejected and verdict.verified
    assert "clock" in verdict.summary


@pytest.mark.parametrize(
    ("wrapper", "named"),
    [("Bearer {}", "'Bearer ' prefix"), ('"{}"', '" quotes'), ("  {}\n", "whitespace")],
)
def test_input_cleanup_is_reported(wrapper: str, named: str) -> None:
    verdict = verify(
        decode(wrapper.format(sign(claims_for("id")))),
        expectation_from_env(AUTH),
        jwks=JWKS,
        now=NOW,
    )
    warning = {c.name: c for c in verdict.checks}["input"]
    assert named in warning.message and "services/auth would see" in warning.message
    assert not verdict.rejected


@pytest.mark.parametrize(
    "bad_key",
    [
        {"kid": "k1", "kty": "RSA", "n": "AQAB", "e": "!!"},
        {"kid": "k1", "kty": "EC", "crv": "P-256", "x": "a", "y": "b"},
        {"kid": "k1", "kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"},
        {"kid": "k1", "kty": "RSA"},
    ],
)
def test_a_key_that_cannot_verify_means_reject(bad_key: dict) -> None:  # type: ignore[type-arg]
    assert statuses(sign(claims_for("id")), {"keys": [bad_key]})["signature"] == FAIL


@pytest.mark.parametrize(
    "claims_json",
    ['{"exp": 1e400}', '{"exp": 253402300800000}', '{"exp": "soon"}', '{"iss": ["a"]}'],
)
def test_odd_claim_values_are_judged_without_a_traceback(claims_json: str) -> None:
    import base64

    def b64(text: str) -> str:
        return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()

    raw = f"{b64(json.dumps({'alg': 'RS256', 'kid': 'k1'}))}.{b64(claims_json)}.c2ln"
    result = CliRunner().invoke(main, ["token", raw, "--offline"], catch_exceptions=False)
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output


def test_nan_is_not_json_and_says_so() -> None:
    import base64

    payload = base64.urlsafe_b64encode(b'{"exp": NaN}').rstrip(b"=").decode()
    with pytest.raises(TokenInputError, match="not base64url-encoded JSON"):
        decode(f"eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")


def test_a_large_header_is_read_and_an_oversized_input_names_its_limit() -> None:
    token = sign(claims_for("id"), {"x-pad": "p" * 2000})
    assert statuses(token)["signature"] == OK  # aws-jwt-verify has no header size limit either
    with pytest.raises(TokenInputError, match=str(MAX_TOKEN_CHARACTERS)):
        decode("a" * (MAX_TOKEN_CHARACTERS + 1))
    result = CliRunner().invoke(main, ["token", "-"], input="a" * (MAX_TOKEN_CHARACTERS + 5))
    assert result.exit_code == 2
    assert str(MAX_TOKEN_CHARACTERS) in result.output
