"""The iam checks end to end through the runner against moto's server (the session sandbox,
whose SimulatePrincipalPolicy is answered by cognito_doctor.demo.iam_simulation).

Each runbook mistake fails iam.actions with a message naming the broken part and a fix whose
statement and command are pasteable: several tests apply the printed command to moto and
check that the next run passes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.demo.sandbox import Sandbox, Setup, service_policy, write_env_file
from cognito_doctor.engine.model import Report, Rules, Status
from cognito_doctor.platform.envfiles import UM_ENV
from tests.conftest import report_text
from tests.support.moto_iam import (
    SIX,
    apply_aws_commands,
    iam_report,
    json_blocks,
    outcome,
    service_caller,
    status,
)

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)
Run = Callable[..., Report]


def pool_arn(setup: Setup, account: str = ACCOUNT) -> str:
    return f"arn:aws:cognito-idp:{setup.region}:{account}:userpool/{setup.pool_id}"


def user_arn(sandbox: Sandbox, setup: Setup) -> str:
    """The service user's ARN, as AWS reports it for the keys in UM's .env."""
    return str(service_caller(sandbox, setup)["Arn"])


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def no_secrets(report: Report, setup: Setup) -> None:
    text = report_text(report)
    for key in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        if key in setup.um_env:
            assert setup.um_env[key] not in text
    assert setup.um_env.get("AWS_ACCESS_KEY_ID", "AKIA-not-set") not in text


def fails_then_passes_after_fix(
    sandbox: Sandbox, setup: Setup, run_report: Run, report: Report, **options: Any
) -> None:
    """Apply iam.actions' printed command to moto as a person would, and run again."""
    command = outcome(report, "iam.actions").fix_command
    assert command, "iam.actions printed no command"
    apply_aws_commands(sandbox.client("iam", setup.region), command)
    again = iam_report(run_report, setup.root, sandbox.endpoint_url, **options)
    assert status(again, "iam.actions") is Status.PASS, outcome(again, "iam.actions").message


# --- healthy ----------------------------------------------------------------------------


def test_healthy_setup_passes_every_iam_check(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(tmp_path)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    arn = user_arn(sandbox, setup)
    assert status(report, "iam.principal") is Status.PASS
    assert f"the service runs as user {arn}" in outcome(report, "iam.principal").message
    assert (
        f"(key id …{setup.um_env['AWS_ACCESS_KEY_ID'][-4:]})"
        in outcome(report, "iam.principal").message
    )
    actions = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.PASS, actions.message
    assert f"all 6 actions are allowed to {arn} on {pool_arn(setup)}" in actions.message
    assert pool_arn(setup) in actions.message
    assert "with iam:SimulatePrincipalPolicy" in actions.message
    assert actions.evidence["decisions"] == {a.split(":")[1]: "allowed" for a in SIX}
    assert actions.evidence["method"] == "simulation"
    assert status(report, "iam.least-privilege") is Status.PASS
    assert "none of the 12 risky actions" in outcome(report, "iam.least-privilege").message
    assert status(report, "iam.policy-file") is Status.SKIP
    assert "--policy-file" in outcome(report, "iam.policy-file").message
    no_secrets(report, setup)


# --- each runbook mistake fails iam.actions, naming the broken part -----------------------


def test_wrong_region_is_named_and_the_printed_fix_works(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(
        tmp_path, policy=lambda region, account, pool: service_policy("us-east-1", account, pool)
    )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert "6 of 6 actions are denied" in result.message
    assert "the policy names region us-east-1, the pool is in eu-west-2" in result.message
    assert 'statement 1 of inline policy "clinical-platform-user-mgmt"' in result.message
    assert "AdminCreateUser         implicitDeny" in result.message
    # The corrected statement, with real values, ready to paste.
    assert json_blocks(result.fix) == [
        {"Effect": "Allow", "Action": list(SIX), "Resource": pool_arn(setup)}
    ]
    assert result.fix_command.startswith(
        f"aws iam put-user-policy --region eu-west-2 "
        f"--endpoint-url {sandbox.endpoint_url} --user-name clinical-platform"
    )
    no_secrets(report, setup)
    fails_then_passes_after_fix(sandbox, setup, run_report, report)


def test_wrong_account_is_named(sandbox: Sandbox, tmp_path: Path, run_report: Run) -> None:
    setup = sandbox.create_setup(
        tmp_path, policy=lambda region, account, pool: service_policy(region, "111122223333", pool)
    )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert (
        "the policy names account 111122223333, the pool's account is 123456789012"
        in result.message
    )
    assert json_blocks(result.fix)[0]["Resource"] == pool_arn(setup)
    fails_then_passes_after_fix(sandbox, setup, run_report, report)


def test_wrong_pool_id_is_named(sandbox: Sandbox, tmp_path: Path, run_report: Run) -> None:
    setup = sandbox.create_setup(
        tmp_path,
        policy=lambda region, account, pool: service_policy(region, account, "eu-west-2_0ther9"),
    )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert f"the policy names pool id eu-west-2_0ther9, the pool is {setup.pool_id}" in (
        result.message
    )
    fails_then_passes_after_fix(sandbox, setup, run_report, report)


def test_placeholders_left_in_are_named(sandbox: Sandbox, tmp_path: Path, run_report: Run) -> None:
    runbook = service_policy("<REGION>", "<ACCOUNT_ID>", "<USER_POOL_ID>")
    setup = sandbox.create_setup(tmp_path, policy=runbook)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    for placeholder, value in (
        ("<REGION>", "the region is eu-west-2"),
        ("<ACCOUNT_ID>", "the account is 123456789012"),
        ("<USER_POOL_ID>", f"the pool id is {setup.pool_id}"),
    ):
        assert f"the placeholder {placeholder} was never replaced ({value})" in result.message
    assert "<" not in json.dumps(json_blocks(result.fix))
    fails_then_passes_after_fix(sandbox, setup, run_report, report)


def test_one_missing_action_is_named_and_added(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    def five(region: str, account: str, pool: str) -> dict[str, Any]:
        document = service_policy(region, account, pool)
        document["Statement"][0]["Action"].remove("cognito-idp:AdminGetUser")
        return document

    setup = sandbox.create_setup(tmp_path, policy=five)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert "1 of 6 actions are denied" in result.message
    assert "AdminGetUser: missing from every statement of the user" in result.message
    assert "AdminCreateUser         allowed" in result.message
    assert "AdminGetUser            implicitDeny" in result.message
    assert result.evidence["decisions"]["AdminGetUser"] == "implicitDeny"
    assert json_blocks(result.fix)[0]["Action"] == list(SIX)
    fails_then_passes_after_fix(sandbox, setup, run_report, report)


@pytest.mark.parametrize("other", ["another service's policy", "no policy at all"])
def test_a_principal_without_any_cognito_statement_gets_the_runbook_policy(
    other: str, sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    s3_only = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    setup = sandbox.create_setup(tmp_path, policy=s3_only)
    user = user_arn(sandbox, setup).rsplit("/", 1)[1]
    if other == "no policy at all":
        sandbox.client("iam").delete_user_policy(
            UserName=user, PolicyName="clinical-platform-user-mgmt"
        )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    if other == "no policy at all":
        assert f"user {user} has no identity policies" in result.message
    else:
        assert f"missing from every statement of the user {user}'s 1 policy" in result.message
    assert json_blocks(result.fix) == [
        {"Effect": "Allow", "Action": list(SIX), "Resource": pool_arn(setup)}
    ]
    # A new inline policy; the existing one's name is not overwritten.
    name = "clinical-platform-user-mgmt" + ("-2" if other != "no policy at all" else "")
    assert f"--policy-name {name} " in result.fix_command
    fails_then_passes_after_fix(sandbox, setup, run_report, report)


def test_explicit_deny_in_a_group_policy_is_named(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(tmp_path)
    iam = sandbox.client("iam")
    user = user_arn(sandbox, setup).rsplit("/", 1)[1]
    group = f"ops-readonly-{setup.pool_id[-6:]}"
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    deny = {
        "Sid": "NoDeletes",
        "Effect": "Deny",
        "Action": ["cognito-idp:AdminDeleteUser", "cognito-idp:DeleteUserPool"],
        "Resource": "*",
    }
    iam.put_group_policy(
        GroupName=group, PolicyName="guardrails", PolicyDocument=json.dumps(policy(deny))
    )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert "1 of 6 actions are denied" in result.message
    assert (
        f'AdminDeleteUser: explicitly denied by statement "NoDeletes" of inline policy '
        f'"guardrails" of group {group}' in result.message
    )
    assert "AdminDeleteUser         explicitDeny" in result.message
    assert json_blocks(result.fix) == [deny]  # the statement as it reads, to find it
    assert f"take user {user} out of group {group}" in result.fix
    assert (
        result.fix_command == f"aws iam delete-group-policy --region eu-west-2 "
        f"--endpoint-url {sandbox.endpoint_url} --group-name {group} "
        "--policy-name guardrails"
    )
    fails_then_passes_after_fix(sandbox, setup, run_report, report)


# --- roles ----------------------------------------------------------------------------------


def _role(
    sandbox: Sandbox, setup: Setup, region: str, path: str = "/service-role/app/", **extra: Any
) -> dict[str, Any]:
    iam = sandbox.client("iam")
    name = f"user-mgmt-task-{setup.pool_id[-6:]}"
    role = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=TRUST, **extra)
    iam.put_role_policy(
        RoleName=name,
        PolicyName="clinical-platform-user-mgmt",
        PolicyDocument=json.dumps(service_policy(region, ACCOUNT, setup.pool_id)),
    )
    return dict(role["Role"])


def _use_assumed_role_keys(sandbox: Sandbox, setup: Setup, role_arn: str) -> Setup:
    credentials = sandbox.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="ecs-task-1")[
        "Credentials"
    ]
    um = {
        **setup.um_env,
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }
    write_env_file(setup.root / UM_ENV, um)
    return Setup(setup.root, setup.region, setup.pool_id, setup.client_id, um, setup.auth_env)


@pytest.mark.parametrize("policy_region", ["eu-west-2", "us-east-1"])
def test_assumed_role_session_is_resolved_to_the_role_with_its_path(
    policy_region: str, sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(tmp_path)
    role = _role(sandbox, setup, policy_region)
    assert role["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/service-role/app/{role['RoleName']}"
    setup = _use_assumed_role_keys(sandbox, setup, role["Arn"])
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    principal = outcome(report, "iam.principal")
    assert status(report, "iam.principal") is Status.PASS
    session = f"arn:aws:sts::{ACCOUNT}:assumed-role/{role['RoleName']}/ecs-task-1"
    assert (
        f"{session} is a session of role {role['RoleName']}; iam:GetRole gives the role's ARN "
        f"{role['Arn']}" in principal.message
    )
    assert principal.evidence["arn"] == role["Arn"]
    actions = outcome(report, "iam.actions")
    if policy_region == "eu-west-2":
        assert status(report, "iam.actions") is Status.PASS, actions.message
        assert f"allowed to {role['Arn']} on" in actions.message
    else:
        assert status(report, "iam.actions") is Status.FAIL
        assert "the policy names region us-east-1, the pool is in eu-west-2" in actions.message
        assert f'inline policy "clinical-platform-user-mgmt" of role {role["RoleName"]}' in (
            actions.message
        )
        assert actions.fix_command.startswith(
            f"aws iam put-role-policy --region eu-west-2 "
            f"--endpoint-url {sandbox.endpoint_url} --role-name {role['RoleName']} "
        )
        fails_then_passes_after_fix(sandbox, setup, run_report, report)
    no_secrets(report, setup)


def test_principal_arn_without_the_path_is_corrected(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(
        tmp_path, um_changes={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    )
    role = _role(sandbox, setup, setup.region)
    pathless = f"arn:aws:iam::{ACCOUNT}:role/{role['RoleName']}"
    report = iam_report(
        run_report,
        tmp_path,
        sandbox.endpoint_url,
        rules=Rules.PROD,
        principal_arn=pathless,
    )
    principal = outcome(report, "iam.principal")
    assert status(report, "iam.principal") is Status.PASS
    assert f"{pathless} is {role['Arn']} in IAM (the path differs)" in principal.message
    assert "from --principal-arn" in principal.message
    assert status(report, "iam.actions") is Status.PASS, outcome(report, "iam.actions").message


def test_permissions_boundary_denial_is_named(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(tmp_path)
    iam = sandbox.client("iam")
    boundary = iam.create_policy(
        PolicyName=f"boundary-{setup.pool_id[-6:]}",
        PolicyDocument=json.dumps(
            policy({"Effect": "Allow", "Action": "cognito-idp:AdminGet*", "Resource": "*"})
        ),
    )["Policy"]["Arn"]
    role = _role(sandbox, setup, setup.region, PermissionsBoundary=boundary)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url, principal_arn=role["Arn"])
    principal = outcome(report, "iam.principal")
    assert f"permissions boundary {boundary}" in principal.message
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert "5 of 6 actions are denied" in result.message
    assert f"denied by the permissions boundary {boundary}" in result.message
    assert f"Add this statement to the permissions boundary {boundary}" in result.fix


def test_prod_without_keys_or_principal_arn_errors_and_says_what_to_pass(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    sandbox.create_setup(
        tmp_path, um_changes={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url, rules=Rules.PROD)
    for check_id in ("iam.principal", "iam.actions", "iam.least-privilege"):
        assert status(report, check_id) is Status.ERROR, check_id
    principal = outcome(report, "iam.principal")
    assert "no --principal-arn was given" in principal.message
    assert f"--principal-arn arn:aws:iam::{ACCOUNT}:role/<ROLE_NAME>" in principal.fix
    assert "taskRoleArn" in principal.fix


def test_dev_without_keys_skips(sandbox: Sandbox, tmp_path: Path, run_report: Run) -> None:
    sandbox.create_setup(
        tmp_path, um_changes={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    assert status(report, "iam.actions") is Status.SKIP
    assert "env.aws-credentials" in outcome(report, "iam.actions").message


@pytest.mark.parametrize(
    ("arn", "words"),
    [
        (f"arn:aws:iam::{ACCOUNT}:role/no-such-role", "there is no IAM role named no-such-role"),
        (f"arn:aws:iam::{ACCOUNT}:root", "the account's root user"),
        ("user-management", "'user-management' (from --principal-arn) is not an IAM user or role"),
    ],
)
def test_principals_that_cannot_be_checked_fail_and_the_rest_skip(
    arn: str, words: str, sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    sandbox.create_setup(tmp_path)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url, principal_arn=arn)
    assert status(report, "iam.principal") is Status.FAIL
    assert words in outcome(report, "iam.principal").message
    assert outcome(report, "iam.principal").fix
    assert status(report, "iam.actions") is Status.SKIP
    assert "(see iam.principal)" in outcome(report, "iam.actions").message


# --- least privilege, conditions --------------------------------------------------------------


def test_cognito_star_warns_with_the_risky_actions_and_narrows_the_statement(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(
        tmp_path,
        policy=lambda region, account, pool: policy(
            {
                "Sid": "Cognito",
                "Effect": "Allow",
                "Action": "cognito-idp:*",
                "Resource": f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}",
            }
        ),
    )
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    assert status(report, "iam.actions") is Status.PASS
    result = outcome(report, "iam.least-privilege")
    assert status(report, "iam.least-privilege") is Status.WARN
    assert "may also do 12 risky thing(s)" in result.message
    assert "DeleteUserPool (deletes the pool and every user in it)" in result.message
    assert 'Granted by statement "Cognito" of inline policy "clinical-platform-user-mgmt"' in (
        result.message
    )
    assert json_blocks(result.fix) == [
        {"Sid": "Cognito", "Effect": "Allow", "Action": list(SIX), "Resource": pool_arn(setup)}
    ]
    apply_aws_commands(sandbox.client("iam"), result.fix_command)
    again = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    assert status(again, "iam.least-privilege") is Status.PASS
    assert status(again, "iam.actions") is Status.PASS


def test_conditions_the_simulation_cannot_evaluate_warn(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    def conditional(region: str, account: str, pool: str) -> dict[str, Any]:
        document = service_policy(region, account, pool)
        document["Statement"][0]["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
        return document

    sandbox.create_setup(tmp_path, policy=conditional)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.WARN, result.message
    assert "allows this only when its condition on aws:SourceIp holds" in result.message
    assert "(unevaluated conditions: aws:SourceIp)" in result.message
    assert result.evidence["missing_context"]["AdminGetUser"] == ["aws:SourceIp"]
    assert "aws:SourceIp" in result.fix


# --- --probe ----------------------------------------------------------------------------------


def test_probe_proves_the_permissions_without_changing_anything(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(tmp_path)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url, probe=True)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.PASS, result.message
    assert "--probe proved 5 of them with real calls" in result.message
    assert "AdminGetUser            allowed; probe: allowed (UserNotFoundException)" in (
        result.message
    )
    assert "AdminCreateUser         allowed; probe: not probed" in result.message
    assert result.evidence["probe"] == {
        "AdminGetUser": "allowed",
        "AdminDisableUser": "allowed",
        "AdminEnableUser": "allowed",
        "AdminDeleteUser": "allowed",
        "AdminResetUserPassword": "allowed",
    }
    users = sandbox.client("cognito-idp").list_users(UserPoolId=setup.pool_id)["Users"]
    assert users == []  # nothing was created
    no_secrets(report, setup)


def test_probe_without_the_service_keys_warns(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(
        tmp_path, um_changes={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
    )
    role = _role(sandbox, setup, setup.region)
    report = iam_report(
        run_report,
        tmp_path,
        sandbox.endpoint_url,
        principal_arn=role["Arn"],
        probe=True,
        rules=Rules.PROD,
    )
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.WARN
    assert "--probe could not run: --probe needs the service's own keys" in result.message


def test_probe_is_off_by_default(sandbox: Sandbox, tmp_path: Path, run_report: Run) -> None:
    sandbox.create_setup(tmp_path)
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    assert "probe" not in outcome(report, "iam.actions").evidence
    assert "probe:" not in outcome(report, "iam.actions").message


# --- managed policies -------------------------------------------------------------------------


S3_ONLY = policy({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})


def test_customer_managed_policy_with_wrong_region_gets_a_new_policy_version(
    sandbox: Sandbox, tmp_path: Path, run_report: Run
) -> None:
    setup = sandbox.create_setup(tmp_path, policy=S3_ONLY)
    iam = sandbox.client("iam")
    user = user_arn(sandbox, setup).rsplit("/", 1)[1]
    managed = iam.create_policy(
        PolicyName=f"user-mgmt-{setup.pool_id[-6:]}",
        PolicyDocument=json.dumps(service_policy("eu-west-1", ACCOUNT, setup.pool_id)),
    )["Policy"]
    iam.attach_user_policy(UserName=user, PolicyArn=managed["Arn"])
    report = iam_report(run_report, tmp_path, sandbox.endpoint_url)
    result = outcome(report, "iam.actions")
    assert status(report, "iam.actions") is Status.FAIL
    assert (
        f'statement 1 of managed policy "{managed["PolicyName"]}" ({managed["Arn"]}) attached to '
        f"user {user}" in result.message
    )
    assert "the policy names region eu-west-1, the pool is in eu-west-2" in result.message
    assert f"IAM → Policies → {managed['PolicyName']} → Edit → JSON" in result.fix
    # A managed policy holds at most 5 versions: the fix says to delete the oldest first.
    assert "keeps at most 5 versions" in result.fix
    assert (
        f"aws iam delete-policy-version --region eu-west-2 "
        f"--endpoint-url {sandbox.endpoint_url} --policy-arn {managed['Arn']}" in (result.fix)
    )
    assert result.fix_command.startswith(
        f"aws iam create-policy-version --region eu-west-2 "
        f"--endpoint-url {sandbox.endpoint_url} --policy-arn {managed['Arn']} "
    )
    assert result.fix_command.endswith(" --set-as-default")
    fails_then_passes_after_fix(sandbox, setup, run_report, report)
