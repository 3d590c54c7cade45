"""iam.policy-file: a policy JSON checked offline against the `.env` pool, findings with file
and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.engine.model import Report, Status
from cognito_doctor.iam.policies import decode_document
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.support.moto_iam import SIX, json_blocks, outcome, status

POOL_ID = "eu-west-2_Q7wErTy12"
REGION = "eu-west-2"
Run = Callable[..., Report]

# The runbook's step-2 policy exactly as a person pastes it, placeholders and all.
RUNBOOK_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "cognito-idp:AdminCreateUser",
        "cognito-idp:AdminDisableUser",
        "cognito-idp:AdminEnableUser",
        "cognito-idp:AdminDeleteUser",
        "cognito-idp:AdminResetUserPassword",
        "cognito-idp:AdminGetUser"
      ],
      "Resource": "arn:aws:cognito-idp:<REGION>:<ACCOUNT_ID>:userpool/<USER_POOL_ID>"
    }
  ]
}
"""
FILLED = RUNBOOK_POLICY.replace("<REGION>", REGION).replace("<ACCOUNT_ID>", "123456789012")
FILLED = FILLED.replace("<USER_POOL_ID>", POOL_ID)
RESOURCE_LINE = 14


@pytest.fixture
def root(tmp_path: Path) -> Path:
    common = {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION}
    write_env_file(tmp_path / UM_ENV, {"COGNITO_PROVIDER": "cognito", **common})
    write_env_file(tmp_path / AUTH_ENV, common)
    return tmp_path


def check_file(
    run_report: Run, root: Path, text: str, name: str = "infra/iam/user-mgmt.json"
) -> Report:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return run_report(root, offline=True, only=("iam.policy-file",), policy_file=path)


def test_the_runbook_policy_with_placeholders_left_fails_naming_the_line(
    root: Path, run_report: Run
) -> None:
    report = check_file(run_report, root, RUNBOOK_POLICY)
    result = outcome(report, "iam.policy-file")
    assert status(report, "iam.policy-file") is Status.FAIL
    assert str(result.location) == f"infra/iam/user-mgmt.json:{RESOURCE_LINE}"
    assert f"line {RESOURCE_LINE}: Resource arn:aws:cognito-idp:<REGION>" in result.message
    assert "the placeholder <REGION> was never replaced (the region is eu-west-2)" in result.message
    assert f"the placeholder <USER_POOL_ID> was never replaced (the pool id is {POOL_ID})" in (
        result.message
    )
    assert "the placeholder <ACCOUNT_ID> was never replaced" in result.message
    [corrected] = json_blocks(result.fix)
    assert corrected["Statement"] == [
        {
            "Effect": "Allow",
            "Action": list(SIX),
            "Resource": f"arn:aws:cognito-idp:{REGION}:<ACCOUNT_ID>:userpool/{POOL_ID}",
        }
    ]
    assert "aws sts get-caller-identity --query Account --output text" in result.fix


def test_a_filled_in_policy_passes(root: Path, run_report: Run) -> None:
    report = check_file(run_report, root, FILLED)
    result = outcome(report, "iam.policy-file")
    assert status(report, "iam.policy-file") is Status.PASS, result.message
    assert (
        f"allows all 6 actions on arn:aws:cognito-idp:{REGION}:123456789012:userpool/{POOL_ID}"
        in (result.message)
    )


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (
            (f"{REGION}:1234", "us-east-1:1234"),
            RESOURCE_LINE,
            "the policy names region us-east-1, the pool is in eu-west-2",
        ),
        (
            (POOL_ID, "eu-west-2_AbCdEf123"),
            RESOURCE_LINE,
            "the runbook's example pool id eu-west-2_AbCdEf123",
        ),
        (
            ("123456789012", "12345678"),
            RESOURCE_LINE,
            "account 12345678, which is not a 12-digit account id",
        ),
        (
            ('        "cognito-idp:AdminGetUser"\n', ""),
            3,
            "AdminGetUser is missing from every Allow statement",
        ),
    ],
)
def test_each_mistake_is_named_with_its_line(
    change: tuple[str, str], line: int, words: str, root: Path, run_report: Run
) -> None:
    text = FILLED.replace(*change)
    if change[0].startswith('        "cognito-idp:AdminGetUser"'):
        text = text.replace(
            '"cognito-idp:AdminResetUserPassword",', '"cognito-idp:AdminResetUserPassword"'
        )
    report = check_file(run_report, root, text)
    result = outcome(report, "iam.policy-file")
    assert status(report, "iam.policy-file") is Status.FAIL, result.message
    assert f"line {line}: " in result.message and words in result.message
    assert result.location.line == line
    [corrected] = json_blocks(result.fix)
    assert corrected["Statement"][0]["Action"] == list(SIX)
    assert corrected["Statement"][0]["Resource"] in (
        f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/{POOL_ID}",
        f"arn:aws:cognito-idp:{REGION}:<ACCOUNT_ID>:userpool/{POOL_ID}",  # no valid account
    )


def test_invalid_json_fails_at_the_line_of_the_error(root: Path, run_report: Run) -> None:
    broken = FILLED.replace('"cognito-idp:AdminGetUser"\n', '"cognito-idp:AdminGetUser",\n')
    report = check_file(run_report, root, broken)
    result = outcome(report, "iam.policy-file")
    assert status(report, "iam.policy-file") is Status.FAIL
    assert "is not valid JSON" in result.message
    assert result.location.line == 13  # the `]` after the trailing comma
    assert "trailing comma" in result.fix
    assert f"userpool/{POOL_ID}" in result.fix  # the runbook policy with this pool's values


def test_a_policy_nested_past_any_hand_written_one_is_refused_before_parsing(
    root: Path, run_report: Run
) -> None:
    deep = '{"Version": "2012-10-17", "Statement": ' + "[" * 5000 + "]" * 5000 + "}"
    result = outcome(check_file(run_report, root, deep), "iam.policy-file")
    assert result.status is Status.FAIL
    assert "nested more than" in result.message
    assert "missing comma" not in result.fix  # it isn't one


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("%7B%22a%22%3A" + "%5B" * 5000 + "%5D" * 5000 + "%7D", "nested more than"),
        ("%5B%5D", "JSON but not an object"),
        ("not json%", "is not JSON"),
    ],
)
def test_a_policy_document_iam_returns_garbled_is_a_clear_error(raw: str, words: str) -> None:
    # IAM returns documents URL-encoded (GetUserPolicy, GetPolicyVersion): decoded, then read.
    with pytest.raises(ValueError, match=words):
        decode_document(raw, "svc/inline")
    assert decode_document("%7B%22Version%22%3A%222012-10-17%22%7D", "p") == {
        "Version": "2012-10-17"
    }


def test_a_wildcard_resource_warns(root: Path, run_report: Run) -> None:
    report = check_file(run_report, root, FILLED.replace(f"userpool/{POOL_ID}", "userpool/*"))
    result = outcome(report, "iam.policy-file")
    assert status(report, "iam.policy-file") is Status.WARN
    wildcard = f"arn:aws:cognito-idp:{REGION}:123456789012:userpool/*"
    assert f"line {RESOURCE_LINE}: Resource {wildcard} is a wildcard" in result.message


def test_a_deny_of_the_services_actions_fails(root: Path, run_report: Run) -> None:
    document = json.loads(FILLED)
    document["Statement"].append(
        {"Effect": "Deny", "Action": "cognito-idp:AdminDelete*", "Resource": "*"}
    )
    report = check_file(run_report, root, json.dumps(document, indent=2))
    result = outcome(report, "iam.policy-file")
    assert status(report, "iam.policy-file") is Status.FAIL
    assert "denies AdminDeleteUser on the pool" in result.message
    [corrected] = json_blocks(result.fix)
    assert len(corrected["Statement"]) == 1


def test_json_that_is_not_a_policy_fails(root: Path, run_report: Run) -> None:
    report = check_file(run_report, root, json.dumps(["cognito-idp:AdminGetUser"]))
    assert status(report, "iam.policy-file") is Status.FAIL
    assert "not an IAM policy" in outcome(report, "iam.policy-file").message


def test_from_the_command_line_offline(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("elsewhere") / "policy.json"
    outside.write_text(RUNBOOK_POLICY, encoding="utf-8")
    runner = CliRunner()
    run = runner.invoke(
        main,
        [
            "check",
            "--root",
            str(root),
            "--offline",
            "--only",
            "iam.*",
            "--policy-file",
            str(outside),
            "--format",
            "json",
        ],
    )
    assert run.exit_code == 1, run.output
    results = {r["id"]: r for r in json.loads(run.stdout)["results"]}
    assert results["iam.policy-file"]["status"] == "fail"
    assert results["iam.policy-file"]["location"] == {"file": str(outside), "line": RESOURCE_LINE}
    for check_id in ("iam.principal", "iam.actions", "iam.least-privilege"):
        assert results[check_id]["status"] == "skip"
