"""`cognito-doctor token`: tokens minted by moto's Cognito (valid), and altered, re-signed or
foreign ones (rejected), each explained in one line; bad input never gives a traceback and
the token is never echoed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey
from moto.utilities.utils import load_resource

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup, write_env_file
from cognito_doctor.oncall.tokens import (
    FAIL,
    OK,
    UNVERIFIED,
    Expectation,
    TokenInputError,
    decode,
    verify,
)
from cognito_doctor.platform.envfiles import AUTH_ENV

PASSWORD = "Corr3ct-Horse-Battery!"


def secret_hash(username: str, client_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def mint(sandbox: Sandbox, pool_id: str, client_id: str, email: str) -> dict[str, str]:
    """ID and access tokens from moto's Cognito, for a confidential client (SECRET_HASH)."""
    idp = sandbox.client("cognito-idp")
    secret = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)[
        "UserPoolClient"
    ]["ClientSecret"]
    result = idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": secret_hash(email, client_id, secret),
        },
    )["AuthenticationResult"]
    return {"id": result["IdToken"], "access": result["AccessToken"]}


@dataclass(frozen=True)
class Minted:
    setup: Setup
    id_token: str
    access_token: str
    other_client_id: str
    other_id_token: str


@pytest.fixture
def minted(sandbox: Sandbox, tmp_path: Path) -> Minted:
    setup = sandbox.create_setup(tmp_path / "platform")
    idp = sandbox.client("cognito-idp")
    email = f"tok-{uuid.uuid4().hex[:8]}@clinic.test"
    idp.admin_create_user(
        UserPoolId=setup.pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Tok"}],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=setup.pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    other = idp.create_user_pool_client(
        UserPoolId=setup.pool_id,
        ClientName="another-app",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    tokens = mint(sandbox, setup.pool_id, setup.client_id, email)
    others = mint(sandbox, setup.pool_id, other, email)
    return Minted(setup, tokens["id"], tokens["access"], other, others["id"])


def moto_key() -> RSAKey:
    """The private key moto's Cognito signs every token with (kid "dummy")."""
    return RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))


def resign(token: str, key: Any = None, header: dict[str, Any] | None = None, **claims: Any) -> str:
    """`token`'s claims with `claims` changed (None removes one), signed again."""
    decoded = decode(token)
    body = {**decoded.claims, **claims}
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(header or {"kid": "dummy", "alg": "RS256"}, body, key or moto_key())


def invoke(minted: Minted, sandbox: Sandbox, *args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(
        main,
        ["token", *args, "--root", str(minted.setup.root), "--endpoint-url", sandbox.endpoint_url],
        input=input,
        catch_exceptions=False,
    )


def assert_not_echoed(token: str, *outputs: str) -> None:
    _, payload, signature = token.split(".")
    for output in outputs:
        assert token not in output
        assert payload not in output and signature not in output


# --- accepted ---------------------------------------------------------------------------


def test_a_valid_id_token_is_accepted_and_its_claims_shown(
    minted: Minted, sandbox: Sandbox
) -> None:
    result = invoke(minted, sandbox, minted.id_token)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("services/auth would accept this token")
    assert any(line.startswith("✓ signature") and "'dummy'" in line for line in lines)
    assert any(line.startswith("✓ audience") and minted.setup.client_id in line for line in lines)
    assert any(line.strip().startswith("token_use") and line.endswith("id") for line in lines)
    assert "the token itself is not shown" in result.stdout
    assert_not_echoed(minted.id_token, result.stdout, result.stderr)


def test_a_valid_access_token_is_checked_by_client_id(minted: Minted, sandbox: Sandbox) -> None:
    result = invoke(minted, sandbox, minted.access_token)
    assert result.exit_code == 0, result.output
    assert f"client_id is {minted.setup.client_id} = COGNITO_APP_CLIENT_ID" in result.stdout


def test_the_token_can_come_from_stdin_with_a_bearer_prefix(
    minted: Minted, sandbox: Sandbox
) -> None:
    result = invoke(minted, sandbox, "-", input=f"Bearer {minted.id_token}\n")
    assert result.exit_code == 0
    assert result.stdout.startswith("services/auth would accept this token")


# --- rejected, one line each ------------------------------------------------------------


def test_a_token_for_another_client_is_explained_in_one_line(
    minted: Minted, sandbox: Sandbox
) -> None:
    result = invoke(minted, sandbox, minted.other_id_token)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first == (
        f"services/auth would REJECT this token: aud is {minted.other_client_id}, but "
        f"services/auth expects COGNITO_APP_CLIENT_ID={minted.setup.client_id} "
        f"(COGNITO_APP_CLIENT_ID in {AUTH_ENV}:3): the token was issued to another app client"
    )
    # Everything else about it is fine: a real token of this pool.
    assert "✓ signature" in result.stdout and "✓ iss" in result.stdout
    assert_not_echoed(minted.other_id_token, result.stdout, result.stderr)


def test_an_expired_token_is_explained_in_one_line(minted: Minted, sandbox: Sandbox) -> None:
    now = int(time.time())
    expired = resign(minted.id_token, iat=now - 3 * 3600, auth_time=now - 3 * 3600, exp=now - 7200)
    result = invoke(minted, sandbox, expired)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("services/auth would REJECT this token: the token expired 2 h ")
    # aws-jwt-verify's graceSeconds defaults to 0, and so does --skew.
    assert "ago (exp " in first and "0 s of clock skew" in first
    assert "refresh token" in first
    # Signed with the pool's own key, so only its expiry is wrong.
    assert "✓ signature" in result.stdout and "✗ expiry" in result.stdout


def test_a_token_signed_with_another_key_fails_the_signature(
    minted: Minted, sandbox: Sandbox
) -> None:
    forged = resign(minted.id_token, key=RSAKey.generate_key(2048))
    result = invoke(minted, sandbox, forged)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "services/auth would REJECT this token: the signature does not verify with the pool's "
        "key 'dummy': the token was altered after Cognito signed it, or it was signed with "
        "another key"
    )


def test_a_token_with_a_changed_aud_but_the_original_signature_fails(
    minted: Minted, sandbox: Sandbox
) -> None:
    header, payload, signature = minted.other_id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["aud"] = minted.setup.client_id
    altered_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    altered = f"{header}.{altered_payload}.{signature}"
    result = invoke(minted, sandbox, altered)
    assert result.exit_code == 1
    assert "✗ signature" in result.stdout
    assert "✓ audience" in result.stdout  # the aud now "matches", but the signature says no


def test_an_unknown_kid_is_named(minted: Minted, sandbox: Sandbox) -> None:
    key = RSAKey.generate_key(2048, parameters={"kid": "rotated-key"})
    token = resign(minted.id_token, key=key, header={"kid": "rotated-key", "alg": "RS256"})
    result = invoke(minted, sandbox, token)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert "the token's kid 'rotated-key' is not in the pool's key set (its kids: dummy)" in first


def test_a_token_without_kid_or_with_another_alg_is_rejected(
    minted: Minted, sandbox: Sandbox
) -> None:
    no_kid = resign(minted.id_token, header={"alg": "RS256"})
    result = invoke(minted, sandbox, no_kid)
    assert result.exit_code == 1
    assert "header has no kid" in result.stdout.splitlines()[0]
    hs256 = resign(
        minted.id_token,
        key=OctKey.generate_key(256),
        header={"kid": "dummy", "alg": "HS256"},
    )
    result = invoke(minted, sandbox, hs256)
    assert result.exit_code == 1
    assert "alg is 'HS256'" in result.stdout.splitlines()[0]


def test_an_issuer_with_a_trailing_slash_is_named(minted: Minted, sandbox: Sandbox) -> None:
    auth = dict(minted.setup.auth_env)
    auth["COGNITO_ISSUER"] = f"https://cognito-idp.eu-west-2.amazonaws.com/{minted.setup.pool_id}/"
    write_env_file(minted.setup.root / AUTH_ENV, auth)
    result = invoke(minted, sandbox, minted.id_token)
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert f"iss is https://cognito-idp.eu-west-2.amazonaws.com/{minted.setup.pool_id}," in first
    assert "COGNITO_ISSUER in services/auth/.env:4" in first
    assert "they differ only by a trailing slash" in first


def test_a_token_of_another_pool_is_named(minted: Minted, sandbox: Sandbox) -> None:
    token = resign(
        minted.id_token, iss="https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Other1"
    )
    result = invoke(minted, sandbox, token)
    assert result.exit_code == 1
    assert "the token comes from pool eu-west-2_Other1" in result.stdout.splitlines()[0]


def test_the_wrong_kind_of_token_is_rejected(minted: Minted, sandbox: Sandbox) -> None:
    result = invoke(minted, sandbox, minted.id_token, "--use", "access")
    assert result.exit_code == 1
    assert (
        "this is an id token, but services/auth verifies access tokens here"
        in (result.stdout.splitlines()[0])
    )
    odd = resign(minted.id_token, token_use="refresh")
    result = invoke(minted, sandbox, odd)
    assert result.exit_code == 1
    assert "token_use is 'refresh'" in result.stdout.splitlines()[0]


# --- modes and output --------------------------------------------------------------------


def test_offline_checks_the_claims_but_not_the_signature(minted: Minted, sandbox: Sandbox) -> None:
    result = invoke(minted, sandbox, minted.id_token, "--offline")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "nothing wrong found, but not everything could be verified: signature"
    )
    assert "? signature" in result.stdout and "--offline" in result.stdout
    result = invoke(minted, sandbox, minted.other_id_token, "--offline")
    assert result.exit_code == 1  # the audience is still checked


def test_json_output_has_the_verdict_checks_and_claims_but_not_the_token(
    minted: Minted, sandbox: Sandbox
) -> None:
    result = invoke(minted, sandbox, minted.other_id_token, "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["verdict"] == "rejected"
    statuses = {c["name"]: c["status"] for c in document["checks"]}
    assert statuses == {
        "signature": OK,
        "iss": OK,
        "token_use": OK,
        "audience": FAIL,
        "expiry": OK,
    }
    assert document["header"]["alg"] == "RS256" and document["header"]["kid"] == "dummy"
    assert document["claims"]["aud"] == minted.other_client_id
    assert document["expected"]["client_id"] == minted.setup.client_id
    assert "email" not in document["claims"]
    assert_not_echoed(minted.other_id_token, result.stdout)


def test_without_services_auth_env_nothing_is_compared_but_nothing_fails(
    minted: Minted, sandbox: Sandbox
) -> None:
    (minted.setup.root / AUTH_ENV).unlink()
    result = invoke(minted, sandbox, minted.id_token)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith(
        "nothing wrong found, but not everything could be verified: signature, iss, audience"
    )
    assert f"{AUTH_ENV} does not exist" in result.stdout


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "no token given"),
        ("   ", "no token given"),
        ("just-some-text", "a JWT has three dot-separated parts, this input has 1"),
        ("aaaa.bbbb.cccc.dddd.eeee", "encrypted JWE"),
        ("eyJub3Rqc29u.eyJhIjoxfQ.c2ln", "not base64url-encoded JSON"),
        ("e y J.a.b", "not base64url"),
        ("eyJhbGciOiJSUzI1NiJ9.WzEsMl0.c2ln", "JSON but not an object"),
    ],
)
def test_malformed_input_is_a_clear_usage_error(
    minted: Minted, sandbox: Sandbox, raw: str, message: str
) -> None:
    result = invoke(minted, sandbox, raw)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_binary_stdin_is_refused(minted: Minted, sandbox: Sandbox) -> None:
    result = CliRunner().invoke(
        main,
        ["token", "-", "--root", str(minted.setup.root), "--offline"],
        input=b"\x00\x01\xff\xfe binary",
        catch_exceptions=False,
    )
    assert result.exit_code == 2
    assert "not a token" in result.stderr


# --- the verifier on its own (a clock to move) -------------------------------------------


def expectation(token: str) -> Expectation:
    claims = decode(token).claims
    return Expectation(claims["iss"], "test", claims.get("aud"), "test")


def test_clock_skew_is_allowed_up_to_the_limit(minted: Minted) -> None:
    decoded = decode(minted.id_token)
    exp = decoded.claims["exp"]
    just_inside = verify(decoded, expectation(minted.id_token), jwks=None, now=exp + 60, skew=60)
    assert {c.name: c.status for c in just_inside.checks}["expiry"] == OK
    outside = verify(decoded, expectation(minted.id_token), jwks=None, now=exp + 61, skew=60)
    assert {c.name: c.status for c in outside.checks}["expiry"] == FAIL
    assert {c.name: c.status for c in outside.checks}["signature"] == UNVERIFIED


def test_a_future_iat_is_a_clock_warning_and_a_future_nbf_a_rejection(minted: Minted) -> None:
    # Neither AWS's verification steps, RFC 7519 nor aws-jwt-verify reject a future iat.
    now = int(time.time())
    future = decode(resign(minted.id_token, iat=now + 600, exp=now + 4200))
    verdict = verify(future, expectation(minted.id_token), jwks=None, now=now)
    assert not verdict.rejected
    clock = {c.name: c for c in verdict.checks}["clock"]
    assert clock.status == "warning"
    assert "issued 10 min 0 s in the future" in clock.message
    early = decode(resign(minted.id_token, nbf=now + 300))
    verdict = verify(early, expectation(minted.id_token), jwks=None, now=now)
    assert "is not valid before" in verdict.summary


def test_decoded_tokens_do_not_show_themselves_in_a_repr(minted: Minted) -> None:
    decoded = decode(minted.id_token)
    assert minted.id_token not in repr(decoded)
    with pytest.raises(TokenInputError):
        decode("Bearer ")
