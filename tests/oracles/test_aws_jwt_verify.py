"""`token` against the real npm `aws-jwt-verify` 5 (CognitoJwtVerifier with userPoolId,
clientId and tokenUse, the JWKS given with cacheJwks, the clock fixed): the same verdict on
every token a Cognito pool can issue, valid or broken claim by claim and header field by header
field, in both issuer formats and at the clock's edges. Where the doctor is stricter by design
the case is named with its reason, and the test checks it really is stricter there."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import OctKey, RSAKey

from cognito_doctor.oncall.tokens import (
    TokenInputError,
    decode,
    expectation_from_env,
    verify,
)
from cognito_doctor.platform.envfiles import AUTH_ENV, parse_env_text
from tests.oracles.conftest import run_node

POOL_ID = "eu-west-2_Or4cle9Zq"
REGION = "eu-west-2"
CLIENT_ID = "4k2j9d8s7f6g5h4j3k2l1m0n9p"
NOW = 1_800_000_000
ORIGINAL = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
UPDATED = f"https://issuer-cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "alg": "RS256", "use": "sig"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "k1"})
JWKS = {"keys": [KEY.as_dict(private=False)]}

VERIFY = """
const { CognitoJwtVerifier } = require('aws-jwt-verify');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const realNow = Date.now;
const out = cases.map((c) => {
  Date.now = () => c.now * 1000;
  try {
    const verifier = CognitoJwtVerifier.create({
      userPoolId: c.userPoolId, clientId: c.clientId, tokenUse: c.tokenUse,
    });
    verifier.cacheJwks(c.jwks);
    verifier.verifySync(c.token);
    return 'accepted';
  } catch (err) {
    return 'rejected: ' + err.name;
  } finally {
    Date.now = realNow;
  }
});
process.stdout.write(JSON.stringify(out));
"""


def claims_for(use: str, **changes: Any) -> dict[str, Any]:
    """A Cognito ID or access token's claims (AWS's documented payloads), then `changes`
    (None deletes a claim)."""
    claims: dict[str, Any] = {
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
        "iss": ORIGINAL,
        "token_use": use,
        "auth_time": NOW - 60,
        "iat": NOW - 60,
        "exp": NOW + 3600,
        "jti": "f0e1d2c3-0000-4000-8000-000000000000",
    }
    if use == "id":
        claims |= {"aud": CLIENT_ID, "cognito:username": "nurse.kim", "email": "k@clinic.test"}
    else:
        claims |= {"client_id": CLIENT_ID, "scope": "aws.cognito.signin.user.admin"}
        claims |= {"username": "nurse.kim"}
    for name, value in changes.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims: dict[str, Any], header: dict[str, Any] | None = None, key: Any = KEY) -> str:
    """A compact JWS signed locally (joserfc's algorithms; the header written as given, so
    header fields Cognito never writes can be tried too)."""
    protected = {"alg": "RS256", "kid": "k1", **(header or {})}
    protected = {k: v for k, v in protected.items() if v is not None}
    signing_input = f"{_b64(json.dumps(protected).encode())}.{_b64(json.dumps(claims).encode())}"
    name = str(protected["alg"])
    algorithm = jws.JWSRegistry(algorithms=[name]).get_alg(name)
    return f"{signing_input}.{_b64(algorithm.sign(signing_input.encode(), key))}"


def doctor_verdict(token: str, token_use: str | None) -> str:
    auth = parse_env_text(
        AUTH_ENV,
        Path(AUTH_ENV),
        f"COGNITO_USER_POOL_ID={POOL_ID}\nCOGNITO_REGION={REGION}\n"
        f"COGNITO_APP_CLIENT_ID={CLIENT_ID}\n",
    )
    try:
        decoded = decode(token)
    except TokenInputError:
        return "rejected"
    verdict = verify(
        decoded, expectation_from_env(auth), jwks=JWKS, now=NOW, expected_use=token_use
    )
    assert not any(c.status == "unverified" for c in verdict.checks), verdict.checks
    return "rejected" if verdict.rejected else "accepted"


def verify_request(token: str, use: str | None) -> dict[str, Any]:
    """What the node runner needs to verify `token` as services/auth does, for the test pool."""
    return {
        "token": token,
        "jwks": JWKS,
        "userPoolId": POOL_ID,
        "clientId": CLIENT_ID,
        "tokenUse": use,
        "now": NOW,
    }


def oracle_verdicts(cases: list[tuple[str, str | None]], node_modules: Path) -> list[str]:
    payload = [verify_request(token, use) for token, use in cases]
    return [v.split(":")[0] for v in run_node(VERIFY, node_modules, payload)]


def _tampered(token: str) -> str:
    head, _payload, signature = token.split(".")
    other = sign(claims_for("id", sub="someone-else")).split(".")[1]
    return f"{head}.{other}.{signature}"


# (name, token, tokenUse asked for): tokens a Cognito pool issues, and each broken one way.
CASES: list[tuple[str, str, str | None]] = [
    ("valid id token", sign(claims_for("id")), "id"),
    ("valid access token", sign(claims_for("access")), "access"),
    ("valid id token, either use", sign(claims_for("id")), None),
    ("UPDATED issuer", sign(claims_for("id", iss=UPDATED)), "id"),
    ("UPDATED issuer, access", sign(claims_for("access", iss=UPDATED)), "access"),
    ("issuer with a trailing slash", sign(claims_for("id", iss=ORIGINAL + "/")), "id"),
    ("issuer over http", sign(claims_for("id", iss=ORIGINAL.replace("https", "http"))), "id"),
    ("another pool's issuer", sign(claims_for("id", iss=ORIGINAL[:-1] + "X")), "id"),
    (
        "another region's issuer",
        sign(claims_for("id", iss=ORIGINAL.replace("eu-west-2.", "eu-west-1."))),
        "id",
    ),
    ("no iss", sign(claims_for("id", iss=None)), "id"),
    ("iss not a string", sign(claims_for("id", iss=7)), "id"),
    ("expires exactly now", sign(claims_for("id", exp=NOW)), "id"),
    ("expired 1 s ago", sign(claims_for("id", exp=NOW - 1)), "id"),
    ("expired 30 s ago", sign(claims_for("id", exp=NOW - 30)), "id"),
    ("exp a string", sign(claims_for("id", exp=str(NOW + 60))), "id"),
    ("exp beyond year 9999", sign(claims_for("id", exp=10**15)), "id"),
    ("exp huge", sign(claims_for("id", exp=10**400)), "id"),
    ("nbf 1 s ahead", sign(claims_for("id", nbf=NOW + 1)), "id"),
    ("nbf now", sign(claims_for("id", nbf=NOW)), "id"),
    ("iat in the future", sign(claims_for("id", iat=NOW + 600)), "id"),
    ("iat a string", sign(claims_for("id", iat="yesterday")), "id"),
    ("sub a number", sign(claims_for("id", sub=12)), "id"),
    ("token_use missing", sign(claims_for("id", token_use=None)), None),
    ("token_use refresh", sign(claims_for("id", token_use="refresh")), None),
    ("access token where id asked", sign(claims_for("access")), "id"),
    ("id token where access asked", sign(claims_for("id")), "access"),
    ("aud another client", sign(claims_for("id", aud="otherclient")), "id"),
    ("aud missing", sign(claims_for("id", aud=None)), "id"),
    ("aud a list", sign(claims_for("id", aud=[CLIENT_ID])), "id"),
    ("client_id another client", sign(claims_for("access", client_id="other")), "access"),
    ("client_id missing", sign(claims_for("access", client_id=None)), "access"),
    ("scope a list", sign(claims_for("access", scope=["a"])), "access"),
    ("kid unknown", sign(claims_for("id"), {"kid": "k2"}), "id"),
    ("kid missing", sign(claims_for("id"), {"kid": None}), "id"),
    ("kid a number", sign(claims_for("id"), {"kid": 1}), "id"),
    ("alg RS384", sign(claims_for("id"), {"alg": "RS384"}), "id"),
    (
        "alg HS256 with the modulus",
        sign(claims_for("id"), {"alg": "HS256"}, OctKey.import_key(KEY.as_dict()["n"].encode())),
        "id",
    ),
    ("typ JWT added", sign(claims_for("id"), {"typ": "JWT"}), "id"),
    ("signed with another key", sign(claims_for("id"), key=OTHER_KEY), "id"),
    ("payload swapped after signing", _tampered(sign(claims_for("id"))), "id"),
    ("signature cut", sign(claims_for("id"))[:-10], "id"),
    # aws-jwt-verify's regex allows '=' padding, but the signature then covers other bytes:
    # both reject (the doctor with "not base64url (padded)").
    (
        "padded segments",
        ".".join(p + "=" * (-len(p) % 4) for p in sign(claims_for("id")).split(".")),
        "id",
    ),
    ("no signature", sign(claims_for("id")).rsplit(".", 1)[0] + ".", "id"),
]

# Where the doctor rejects what aws-jwt-verify accepts, by design, and why: none of these is
# a token a Cognito pool issues.
STRICTER: list[tuple[str, str, str | None, str]] = [
    (
        "crit header",
        sign(claims_for("id"), {"crit": ["exp"]}),
        "id",
        "RFC 7515 4.1.11: a crit the recipient does not understand must be rejected",
    ),
    (
        "no exp",
        sign(claims_for("id", exp=None)),
        "id",
        "Cognito always sets exp; a token without one never expires",
    ),
]


def test_named_cases_get_the_verdict_aws_jwt_verify_gives(node_modules: Path) -> None:
    expected = oracle_verdicts([(token, use) for _, token, use in CASES], node_modules)
    mismatches = [
        (name, oracle, doctor_verdict(token, use))
        for (name, token, use), oracle in zip(CASES, expected, strict=True)
        if doctor_verdict(token, use) != oracle
    ]
    assert mismatches == []
    # The oracle does accept the valid ones (the cases are not all rejections).
    assert expected[:5] == ["accepted"] * 5


def test_the_doctor_is_stricter_only_where_it_says_so(node_modules: Path) -> None:
    expected = oracle_verdicts([(token, use) for _, token, use, _ in STRICTER], node_modules)
    for (name, token, use, reason), oracle in zip(STRICTER, expected, strict=True):
        assert oracle == "accepted", (name, reason)
        assert doctor_verdict(token, use) == "rejected", (name, reason)


_OFFSET = st.integers(min_value=-3, max_value=3)
_CLAIMS = st.builds(
    lambda use, iss, exp, nbf, iat, aud, asked: (use, iss, exp, nbf, iat, aud, asked),
    st.sampled_from(["id", "access"]),
    st.sampled_from([ORIGINAL, UPDATED, ORIGINAL + "/", UPDATED.replace(POOL_ID, "eu-west-2_x")]),
    _OFFSET,
    st.one_of(st.none(), _OFFSET),
    st.one_of(st.none(), st.integers(min_value=-3, max_value=900)),
    st.sampled_from([CLIENT_ID, "someotherclient"]),
    st.sampled_from([None, "id", "access"]),
)


def _generated(spec: tuple[Any, ...]) -> tuple[str, str | None]:
    use, iss, exp, nbf, iat, aud, asked = spec
    changes: dict[str, Any] = {"iss": iss, "exp": NOW + exp, "iat": NOW + (iat or -60)}
    if nbf is not None:
        changes["nbf"] = NOW + nbf
    changes["aud" if use == "id" else "client_id"] = aud
    return sign(claims_for(use, **changes)), asked


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=st.lists(_CLAIMS, min_size=25, max_size=25))
def test_generated_tokens_get_the_verdict_aws_jwt_verify_gives(
    node_modules: Path, specs: list[tuple[Any, ...]]
) -> None:
    cases = [_generated(spec) for spec in specs]
    expected = oracle_verdicts(cases, node_modules)
    for spec, (token, use), oracle in zip(specs, cases, expected, strict=True):
        assert doctor_verdict(token, use) == oracle, spec


@pytest.mark.parametrize("name", [name for name, _, _ in CASES])
def test_no_case_gives_a_traceback(name: str) -> None:
    token, use = next((t, u) for n, t, u in CASES if n == name)
    assert doctor_verdict(token, use) in ("accepted", "rejected")
