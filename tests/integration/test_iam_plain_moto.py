"""iam.actions against a plain `moto_server` (no SimulatePrincipalPolicy: it answers an HTML
error page that botocore cannot parse): the verdicts fall back to local evaluation, with the
reason shown, as when the operator may not simulate."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cognito_doctor.demo.sandbox import (
    SANDBOX_OPERATOR_ENV,
    healthy_pool_params,
    service_policy,
    write_env_file,
)
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.support.moto_iam import AuthMoto, iam_report, outcome, running_plain_moto, status

ACCOUNT = "123456789012"
REGION = "eu-west-2"
Run = Callable[..., Report]


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthMoto]:
    with running_plain_moto(tmp_path_factory.mktemp("plain-moto") / "server.log") as moto:
        yield moto


def _root(tmp_path: Path, moto: AuthMoto, document: dict[str, object]) -> Path:
    idp = moto.client("cognito-idp")
    pool_id = idp.create_user_pool(**healthy_pool_params("clinical-platform"))["UserPool"]["Id"]
    iam = moto.client("iam")
    name = f"svc-{tmp_path.name[-12:]}".replace("_", "-")
    iam.create_user(UserName=name)
    policy = json.loads(json.dumps(document).replace("POOL_ID", pool_id))
    iam.put_user_policy(UserName=name, PolicyName="access", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    common = {"COGNITO_USER_POOL_ID": pool_id, "COGNITO_REGION": REGION}
    write_env_file(
        tmp_path / UM_ENV,
        {
            "COGNITO_PROVIDER": "cognito",
            **common,
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        },
    )
    write_env_file(tmp_path / AUTH_ENV, common)
    return tmp_path


def test_plain_moto_server_falls_back_to_local_evaluation(
    plain: AuthMoto, tmp_path: Path, run_report: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in SANDBOX_OPERATOR_ENV.items():
        monkeypatch.setenv(key, value)
    root = _root(tmp_path, plain, service_policy(REGION, ACCOUNT, "POOL_ID"))
    report = iam_report(run_report, root, plain.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.PASS, result.message
    assert "does not implement iam:SimulatePrincipalPolicy" in result.message
    assert "evaluated locally" in result.message
    assert "<html" not in result.message.lower()
    assert result.evidence["method"] == "local"


def test_plain_moto_server_local_verdicts_still_fail_a_wrong_region(
    plain: AuthMoto, tmp_path: Path, run_report: Run
) -> None:
    root = _root(tmp_path, plain, service_policy("us-east-1", ACCOUNT, "POOL_ID"))
    report = iam_report(run_report, root, plain.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL, result.message
    assert "the policy names region us-east-1, the pool is in eu-west-2" in result.message
