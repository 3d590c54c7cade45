"""creds.identity, end to end through the runner against moto's server.

The session sandbox runs moto with IAM authentication off (any key is accepted), so the
error cases run against a second moto server, started here as a subprocess with
INITIAL_NO_AUTH_ACTION_COUNT: after that many free actions (the setup below) moto checks
every request's key and signature for real, and answers InvalidClientTokenId for a key it
does not know and SignatureDoesNotMatch for a wrong secret.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from cognito_doctor.aws.clients import AwsAccess
from cognito_doctor.demo.sandbox import Sandbox, write_env_file
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.engine.redact import MASK
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.conftest import report_text, result_of
from tests.support.moto_iam import running_auth_moto

POOL_ID = "eu-west-2_Q7wErTy12"
REGION = "eu-west-2"
RUNBOOK_FIX = (
    f"Confirm AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set in {UM_ENV} and the service "
    "restarted"
)


@dataclass(frozen=True)
class AuthMoto:
    """A moto server that authenticates requests, with one IAM user's key and a deleted key."""

    endpoint_url: str
    key_id: str
    secret: str
    user_arn: str
    deleted_key_id: str


@pytest.fixture(scope="module")
def auth_moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthMoto]:
    log = tmp_path_factory.mktemp("auth-moto") / "server.log"
    with running_auth_moto(log) as moto:
        iam = moto.client("iam")
        user = iam.create_user(UserName="clinical-platform-user-mgmt-dev")["User"]
        key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
        iam.create_user(UserName="former-service-user")
        gone = iam.create_access_key(UserName="former-service-user")["AccessKey"]
        iam.delete_access_key(UserName="former-service-user", AccessKeyId=gone["AccessKeyId"])
        # From here on moto authenticates every request.
        moto.enable_auth()
        yield AuthMoto(
            moto.endpoint_url,
            key["AccessKeyId"],
            key["SecretAccessKey"],
            user["Arn"],
            gone["AccessKeyId"],
        )


def _write_env(root: Path, **um: str | None) -> Path:
    values: dict[str, str | None] = {
        "COGNITO_PROVIDER": "cognito",
        "COGNITO_USER_POOL_ID": POOL_ID,
        "COGNITO_REGION": REGION,
    }
    values.update(um)
    write_env_file(root / UM_ENV, values)
    write_env_file(root / AUTH_ENV, {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION})
    return root


def assert_nothing_secret(report: Report, *secrets: str) -> None:
    text = report_text(report)
    for secret in secrets:
        assert secret not in text
    # Nothing had to be masked by the runner either: the check never put a secret in.
    assert MASK not in text


def _identity(run_report: Callable[..., Report], root: Path, endpoint: str) -> Any:
    report = run_report(root, endpoint_url=endpoint, only=("creds.identity",))
    return report, result_of(report, "creds.identity")


# --- pass ------------------------------------------------------------------------------


def test_healthy_keys_report_account_and_principal(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup = sandbox.create_setup(tmp_path)
    report, result = _identity(run_report, tmp_path, sandbox.endpoint_url)
    key_id = setup.um_env["AWS_ACCESS_KEY_ID"]
    assert result.status is Status.PASS
    assert "account 123456789012" in result.outcome.message
    assert ":user/clinical-platform-user-mgmt-dev" in result.outcome.message
    assert f"…{key_id[-4:]}" in result.outcome.message
    assert result.outcome.evidence["arn"].startswith("arn:aws:iam::123456789012:user/")
    assert_nothing_secret(report, key_id, setup.um_env["AWS_SECRET_ACCESS_KEY"])


def test_valid_keys_pass_when_aws_checks_signatures(
    auth_moto: AuthMoto, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    _write_env(tmp_path, AWS_ACCESS_KEY_ID=auth_moto.key_id, AWS_SECRET_ACCESS_KEY=auth_moto.secret)
    report, result = _identity(run_report, tmp_path, auth_moto.endpoint_url)
    assert result.status is Status.PASS, result.outcome.message
    assert auth_moto.user_arn in result.outcome.message
    assert result.outcome.evidence["arn"] == auth_moto.user_arn
    assert_nothing_secret(report, auth_moto.key_id, auth_moto.secret)


# --- errors moto produces for real (IAM authentication on) -----------------------------


@pytest.mark.parametrize("which", ["unknown", "deleted"])
def test_unknown_or_deleted_key_fails_invalid_client_token_id(
    which: str, auth_moto: AuthMoto, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    key_id = "AKIAZZZZZZZZZZZZ4Q2M" if which == "unknown" else auth_moto.deleted_key_id
    _write_env(tmp_path, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY="s" * 40)
    report, result = _identity(run_report, tmp_path, auth_moto.endpoint_url)
    outcome = result.outcome
    assert result.status is Status.FAIL
    assert "(InvalidClientTokenId)" in outcome.message
    assert f"does not recognise the access key …{key_id[-4:]}" in outcome.message
    assert RUNBOOK_FIX in outcome.fix
    assert f"key ending {key_id[-4:]} is listed and Active" in outcome.fix
    assert "restart user-management" in outcome.fix
    assert str(outcome.location) == f"{UM_ENV}:4"  # the AWS_ACCESS_KEY_ID line
    assert outcome.evidence["error_code"] == "InvalidClientTokenId"
    assert_nothing_secret(report, key_id, "s" * 40)


def test_session_token_on_a_long_term_key_is_named(
    auth_moto: AuthMoto, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    token = "FwoGZXIvYXdzEXAMPLETOKEN" + "x" * 40
    _write_env(
        tmp_path,
        AWS_ACCESS_KEY_ID=auth_moto.key_id,
        AWS_SECRET_ACCESS_KEY=auth_moto.secret,
        AWS_SESSION_TOKEN=token,
    )
    report, result = _identity(run_report, tmp_path, auth_moto.endpoint_url)
    outcome = result.outcome
    assert result.status is Status.FAIL
    assert "(InvalidClientTokenId)" in outcome.message
    assert "AWS_SESSION_TOKEN is also set" in outcome.message
    assert "delete AWS_SESSION_TOKEN for a long-term key" in outcome.fix
    assert str(outcome.location) == f"{UM_ENV}:6"  # the AWS_SESSION_TOKEN line
    assert_nothing_secret(report, auth_moto.key_id, auth_moto.secret, token)


def test_wrong_secret_fails_signature_does_not_match(
    auth_moto: AuthMoto, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    wrong = auth_moto.secret[:-4] + "Zz9Q"
    _write_env(tmp_path, AWS_ACCESS_KEY_ID=auth_moto.key_id, AWS_SECRET_ACCESS_KEY=wrong)
    report, result = _identity(run_report, tmp_path, auth_moto.endpoint_url)
    outcome = result.outcome
    assert result.status is Status.FAIL
    assert "(SignatureDoesNotMatch)" in outcome.message
    assert f"AWS knows the access key …{auth_moto.key_id[-4:]}" in outcome.message
    assert "AWS_SECRET_ACCESS_KEY" in outcome.message
    assert RUNBOOK_FIX in outcome.fix
    assert f"created with the key ending {auth_moto.key_id[-4:]}" in outcome.fix
    assert str(outcome.location) == f"{UM_ENV}:5"  # the AWS_SECRET_ACCESS_KEY line
    assert_nothing_secret(report, auth_moto.key_id, auth_moto.secret, wrong)


# --- errors moto cannot produce: botocore's Stubber with AWS's documented error shape ---


def _stub_sts_error(monkeypatch: pytest.MonkeyPatch, code: str, message: str, status: int) -> None:
    """Make the service's sts client answer GetCallerIdentity with this AWS error.

    Only for error codes moto never returns (it does not expire credentials, and STS itself
    answers neither UnrecognizedClientException nor AccessDenied for this call): the rest of
    the run (env files, facts, runner, check) is the real code path.
    """
    original = AwsAccess.service

    def service(self: AwsAccess, name: str, region: str, keys: Any) -> Any:
        client = original(self, name, region, keys)
        if name == "sts":
            stubber = Stubber(client)
            stubber.add_client_error(
                "get_caller_identity",
                service_error_code=code,
                service_message=message,
                http_status_code=status,
            )
            stubber.activate()
        return client

    monkeypatch.setattr(AwsAccess, "service", service)


def test_expired_temporary_keys_fail_expired_token(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
    tmp_path: Path,
    run_report: Callable[..., Report],
) -> None:
    _stub_sts_error(
        monkeypatch, "ExpiredToken", "The security token included in the request is expired", 400
    )
    key_id, secret, token = "ASIAQEXAMPLE7KEY5T3X", "t" * 40, "IQoJb3JpZ2luX2VjEXAMPLE" + "y" * 60
    _write_env(
        tmp_path, AWS_ACCESS_KEY_ID=key_id, AWS_SECRET_ACCESS_KEY=secret, AWS_SESSION_TOKEN=token
    )
    report, result = _identity(run_report, tmp_path, sandbox.endpoint_url)
    outcome = result.outcome
    assert result.status is Status.FAIL
    assert "have expired (ExpiredToken)" in outcome.message
    assert "…5T3X" in outcome.message
    assert 'AWS says: "The security token included in the request is expired"' in outcome.message
    assert RUNBOOK_FIX in outcome.fix
    assert "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN together" in outcome.fix
    assert str(outcome.location) == f"{UM_ENV}:6"
    assert_nothing_secret(report, key_id, secret, token)


def test_unrecognized_client_fails_like_an_unknown_key(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
    tmp_path: Path,
    run_report: Callable[..., Report],
) -> None:
    _stub_sts_error(
        monkeypatch,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        400,
    )
    _write_env(tmp_path, AWS_ACCESS_KEY_ID="AKIAQEXAMPLE7KEY9W1B", AWS_SECRET_ACCESS_KEY="u" * 40)
    report, result = _identity(run_report, tmp_path, sandbox.endpoint_url)
    assert result.status is Status.FAIL
    assert "does not recognise the access key …9W1B" in result.outcome.message
    assert "(UnrecognizedClientException)" in result.outcome.message
    assert RUNBOOK_FIX in result.outcome.fix
    assert_nothing_secret(report, "AKIAQEXAMPLE7KEY9W1B", "u" * 40)


def test_access_denied_is_an_error_not_a_verdict_on_the_keys(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
    tmp_path: Path,
    run_report: Callable[..., Report],
) -> None:
    _stub_sts_error(
        monkeypatch,
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/svc is not authorized to perform: "
        "sts:GetCallerIdentity with an explicit deny in a service control policy",
        403,
    )
    _write_env(tmp_path, AWS_ACCESS_KEY_ID="AKIAQEXAMPLE7KEY2D8C", AWS_SECRET_ACCESS_KEY="v" * 40)
    report, result = _identity(run_report, tmp_path, sandbox.endpoint_url)
    assert result.status is Status.ERROR
    assert "refused sts:GetCallerIdentity (AccessDenied)" in result.outcome.message
    assert "service control policy" in result.outcome.message
    assert RUNBOOK_FIX in result.outcome.fix
    assert_nothing_secret(report, "AKIAQEXAMPLE7KEY2D8C", "v" * 40)


def test_other_aws_errors_are_errors_naming_the_code(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
    tmp_path: Path,
    run_report: Callable[..., Report],
) -> None:
    _stub_sts_error(
        monkeypatch,
        "RegionDisabledException",
        "STS is not activated in this region for account:123456789012.",
        403,
    )
    _write_env(tmp_path, AWS_ACCESS_KEY_ID="AKIAQEXAMPLE7KEY6H4J", AWS_SECRET_ACCESS_KEY="w" * 40)
    _, result = _identity(run_report, tmp_path, sandbox.endpoint_url)
    assert result.status is Status.ERROR
    assert "failed with RegionDisabledException" in result.outcome.message
    assert "…6H4J" in result.outcome.message


def test_without_static_keys_the_check_skips_and_says_why(
    sandbox: Sandbox, tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    sandbox.create_setup(tmp_path, um_changes={"AWS_ACCESS_KEY_ID": None})
    _, result = _identity(run_report, tmp_path, sandbox.endpoint_url)
    assert result.status is Status.SKIP
    assert "no static AWS keys" in result.outcome.message
    assert "env.aws-credentials" in result.outcome.message
