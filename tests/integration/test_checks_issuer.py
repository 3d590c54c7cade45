"""issuer.discovery, end to end: against moto's server, against a port where nothing listens,
and against a small loopback HTTP server that answers with the wrong content."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.demo.sandbox import Sandbox, Setup, write_env_file
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.regions import expected_issuer
from tests.conftest import result_of
from tests.support.net import free_port

POOL_ID = "eu-west-2_Q7wErTy12"
REGION = "eu-west-2"
ISSUER = expected_issuer(REGION, POOL_ID)
RSA_KEY = {"kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": "0vx7", "e": "AQAB"}
EC_KEY = {"kty": "EC", "kid": "ec-1", "crv": "P-256", "x": "f83O", "y": "x_FE"}

Route = tuple[int, str]  # status, body


class FakeIssuer:
    """A loopback HTTP server answering each path with a set status and body."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        routes = self.routes

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = routes.get(self.path, (404, '{"message": "not found"}'))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def serve(self, document: object, jwks: object = None, *, status: int = 200) -> None:
        """Serve `document` as the pool's discovery document (a str is sent as it is)."""
        self.routes.clear()
        body = document if isinstance(document, str) else json.dumps(document)
        self.routes[f"/{POOL_ID}/.well-known/openid-configuration"] = (status, body)
        if jwks is not None:
            self.routes["/jwks.json"] = (200, jwks if isinstance(jwks, str) else json.dumps(jwks))


@pytest.fixture(scope="module")
def fake_issuer() -> Iterator[FakeIssuer]:
    fake = FakeIssuer()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def _write_env(root: Path, **auth: str | None) -> None:
    common = {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION}
    write_env_file(root / UM_ENV, {"COGNITO_PROVIDER": "cognito", **common})
    write_env_file(root / AUTH_ENV, {**common, **auth})


def _discovery(run_report: Callable[..., Report], root: Path, endpoint: str) -> Any:
    return result_of(
        run_report(root, endpoint_url=endpoint, only=("issuer.discovery",)), "issuer.discovery"
    )


def _set_auth(setup: Setup, **changes: str | None) -> None:
    auth: dict[str, str | None] = dict(setup.auth_env)
    auth.update(changes)
    write_env_file(setup.root / AUTH_ENV, auth)


# --- against moto ------------------------------------------------------------------------


def test_healthy_pool_passes_with_issuer_and_rsa_keys(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path)
    result = _discovery(run_report, tmp_path, sandbox.endpoint_url)
    outcome = result.outcome
    issuer = expected_issuer(setup.region, setup.pool_id)
    assert outcome.status is Status.PASS, outcome.message
    assert f"issuer {issuer} matches the derived issuer;" in outcome.message
    assert "1 RSA key(s)" in outcome.message
    assert outcome.evidence["url"] == (
        f"{sandbox.endpoint_url}/{setup.pool_id}/.well-known/openid-configuration"
    )
    assert outcome.evidence["key_ids"]


def test_cognito_issuer_matching_the_pool_is_compared_and_passes(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path)
    _set_auth(setup, COGNITO_ISSUER=expected_issuer(setup.region, setup.pool_id))
    outcome = _discovery(run_report, tmp_path, sandbox.endpoint_url).outcome
    assert outcome.status is Status.PASS
    assert "matches the derived issuer and COGNITO_ISSUER" in outcome.message


@pytest.mark.parametrize("wrong", ["trailing-slash", "other-pool"])
def test_cognito_issuer_mismatch_fails_with_the_exact_line(
    wrong: str, sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path)
    issuer = expected_issuer(setup.region, setup.pool_id)
    configured = f"{issuer}/" if wrong == "trailing-slash" else f"{issuer[:-4]}Zz99"
    _set_auth(setup, COGNITO_ISSUER=configured)
    outcome = _discovery(run_report, tmp_path, sandbox.endpoint_url).outcome
    assert outcome.status is Status.FAIL
    assert f"COGNITO_ISSUER={configured} in {AUTH_ENV} is not the pool's issuer {issuer}" in (
        outcome.message
    )
    assert f"In {AUTH_ENV}, set COGNITO_ISSUER={issuer} (or delete the line" in outcome.fix
    assert str(outcome.location) == f"{AUTH_ENV}:4"

    _set_auth(setup, COGNITO_ISSUER=issuer)
    again = _discovery(run_report, tmp_path, sandbox.endpoint_url)
    assert again.outcome.status is Status.PASS


def test_region_that_does_not_match_the_pool_fails_on_the_served_issuer(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    # moto serves the document with the issuer of the pool id's own region (eu-west-2).
    setup = sandbox.create_setup(
        tmp_path,
        um_changes={"COGNITO_REGION": "eu-west-1"},
        auth_changes={"COGNITO_REGION": "eu-west-1"},
    )
    outcome = _discovery(run_report, tmp_path, sandbox.endpoint_url).outcome
    assert outcome.status is Status.FAIL
    assert f"names issuer {expected_issuer('eu-west-2', setup.pool_id)}" in outcome.message
    assert f"expects {expected_issuer('eu-west-1', setup.pool_id)}" in outcome.message
    assert "COGNITO_REGION=eu-west-1" in outcome.message


def test_without_the_auth_file_the_document_is_still_checked(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    sandbox.create_setup(tmp_path)
    (tmp_path / AUTH_ENV).unlink()
    outcome = _discovery(run_report, tmp_path, sandbox.endpoint_url).outcome
    assert outcome.status is Status.PASS
    assert f"{AUTH_ENV} is not readable: COGNITO_ISSUER not compared" in outcome.message


def test_nothing_listening_is_an_error_naming_the_url(
    tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    _write_env(tmp_path)
    endpoint = f"http://127.0.0.1:{free_port()}"
    outcome = _discovery(run_report, tmp_path, endpoint).outcome
    assert outcome.status is Status.ERROR
    assert "could not fetch the pool's discovery document" in outcome.message
    assert f"{endpoint}/{POOL_ID}/.well-known/openid-configuration" in outcome.message
    assert "Connection refused" in outcome.message
    assert "--endpoint-url is running" in outcome.fix


# --- wrong content, from a loopback server ---------------------------------------------


def _document(fake: FakeIssuer, **changes: object) -> dict[str, object]:
    document: dict[str, object] = {"issuer": ISSUER, "jwks_uri": f"{fake.url}/jwks.json"}
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


def test_fake_server_serving_the_right_things_passes(
    fake_issuer: FakeIssuer, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    # The control for the cases below: only what each one breaks makes it fail.
    fake_issuer.serve(_document(fake_issuer), {"keys": [EC_KEY, RSA_KEY]})
    _write_env(tmp_path)
    outcome = _discovery(run_report, tmp_path, fake_issuer.url).outcome
    assert outcome.status is Status.PASS, outcome.message
    assert outcome.evidence["key_ids"] == ["rsa-1"]


@pytest.mark.parametrize(
    ("case", "status", "words"),
    [
        ("no-rsa-key", Status.FAIL, ["has no RSA key (only EC)", "RS256"]),
        ("empty-key-set", Status.FAIL, ["has no RSA key (no keys)"]),
        (
            "other-issuer",
            Status.FAIL,
            [
                "names issuer https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Other1",
                f"expects {ISSUER}",
            ],
        ),
        ("no-issuer", Status.FAIL, ["has no issuer"]),
        ("no-jwks-uri", Status.FAIL, ["the discovery document has no jwks_uri"]),
        ("not-json", Status.FAIL, ["no usable discovery document", "did not return JSON"]),
        ("http-404", Status.FAIL, ["no usable discovery document", "answered HTTP 404"]),
        ("http-503", Status.ERROR, ["could not fetch the pool's discovery document", "HTTP 503"]),
        (
            "jwks-unreachable",
            Status.ERROR,
            [f"issuer {ISSUER} matches", "could not fetch the signing keys"],
        ),
    ],
)
def test_wrong_or_missing_content(
    case: str,
    status: Status,
    words: list[str],
    fake_issuer: FakeIssuer,
    tmp_path: Path,
    run_report: Callable[..., Report],
) -> None:
    good_keys = {"keys": [RSA_KEY]}
    if case == "no-rsa-key":
        fake_issuer.serve(_document(fake_issuer), {"keys": [EC_KEY]})
    elif case == "empty-key-set":
        fake_issuer.serve(_document(fake_issuer), {"keys": []})
    elif case == "other-issuer":
        fake_issuer.serve(
            _document(fake_issuer, issuer=expected_issuer(REGION, "eu-west-2_Other1")), good_keys
        )
    elif case == "no-issuer":
        fake_issuer.serve(_document(fake_issuer, issuer=None), good_keys)
    elif case == "no-jwks-uri":
        fake_issuer.serve(_document(fake_issuer, jwks_uri=None))
    elif case == "not-json":
        fake_issuer.serve("<html>Service Unavailable</html>")
    elif case == "http-404":
        fake_issuer.serve('{"message": "User pool does not exist."}', status=404)
    elif case == "http-503":
        fake_issuer.serve('{"message": "try later"}', status=503)
    elif case == "jwks-unreachable":
        dead = f"http://127.0.0.1:{free_port()}/jwks.json"
        fake_issuer.serve(_document(fake_issuer, jwks_uri=dead))
    _write_env(tmp_path)
    outcome = _discovery(run_report, tmp_path, fake_issuer.url).outcome
    assert outcome.status is status, outcome.message
    for word in words:
        assert word in outcome.message
    assert outcome.fix
