"""Issue 14: the facts an error text names move the verdicts. Each is compared with the .env
files (offline too) and, online, with AWS (moto's server over HTTP, through the CLI): the
principal against sts:GetCallerIdentity of the service's keys, pools against DescribeUserPool,
clients against DescribeUserPoolClient. What AWS could not answer is "couldn't check"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cognito_doctor.demo.sandbox import Sandbox, Setup, healthy_pool_params, write_env_file
from cognito_doctor.oncall.triage import CONFIRMED, POSSIBLE, RULED_OUT, UNCHECKED
from cognito_doctor.oncall.triage_report import triage_schema
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.integration.test_triage import UNKNOWN_CLIENT_ID, diagnosis, run, run_json, top
from tests.support.moto_iam import AuthMoto, running_auth_moto, service_caller

OTHER_CONFIG = "service-runs-other-config"
OTHER_KEYS = "process-runs-other-keys"


@pytest.fixture
def healthy(sandbox: Sandbox, tmp_path: Path) -> Setup:
    return sandbox.create_setup(tmp_path / "healthy")


def denied(principal: str, account: str, region: str, pool_id: str) -> str:
    """AccessDeniedException's message as Cognito words it (IAM User Guide's format)."""
    return (
        f"AccessDeniedException: User: {principal} is not authorized to perform: "
        f"cognito-idp:AdminCreateUser on resource: arn:aws:cognito-idp:{region}:{account}:"
        f"userpool/{pool_id} because no identity-based policy allows the "
        "cognito-idp:AdminCreateUser action"
    )


def fact_evidence(found: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["subject"]: e for e in found["evidence"] if e["kind"] == "fact"}


def bearings(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["subject"], f["bearing"]) for f in report["findings"]}


def test_access_denied_on_another_pool_leads_with_the_old_configuration(
    sandbox: Sandbox, healthy: Setup
) -> None:
    me = service_caller(sandbox, healthy)
    other_pool = f"{healthy.region}_ZZotherPool9"
    text = denied(me["Arn"], me["Account"], healthy.region, other_pool)
    code, report = run_json(healthy, sandbox, text)
    jsonschema.validate(report, triage_schema())
    assert code == 1
    lead = report["diagnoses"][0]
    assert lead["id"] == OTHER_CONFIG
    assert lead["verdict"] == CONFIRMED
    assert lead["score"] == 0 and lead["matched"] == ["the text's pool_id (differs)"]
    pool = fact_evidence(lead)["pool_id"]
    assert pool["role"] == "confirms"
    assert f"names pool {other_pool} but COGNITO_USER_POOL_ID" in pool["message"]
    assert "(services/user-management/.env:2)" in pool["message"]
    # The policy is right for the pool the .env files name: not the cause.
    assert diagnosis(report, "access-denied-resource-arn")["verdict"] == RULED_OUT
    # AWS: no such pool, and the principal is the identity of the .env's keys.
    assert ("pool_in_aws", "invalid") in bearings(report)
    assert ("principal", "agrees") in bearings(report)
    # The .env files' pool is right: "copy another pool id into the files" is not offered.
    assert "pool-not-found" not in {d["id"] for d in report["diagnoses"]}


def test_offline_the_env_files_alone_confirm_the_old_configuration(healthy: Setup) -> None:
    text = denied(
        "arn:aws:iam::123456789012:user/svc", "123456789012", healthy.region, "eu-west-2_Old1"
    )
    code, out, err = run(
        text, "--root", str(healthy.root), "--offline", "--endpoint-url", "http://127.0.0.1:9"
    )
    assert code == 1, err
    first = " ".join(out.split("\n\n")[1].split())
    assert f"CONFIRMED {OTHER_CONFIG}" in first
    assert "--offline: the text against the .env files; no check was run" in first
    # The header says so too, instead of "from the text alone".
    assert "the diagnosis comes from the text and the .env files" in " ".join(out.split())
    # No AWS comparison offline: nothing about the pool's existence or the principal.
    assert "DescribeUserPool" not in out and "GetCallerIdentity" not in out


def test_the_same_pool_rules_the_old_configuration_out(sandbox: Sandbox, healthy: Setup) -> None:
    code, report = run_json(
        healthy,
        sandbox,
        f"auth wasn't restarted? ResourceNotFoundException: User pool {healthy.pool_id} "
        "does not exist.",
    )
    jsonschema.validate(report, triage_schema())
    stale = diagnosis(report, OTHER_CONFIG)
    assert stale["verdict"] == RULED_OUT
    assert fact_evidence(stale)["pool_id"]["status"] == "agrees"
    # The pool exists in AWS: the "pool not found" cause is ruled out too.
    assert diagnosis(report, "pool-not-found")["verdict"] == RULED_OUT
    assert ("pool_in_aws", "agrees") in bearings(report)
    assert code == 0


def test_a_deleted_pool_is_confirmed_by_aws(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = sandbox.create_setup(tmp_path / "gone")
    sandbox.client("cognito-idp").delete_user_pool(UserPoolId=setup.pool_id)
    code, report = run_json(
        setup, sandbox, f"ResourceNotFoundException: User pool {setup.pool_id} does not exist."
    )
    found = top(report)
    assert found["id"] == "pool-not-found" and found["verdict"] == CONFIRMED
    assert fact_evidence(found)["pool_in_aws"]["status"] == "invalid"
    assert ("pool_id", "agrees") in bearings(report)
    assert code == 1


def test_another_principal_confirms_the_process_runs_other_keys(
    sandbox: Sandbox, healthy: Setup
) -> None:
    me = service_caller(sandbox, healthy)
    stranger = f"arn:aws:iam::{me['Account']}:user/someone-else"
    code, report = run_json(
        healthy, sandbox, denied(stranger, me["Account"], healthy.region, healthy.pool_id)
    )
    jsonschema.validate(report, triage_schema())
    lead = report["diagnoses"][0]
    assert lead["id"] == OTHER_KEYS and lead["verdict"] == CONFIRMED
    principal = fact_evidence(lead)["principal"]
    assert stranger in principal["message"] and me["Arn"] in principal["message"]
    assert "…" + healthy.um_env["AWS_ACCESS_KEY_ID"][-4:] in principal["message"]
    assert healthy.um_env["AWS_ACCESS_KEY_ID"] not in json.dumps(report)
    # The pool is the .env files' one: not an old configuration.
    assert OTHER_CONFIG not in {d["id"] for d in report["diagnoses"]}
    assert code == 1


def test_an_unknown_client_is_checked_against_the_configured_pool(
    sandbox: Sandbox, healthy: Setup
) -> None:
    code, report = run_json(
        healthy,
        sandbox,
        f"ResourceNotFoundException: User pool client {UNKNOWN_CLIENT_ID} does not exist.",
    )
    jsonschema.validate(report, triage_schema())
    assert ("client_in_pool", "invalid") in bearings(report)
    lead = report["diagnoses"][0]
    assert lead["id"] == OTHER_CONFIG and lead["verdict"] == CONFIRMED
    assert fact_evidence(lead)["client_id"]["status"] == "differs"
    # COGNITO_APP_CLIENT_ID is a client of the pool: AWS's answer only suggests this cause.
    assert diagnosis(report, "app-client-not-found")["verdict"] == POSSIBLE
    assert code == 1
    code, report = run_json(
        healthy,
        sandbox,
        f"ResourceNotFoundException: User pool client {healthy.client_id} does not exist.",
    )
    assert ("client_in_pool", "agrees") in bearings(report)
    assert diagnosis(report, "app-client-not-found")["verdict"] == RULED_OUT


def test_no_answer_from_aws_is_couldnt_check_never_agrees(healthy: Setup) -> None:
    # Nothing listens on port 9: every AWS call fails to connect.
    _, out, err = run(
        f"ResourceNotFoundException: User pool {healthy.pool_id} does not exist. client_id: "
        f"{healthy.client_id}",
        "--root",
        str(healthy.root),
        "--endpoint-url",
        "http://127.0.0.1:9",
        "--format",
        "json",
    )
    assert "Traceback" not in err
    report = json.loads(out)
    jsonschema.validate(report, triage_schema())
    assert not {s for s, _ in bearings(report)} & {"pool_in_aws", "client_in_pool"}
    notes = report["notes"]
    assert any(f"couldn't check whether pool {healthy.pool_id} exists" in n for n in notes)
    assert any(f"couldn't check whether {healthy.client_id}" in n for n in notes)
    found = diagnosis(report, "pool-not-found")
    assert found["verdict"] == UNCHECKED
    assert fact_evidence(found)["pool_in_aws"]["role"] == "unknown"


# --- an operator AWS refuses: AccessDeniedException is "couldn't check" -------------------


@pytest.fixture(scope="module")
def refusing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AuthMoto, str, Any]]:
    """moto enforcing IAM, a pool, and an operator that may read IAM but nothing of Cognito."""
    with running_auth_moto(tmp_path_factory.mktemp("auth-moto") / "server.log") as moto:
        idp = moto.client("cognito-idp")
        pool_id = idp.create_user_pool(**healthy_pool_params("clinical-platform"))["UserPool"]["Id"]
        iam = moto.client("iam")
        iam.create_user(UserName="operator-no-cognito")
        iam.put_user_policy(
            UserName="operator-no-cognito",
            PolicyName="iam-only",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}],
                }
            ),
        )
        key = iam.create_access_key(UserName="operator-no-cognito")["AccessKey"]
        moto.enable_auth()
        yield moto, pool_id, key


def test_access_denied_to_the_operator_is_couldnt_check(
    refusing: tuple[AuthMoto, str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moto, pool_id, key = refusing
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    common = {"COGNITO_USER_POOL_ID": pool_id, "COGNITO_REGION": "eu-west-2"}
    write_env_file(tmp_path / UM_ENV, {"COGNITO_PROVIDER": "cognito", **common})
    write_env_file(tmp_path / AUTH_ENV, {**common, "COGNITO_APP_CLIENT_ID": UNKNOWN_CLIENT_ID})
    _, out, err = run(
        f"ResourceNotFoundException: User pool {pool_id} does not exist.",
        "--root",
        str(tmp_path),
        "--endpoint-url",
        moto.endpoint_url,
        "--format",
        "json",
    )
    assert "Traceback" not in err
    report = json.loads(out)
    assert ("pool_in_aws", "agrees") not in bearings(report)
    assert ("pool_in_aws", "invalid") not in bearings(report)
    note = next(n for n in report["notes"] if f"couldn't check whether pool {pool_id}" in n)
    assert "may not call cognito-idp:DescribeUserPool" in note
    assert diagnosis(report, "pool-not-found")["verdict"] == UNCHECKED
    assert key["SecretAccessKey"] not in out
