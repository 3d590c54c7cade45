"""`triage` on the error texts the real npm `aws-jwt-verify` 5 produces (issue 14): every way
services/auth rejects a token, made to happen on generated inputs, each error captured as the
service logs it, and fed to `cognito-doctor triage --offline`: each must route to its entry.

The package's errors keep Error's own `name` ("Error"): `${err.name}: ${err.message}` is
"Error: Token expired at …", and only util.inspect (console.error, most loggers) prints the
class (`JwtExpiredError: …`). So each case is triaged in three forms: the name and message,
the same in a NestJS Logger line, and util.inspect's first line.
"""

from __future__ import annotations

import json
import random
import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from joserfc.jwk import OctKey

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.oracles.conftest import run_node
from tests.oracles.test_aws_jwt_verify import (
    CLIENT_ID,
    NOW,
    ORIGINAL,
    OTHER_KEY,
    POOL_ID,
    REGION,
    claims_for,
    sign,
    verify_request,
)

VARIANTS = 4  # generated inputs per error class

CAPTURE = """
const { CognitoJwtVerifier, JwtVerifier } = require('aws-jwt-verify');
const util = require('util');
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const realNow = Date.now;
const caught = (err) => ({
  named: `${err.name}: ${err.message}`,
  inspected: util.inspect(err).split('\\n')[0],
  cls: err.constructor.name,
});
(async () => {
  const out = [];
  for (const c of cases) {
    Date.now = () => c.now * 1000;
    try {
      if (c.jwksUri) {
        // The same fetcher CognitoJwtVerifier uses, pointed at a closed loopback port.
        const verifier = JwtVerifier.create({
          issuer: c.issuer, audience: null, jwksUri: c.jwksUri,
        });
        await verifier.verify(c.token);
      } else {
        const verifier = CognitoJwtVerifier.create({
          userPoolId: c.userPoolId, clientId: c.clientId, tokenUse: c.tokenUse,
        });
        verifier.cacheJwks(c.jwks);
        verifier.verifySync(c.token);
      }
      out.push({ accepted: true });
    } catch (err) {
      out.push(caught(err));
    } finally {
      Date.now = realNow;
    }
  }
  process.stdout.write(JSON.stringify(out));
})();
"""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


def _other_pool(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
    return f"{REGION}_" + "".join(rng.choice(letters) for _ in range(9))


def _other_client(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(26))


def _unparsable(rng: random.Random) -> str:
    good = sign(claims_for("id")).split(".")
    return rng.choice(
        [
            "not-a-jwt-" + _other_client(rng),
            f"{good[0]}.{good[1]}",
            f"{good[0]}.{good[1]}.{good[2]}.{good[2][:8]}",
            "eyJub3QganNvbg." + good[1] + "." + good[2],
        ]
    )


def generated_cases(rng: random.Random) -> list[tuple[str, str, dict[str, Any]]]:
    """(error class, the entry it must route to, the oracle's input) for every way the
    verifier rejects a token, VARIANTS times each with random values."""
    cases: list[tuple[str, str, dict[str, Any]]] = []
    for _ in range(VARIANTS):
        use = rng.choice(["id", "access"])
        key_id = rng.choice(["k2", "kid-" + _other_client(rng)[:8]])
        hs_key = OctKey.import_key(_other_client(rng).encode())
        signed = {
            "expired": sign(claims_for(use, exp=NOW - rng.randint(1, 10**6))),
            "wrong client": sign(
                claims_for(use, **{"aud" if use == "id" else "client_id": _other_client(rng)})
            ),
            "wrong issuer": sign(
                claims_for(
                    use, iss=f"https://cognito-idp.{REGION}.amazonaws.com/{_other_pool(rng)}"
                )
            ),
            "wrong token_use": sign(claims_for("access" if use == "id" else "id")),
            "bad signature": sign(claims_for(use), key=OTHER_KEY),
            "unknown kid": sign(claims_for(use), {"kid": key_id}),
            "not yet valid": sign(claims_for(use, nbf=NOW + rng.randint(60, 10**5))),
            "unparsable": _unparsable(rng),
            "wrong alg": sign(claims_for(use), {"alg": rng.choice(["HS256", "HS512"])}, hs_key),
        }
        expected = {
            "expired": "token-expired",
            "wrong client": "token-audience",
            "wrong issuer": "token-issuer",
            "wrong token_use": "token-use",
            "bad signature": "token-signing-key",
            "unknown kid": "token-signing-key",
            "not yet valid": "token-not-yet-valid",
            "unparsable": "jwt-malformed",
            "wrong alg": "jwt-signature-algorithm",
        }
        for name, token in signed.items():
            cases.append((name, expected[name], verify_request(token, use)))
        jwks_uri = f"https://127.0.0.1:{_closed_port()}/{POOL_ID}/.well-known/jwks.json"
        fetch = {"token": sign(claims_for(use)), "issuer": ORIGINAL, "jwksUri": jwks_uri}
        cases.append(("JWKS fetch failure", "jwks-fetch-failed", fetch | {"now": NOW}))
    return cases


def _root(tmp_path: Path) -> Path:
    common = {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION}
    write_env_file(tmp_path / UM_ENV, {"COGNITO_PROVIDER": "cognito", **common})
    write_env_file(tmp_path / AUTH_ENV, {**common, "COGNITO_APP_CLIENT_ID": CLIENT_ID})
    return tmp_path


def _lead(text: str, root: Path) -> str:
    result = CliRunner().invoke(
        main, ["triage", text, "--offline", "--root", str(root), "--format", "json"]
    )
    assert "Traceback" not in result.stderr, result.stderr
    report = json.loads(result.stdout)
    assert report["diagnoses"], f"no diagnosis for {text!r}"
    first: str = report["diagnoses"][0]["id"]
    return first


def _nest(line: str) -> str:
    """services/auth's NestJS Logger.error line around the error."""
    return (
        f"[Nest] 4242  - 12/02/2026, 10:11:12 AM   ERROR [JwtAuthGuard] "
        f"Token verification failed: {line}"
    )


@pytest.fixture(scope="module")
def captured(node_modules: Path) -> list[tuple[str, str, dict[str, Any]]]:
    cases = generated_cases(random.Random(14))
    answers = run_node(CAPTURE, node_modules, [payload for _, _, payload in cases])
    assert len(answers) == len(cases)
    return [(name, entry, answer) for (name, entry, _), answer in zip(cases, answers, strict=True)]


def test_the_oracle_rejects_every_generated_token_with_its_own_error(
    captured: list[tuple[str, str, dict[str, Any]]],
) -> None:
    classes: dict[str, set[str]] = {}
    for name, _, answer in captured:
        assert "accepted" not in answer, name
        classes.setdefault(name, set()).add(answer["cls"])
    assert len(captured) == 10 * VARIANTS
    # The error classes the package gives each way of breaking a token.
    assert classes["expired"] == {"JwtExpiredError"}
    assert classes["not yet valid"] == {"JwtNotBeforeError"}
    assert classes["unparsable"] == {"JwtParseError"}
    assert classes["JWKS fetch failure"] <= {"FetchError", "NonRetryableFetchError"}
    assert all(a["named"].startswith("Error: ") for _, _, a in captured)


def test_every_real_verifier_error_routes_to_its_entry(
    captured: list[tuple[str, str, dict[str, Any]]], tmp_path: Path
) -> None:
    root = _root(tmp_path)
    wrong: list[str] = []
    for name, entry, answer in captured:
        for form, text in (
            ("name: message", answer["named"]),
            ("NestJS line", _nest(answer["named"])),
            ("util.inspect", answer["inspected"]),
        ):
            lead = _lead(text, root)
            if lead != entry:
                wrong.append(f"{name} ({form}) {text!r}: {lead}, not {entry}")
    assert not wrong, "\n".join(wrong)
