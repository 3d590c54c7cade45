"""The service's IAM policy in `cognito-doctor fix`, on moto's server over HTTP: one command
per policy with its statements before → after, `--apply` writing it only after reading it
again (the inline document, the managed policy's default version), a managed policy at IAM's
5-version limit losing its oldest non-default version first."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from click.testing import CliRunner, Result

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import WRONG_POLICY_REGION, Sandbox, Setup, service_policy
from cognito_doctor.engine.registry import Registry
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.remediation.apply import StepOutcome
from cognito_doctor.remediation.run import apply_fixes, plan_fixes
from tests.integration.test_iam_checks import ACCOUNT, S3_ONLY, policy, user_arn

INLINE = "clinical-platform-user-mgmt"


def wrong_region(_region: str, account: str, pool_id: str) -> dict[str, Any]:
    return service_policy(WRONG_POLICY_REGION, account, pool_id)


def fix(*args: str) -> Result:
    result = CliRunner().invoke(main, ["fix", *args], catch_exceptions=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def user_name(sandbox: Sandbox, setup: Setup) -> str:
    return user_arn(sandbox, setup).rsplit("/", 1)[1]


def inline_document(sandbox: Sandbox, setup: Setup) -> dict[str, Any]:
    answer = sandbox.client("iam").get_user_policy(
        UserName=user_name(sandbox, setup), PolicyName=INLINE
    )
    document = answer["PolicyDocument"]
    return document if isinstance(document, dict) else json.loads(unquote(document))


def pool_arn(setup: Setup) -> str:
    return f"arn:aws:cognito-idp:{setup.region}:{ACCOUNT}:userpool/{setup.pool_id}"


def iam_commands(out: str) -> list[str]:
    """The plan's `aws iam` command lines (the new-pool part, for `<service-user>`, aside)."""
    lines = [line.strip() for line in out.splitlines()]
    return [line for line in lines if line.startswith("aws iam ") and "<" not in line]


def test_the_inline_policy_is_one_put_in_the_plan_and_apply_writes_it(
    sandbox: Sandbox, tmp_path: Path, profile: str
) -> None:
    setup = sandbox.create_setup(tmp_path, policy=wrong_region)
    before = inline_document(sandbox, setup)
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url, "--profile", profile]
    planned = fix(*where)
    assert planned.exit_code == 1, planned.stdout + planned.stderr
    out = planned.stdout
    user = user_name(sandbox, setup)
    assert f"1. inline policy {INLINE} of user {user}  (iam.actions)" in out
    wrong = pool_arn(setup).replace(setup.region, WRONG_POLICY_REGION, 1)
    assert f"Statement[0].Resource: {wrong} → {pool_arn(setup)}" in out
    [command] = iam_commands(out)
    words = shlex.split(command)
    assert words[:3] == ["aws", "iam", "put-user-policy"]
    assert words[words.index("--profile") + 1] == profile
    assert words[words.index("--endpoint-url") + 1] == sandbox.endpoint_url
    assert words[words.index("--user-name") + 1] == user
    written = json.loads(words[words.index("--policy-document") + 1])
    assert written["Statement"][0]["Resource"] == pool_arn(setup)
    assert inline_document(sandbox, setup) == before  # the plan wrote nothing

    applied = fix(*where, "--apply", "--yes")
    assert applied.exit_code == 0, applied.stdout
    assert f"applied       inline policy {INLINE} of user {user}: put-user-policy" in applied.stdout
    assert inline_document(sandbox, setup) == written
    assert "✓  iam.actions" in applied.stdout


def test_both_iam_checks_edits_to_one_policy_make_one_command(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    risky = {"Effect": "Allow", "Action": "cognito-idp:DeleteUserPool", "Resource": "*"}

    def two_problems(region: str, account: str, pool_id: str) -> dict[str, Any]:
        return policy(wrong_region(region, account, pool_id)["Statement"][0], risky)

    setup = sandbox.create_setup(tmp_path, policy=two_problems)
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url]
    out = fix(*where).stdout
    assert "(iam.actions, iam.least-privilege)" in out
    [command] = iam_commands(out)
    words = shlex.split(command)
    document = json.loads(words[words.index("--policy-document") + 1])
    assert [s["Resource"] for s in document["Statement"]] == [pool_arn(setup)] * 2
    assert all("cognito-idp:DeleteUserPool" not in s["Action"] for s in document["Statement"])

    applied = fix(*where, "--apply", "--yes")
    assert applied.exit_code == 0, applied.stdout
    assert inline_document(sandbox, setup) == document
    assert "✓  iam.least-privilege" in applied.stdout


def managed_setup(sandbox: Sandbox, tmp_path: Path, versions: int) -> tuple[Setup, str]:
    """The service user with a customer managed policy naming the wrong region (its default,
    v1) and `versions - 1` more, older-than-the-fix versions."""
    setup = sandbox.create_setup(tmp_path, policy=S3_ONLY)
    iam = sandbox.client("iam")
    document = json.dumps(wrong_region(setup.region, ACCOUNT, setup.pool_id))
    arn = iam.create_policy(PolicyName=f"user-mgmt-{setup.pool_id[-6:]}", PolicyDocument=document)[
        "Policy"
    ]["Arn"]
    for _ in range(versions - 1):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document, SetAsDefault=False)
    iam.attach_user_policy(UserName=user_name(sandbox, setup), PolicyArn=arn)
    return setup, arn


def test_a_managed_policy_at_five_versions_loses_its_oldest_non_default_one_first(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup, arn = managed_setup(sandbox, tmp_path, versions=5)
    where = ["--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url]
    out = fix(*where).stdout
    assert f"managed policy {arn}  (iam.actions)" in out
    [command] = iam_commands(out)
    delete, create = (shlex.split(part) for part in command.split(" && "))
    # v1 is the default, so v2 is the oldest version that may be deleted.
    assert delete[:3] == ["aws", "iam", "delete-policy-version"]
    assert delete[delete.index("--version-id") + 1] == "v2"
    assert create[:3] == ["aws", "iam", "create-policy-version"]
    assert create[-1] == "--set-as-default"

    applied = fix(*where, "--apply", "--yes")
    assert applied.exit_code == 0, applied.stdout
    iam = sandbox.client("iam")
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert sorted(v["VersionId"] for v in versions) == ["v1", "v3", "v4", "v5", "v6"]
    default = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    assert default == "v6"
    document = iam.get_policy_version(PolicyArn=arn, VersionId=default)["PolicyVersion"]
    raw = document["Document"]
    body = raw if isinstance(raw, dict) else json.loads(unquote(raw))
    assert body["Statement"][0]["Resource"] == pool_arn(setup)


def test_a_managed_policy_under_the_limit_only_gets_a_new_default_version(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    _, arn = managed_setup(sandbox, tmp_path, versions=2)
    out = fix("--root", str(tmp_path), "--endpoint-url", sandbox.endpoint_url).stdout
    [command] = iam_commands(out)
    assert " && " not in command
    words = shlex.split(command)
    assert words[:3] == ["aws", "iam", "create-policy-version"]
    assert words[words.index("--policy-arn") + 1] == arn


def test_an_inline_policy_changed_after_the_plan_is_refused(
    sandbox: Sandbox, tmp_path: Path, registry: Registry
) -> None:
    setup = sandbox.create_setup(tmp_path, policy=wrong_region)
    run = plan_fixes(RunConfig(root=tmp_path, endpoint_url=sandbox.endpoint_url), registry)
    assert [item.resource.value for item in run.plan.resources] == ["iam-policy"]
    theirs = policy({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"})
    sandbox.client("iam").put_user_policy(
        UserName=user_name(sandbox, setup), PolicyName=INLINE, PolicyDocument=json.dumps(theirs)
    )
    result = apply_fixes(run)
    [step] = result.applied.steps
    assert step.outcome is StepOutcome.REFUSED
    assert "changed since the plan was made" in step.detail
    assert inline_document(sandbox, setup) == theirs  # their change stands


def test_a_managed_policy_whose_default_version_moved_is_refused(
    sandbox: Sandbox, tmp_path: Path, registry: Registry
) -> None:
    _, arn = managed_setup(sandbox, tmp_path, versions=2)
    run = plan_fixes(RunConfig(root=tmp_path, endpoint_url=sandbox.endpoint_url), registry)
    iam = sandbox.client("iam")
    # v2 holds the same document: only the default version id tells the change.
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    result = apply_fixes(run)
    [step] = result.applied.steps
    assert step.outcome is StepOutcome.REFUSED
    assert "default version" in step.detail and "v2 now, v1 in the plan" in step.detail
    assert sorted(v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]) == [
        "v1",
        "v2",
    ]
