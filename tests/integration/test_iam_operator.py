"""The iam checks with an operator that may not do everything, against a moto server that
enforces IAM (tests/support/moto_iam.py: a subprocess with authentication switched on
after setup, its SimulatePrincipalPolicy answered like the sandbox's).

- An operator without iam:SimulatePrincipalPolicy but allowed to read IAM: the principal's
  policies are evaluated locally, the result says so and what that can't see.
- An operator that may do neither: `error`, naming the exact permissions it needs.
- --probe with the service's own keys: AccessDeniedException means denied for real.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.demo.sandbox import healthy_pool_params, service_policy, write_env_file
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.iam import USER_READ_PERMISSIONS
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.conftest import report_text
from tests.support.moto_iam import (
    SIX,
    AuthMoto,
    iam_report,
    json_blocks,
    outcome,
    running_auth_moto,
    status,
)

ACCOUNT = "123456789012"
REGION = "eu-west-2"
Run = Callable[..., Report]


@dataclass(frozen=True)
class Keys:
    key_id: str
    secret: str
    arn: str


@dataclass(frozen=True)
class World:
    moto: AuthMoto
    pool_id: str
    operators: dict[str, Keys]
    services: dict[str, Keys]

    @property
    def pool_arn(self) -> str:
        return f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{self.pool_id}"


def _user(iam: Any, name: str, document: dict[str, Any] | None) -> Keys:
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if document is not None:
        iam.put_user_policy(UserName=name, PolicyName="access", PolicyDocument=json.dumps(document))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return Keys(key["AccessKeyId"], key["SecretAccessKey"], arn)


def _allow(actions: Any, resource: Any = "*") -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with running_auth_moto(tmp_path_factory.mktemp("auth-moto") / "server.log") as moto:
        idp = moto.client("cognito-idp")
        pool_id = idp.create_user_pool(**healthy_pool_params("clinical-platform"))["UserPool"]["Id"]
        iam = moto.client("iam")
        operators = {
            # IAM reads, but not iam:SimulatePrincipalPolicy.
            "reader": _user(iam, "operator-reader", _allow(["iam:Get*", "iam:List*"])),
            # Nothing in IAM at all.
            "blind": _user(iam, "operator-blind", _allow("cognito-idp:Describe*")),
            "admin": _user(iam, "operator-admin", _allow("*")),
        }
        five = service_policy(REGION, ACCOUNT, pool_id)
        five["Statement"][0]["Action"].remove("cognito-idp:AdminDeleteUser")
        services = {
            "healthy": _user(iam, "svc-healthy", service_policy(REGION, ACCOUNT, pool_id)),
            "wrong-region": _user(
                iam, "svc-wrong-region", service_policy("us-east-1", ACCOUNT, pool_id)
            ),
            "no-delete": _user(iam, "svc-no-delete", five),
        }
        moto.enable_auth()
        yield World(moto, pool_id, operators, services)


@pytest.fixture
def as_operator(monkeypatch: pytest.MonkeyPatch, world: World) -> Callable[[str], None]:
    def use(name: str) -> None:
        keys = world.operators[name]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", keys.key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", keys.secret)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)

    return use


def _root(tmp_path: Path, world: World, service: str) -> Path:
    keys = world.services[service]
    common = {"COGNITO_USER_POOL_ID": world.pool_id, "COGNITO_REGION": REGION}
    write_env_file(
        tmp_path / UM_ENV,
        {
            "COGNITO_PROVIDER": "cognito",
            **common,
            "AWS_ACCESS_KEY_ID": keys.key_id,
            "AWS_SECRET_ACCESS_KEY": keys.secret,
        },
    )
    write_env_file(tmp_path / AUTH_ENV, common)
    return tmp_path


def test_the_auth_server_really_denies_the_simulation(world: World) -> None:
    reader = world.operators["reader"]
    iam = world.moto.client("iam", reader.key_id, reader.secret)
    with pytest.raises(iam.exceptions.ClientError, match="AccessDenied"):
        iam.simulate_principal_policy(
            PolicySourceArn=world.services["healthy"].arn, ActionNames=list(SIX)
        )


def test_without_simulate_permission_the_policies_are_evaluated_locally(
    world: World, as_operator: Callable[[str], None], tmp_path: Path, run_report: Run
) -> None:
    as_operator("reader")
    report = iam_report(run_report, _root(tmp_path, world, "wrong-region"), world.moto.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL, result.message
    assert (
        "evaluated locally from the principal's identity policies, because the operator may "
        "not call iam:SimulatePrincipalPolicy (AccessDenied)" in result.message
    )
    assert "can't see service control policies (AWS Organizations), permissions boundaries" in (
        result.message
    )
    assert "the policy names region us-east-1, the pool is in eu-west-2" in result.message
    assert result.evidence["method"] == "local"
    assert json_blocks(result.fix) == [
        {"Effect": "Allow", "Action": list(SIX), "Resource": world.pool_arn}
    ]
    assert result.fix_command.startswith(
        f"aws iam put-user-policy --region eu-west-2 "
        f"--endpoint-url {world.moto.endpoint_url} --user-name svc-wrong-region "
    )


def test_local_evaluation_passes_a_healthy_principal_and_says_how(
    world: World, as_operator: Callable[[str], None], tmp_path: Path, run_report: Run
) -> None:
    as_operator("reader")
    report = iam_report(run_report, _root(tmp_path, world, "healthy"), world.moto.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.PASS, result.message
    assert "all 6 actions are allowed" in result.message
    assert "evaluated locally" in result.message
    assert status(report, "iam.least-privilege") is Status.PASS


def test_an_operator_that_can_neither_simulate_nor_read_errors_naming_the_permissions(
    world: World, as_operator: Callable[[str], None], tmp_path: Path, run_report: Run
) -> None:
    as_operator("blind")
    report = iam_report(run_report, _root(tmp_path, world, "healthy"), world.moto.endpoint_url)
    # The principal is still known (GetUser is denied: its ARN is used as STS reports it), but
    # IAM's record of it wasn't read: a warning that says so, not a pass.
    assert status(report, "iam.principal") is Status.WARN
    assert "the ARN was not verified" in outcome(report, "iam.principal").message
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.ERROR
    assert "the operator may not call iam:SimulatePrincipalPolicy (AccessDenied)" in result.message
    assert "the operator may not call iam:ListGroupsForUser (AccessDenied)" in result.message
    assert f"Grant the operator iam:SimulatePrincipalPolicy on {world.services['healthy'].arn}" in (
        result.fix
    )
    for permission in USER_READ_PERMISSIONS:
        assert permission in result.fix
    assert status(report, "iam.least-privilege") is Status.ERROR


def test_probe_denied_for_real_is_reported_per_action(
    world: World, as_operator: Callable[[str], None], tmp_path: Path, run_report: Run
) -> None:
    as_operator("admin")
    service = world.services["no-delete"]
    report = iam_report(
        run_report, _root(tmp_path, world, "no-delete"), world.moto.endpoint_url, probe=True
    )
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert "1 of 6 actions are denied" in result.message
    assert "AdminDeleteUser         implicitDeny; probe: denied (AccessDenied" in result.message
    assert "AdminGetUser            allowed; probe: allowed (UserNotFoundException)" in (
        result.message
    )
    assert result.evidence["probe"]["AdminDeleteUser"] == "denied"
    text = report_text(report)
    assert service.secret not in text and service.key_id not in text


def test_an_operator_who_may_not_describe_the_pool_gets_errors_naming_the_permission(
    world: World, as_operator: Callable[[str], None], tmp_path: Path, run_report: Run
) -> None:
    # "reader" may read IAM but may call nothing in cognito-idp.
    as_operator("reader")
    root = _root(tmp_path, world, "healthy")
    write_env_file(
        root / AUTH_ENV,
        {
            "COGNITO_USER_POOL_ID": world.pool_id,
            "COGNITO_REGION": REGION,
            "COGNITO_APP_CLIENT_ID": "1abc23def456ghi789jkl012mn",
        },
    )
    report = run_report(root, endpoint_url=world.moto.endpoint_url)
    pool_results = [r for r in report.results if r.spec.group == "pool"]
    assert pool_results
    # One missing permission, said once: on pool.exists, which names it; every other pool
    # check is skipped "see pool.exists", keeping what it would have said.
    exists = outcome(report, "pool.exists")
    assert status(report, "pool.exists") is Status.ERROR
    assert "may not call cognito-idp:DescribeUserPool" in exists.message
    assert "cognito-idp:DescribeUserPool" in exists.fix
    for result in pool_results:
        if result.spec.id in ("pool.exists", "pool.deletion-protection"):
            continue  # pool.deletion-protection: prod only
        assert result.status is Status.SKIP, result.spec.id
        assert result.outcome.message == "couldn't verify: see pool.exists"
        assert "may not call cognito-idp:DescribeUserPool" in result.outcome.evidence["reason"]
    [root] = [r for r in report.root_causes if r.check_id == "pool.exists"]
    assert root.cause.key == "access-denied cognito-idp:DescribeUserPool the operator"
    client = outcome(report, "client.exists")
    assert status(report, "client.exists") is Status.ERROR
    assert "may not call cognito-idp:DescribeUserPoolClient" in client.message
    # What the operator's permissions don't touch still gets its own verdict.
    assert status(report, "env.provider") is Status.PASS
    assert status(report, "creds.identity") is Status.PASS
