"""The checks and the `user` command on answers shaped as real AWS gives them (issue 10).

Every answer comes from tests/support/real_shapes.py (botocore's model, validated by the
Stubber) and goes through the CLI. Each test is one of the issue's items.
"""

from __future__ import annotations

import copy
import json
import shlex
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from tests.support.real_shapes import (
    CLIENT_ID,
    CLIENT_MEMBERS_ABSENT,
    INVITE_EMAIL,
    POOL_ID,
    POOL_MEMBERS_ABSENT,
    REGION,
    SECRET_ARN,
    RealAws,
    admin_get_user,
    healthy_client,
    healthy_pool,
    real_aws,
)

__all__ = ["real_aws"]  # the fixture, used by name

SELECTED = ("--only", "pool.*", "--only", "client.*", "--only", "email.*")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    common = {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION}
    write_env_file(tmp_path / UM_ENV, {"COGNITO_PROVIDER": "cognito", **common})
    write_env_file(tmp_path / AUTH_ENV, {**common, "COGNITO_APP_CLIENT_ID": CLIENT_ID})
    return tmp_path


def check(root: Path, *args: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """`cognito-doctor check --format json` over `root`: (exit code, results by id)."""
    result = CliRunner().invoke(
        main,
        ["check", "--root", str(root), "--format", "json", "--verbose", *args],
        catch_exceptions=False,
    )
    report = json.loads(result.stdout)
    return result.exit_code, {r["id"]: r for r in report["results"]}


def cli_input(command: str) -> dict[str, Any]:
    argv = shlex.split(command)
    loaded: dict[str, Any] = json.loads(argv[argv.index("--cli-input-json") + 1])
    return loaded


def test_the_fixtures_have_every_member_of_the_model() -> None:
    model = botocore.session.get_session().get_service_model("cognito-idp")
    pool_shape = model.shape_for("UserPoolType")
    client_shape = model.shape_for("UserPoolClientType")
    assert set(pool_shape.members) - set(healthy_pool()) == POOL_MEMBERS_ABSENT  # type: ignore[attr-defined]
    assert set(client_shape.members) - set(healthy_client()) == CLIENT_MEMBERS_ABSENT  # type: ignore[attr-defined]


def test_healthy_setup_in_real_shape_has_no_fail_and_exits_0(real_aws: RealAws, root: Path) -> None:
    real_aws.pool(healthy_pool())
    real_aws.client(healthy_client())
    real_aws.ses()
    code, results = check(root, *SELECTED)
    assert code == 0
    assert {r["status"] for r in results.values()} <= {"pass", "skip", "info"}, {
        i: r["message"] for i, r in results.items() if r["status"] not in ("pass", "skip")
    }
    for check_id in ("client.secret", "pool.invitation-template", "pool.username-case"):
        assert results[check_id]["status"] == "pass", check_id
    # Item 1: a secret Cognito keeps in Secrets Manager is a confidential client.
    secret = results["client.secret"]
    assert "Secrets Manager" in secret["message"] and SECRET_ARN in secret["message"]
    for stubber in real_aws.stubbers.values():
        stubber.assert_no_pending_responses()


def test_a_public_client_is_told_it_cannot_become_confidential(
    real_aws: RealAws, root: Path
) -> None:
    public = healthy_client()
    del public["ClientSecretArn"]
    real_aws.pool(healthy_pool())
    real_aws.client(public)
    _, results = check(root, "--only", "client.secret")
    outcome = results["client.secret"]
    assert outcome["status"] == "fail"
    assert "AddUserPoolClientSecret adds secrets only to a confidential client" in outcome["fix"]
    assert "cannot add a secret to an existing client" not in outcome["fix"]


def test_case_sensitive_usernames_warn_and_the_new_pool_is_case_insensitive(
    real_aws: RealAws, root: Path
) -> None:
    pool = healthy_pool()
    del pool["UsernameConfiguration"]  # the API's default: case-sensitive
    pre_sign_up = f"arn:aws:lambda:{REGION}:111122223333:function:pre-sign-up"
    sender = f"arn:aws:lambda:{REGION}:111122223333:function:email-sender"
    pool["LambdaConfig"] = {
        "PreSignUp": pre_sign_up,
        "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": sender},
        "KMSKeyID": f"arn:aws:kms:{REGION}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    }
    real_aws.pool(pool)
    _, results = check(root, "--only", "pool.username-case")
    outcome = results["pool.username-case"]
    assert outcome["status"] == "warn"
    assert "Ann@x.com and ann@x.com are two different users" in outcome["message"]
    params = cli_input(outcome["fix_command"])
    assert params["UsernameConfiguration"] == {"CaseSensitive": False}
    # The copied trigger's resource policy names the old pool's ARN: the fix says so.
    assert params["LambdaConfig"] == pool["LambdaConfig"]
    # One pasteable command per function (the KMS key is not one), each complete: AddPermission
    # requires FunctionName, StatementId, Action and Principal (botocore's lambda model).
    commands = [line for line in outcome["fix"].splitlines() if "lambda add-permission" in line]
    assert len(commands) == 2
    for command, function in zip(commands, (pre_sign_up, sender), strict=True):
        assert f"--function-name {function}" in command
        assert "--statement-id cognito-" in command
        assert "--action lambda:InvokeFunction --principal cognito-idp.amazonaws.com" in command
        assert (
            f"--source-arn 'arn:aws:cognito-idp:{REGION}:111122223333:userpool/<new pool id>'"
            in (command)
        )
    assert "SES identity's sending authorization policy" in outcome["fix"]


def test_an_invitation_template_without_the_password_placeholder_fails(
    real_aws: RealAws, root: Path
) -> None:
    pool = healthy_pool()
    template = pool["AdminCreateUserConfig"]["InviteMessageTemplate"]
    template["EmailMessage"] = "Welcome, {username}! Your account is ready."
    real_aws.pool(pool)
    _, results = check(root, "--only", "pool.invitation-template")
    outcome = results["pool.invitation-template"]
    assert outcome["status"] == "fail"
    assert "Welcome, {username}! Your account is ready." in outcome["message"]
    assert "Cognito delivers no invitation" in outcome["message"]
    fixed = cli_input(outcome["fix_command"])["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert "{####}" in fixed["EmailMessage"] and "{username}" in fixed["EmailMessage"]


def test_the_template_of_the_healthy_pool_passes(real_aws: RealAws, root: Path) -> None:
    assert "{####}" in INVITE_EMAIL
    real_aws.pool(healthy_pool())
    _, results = check(root, "--only", "pool.invitation-template")
    assert results["pool.invitation-template"]["status"] == "pass"


def test_optional_mfa_and_no_recovery_setting_warn(real_aws: RealAws, root: Path) -> None:
    pool = healthy_pool()
    pool["MfaConfiguration"] = "OPTIONAL"
    del pool["AccountRecoverySetting"]
    real_aws.pool(pool)
    code, results = check(root, "--only", "pool.mfa", "--only", "pool.account-recovery")
    assert results["pool.mfa"]["status"] == "warn"
    assert results["pool.account-recovery"]["status"] == "warn"
    assert code == 0  # warnings only


def test_a_cognito_default_pool_gets_no_developer_only_email_members(
    real_aws: RealAws, root: Path
) -> None:
    pool = healthy_pool()
    pool["EmailConfiguration"] = {"EmailSendingAccount": "COGNITO_DEFAULT"}
    pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] = False
    real_aws.pool(pool)
    _, results = check(root, "--only", "pool.self-signup", "--only", "pool.email-sending")
    params = cli_input(results["pool.self-signup"]["fix_command"])
    template = params["VerificationMessageTemplate"]
    assert set(template) == {"SmsMessage", "DefaultEmailOption"}
    invite = params["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert set(invite) == {"SMSMessage"}
    # Switching to SES makes Cognito create its service-linked role.
    assert "iam:CreateServiceLinkedRole" in results["pool.email-sending"]["fix"]


def test_a_confidential_client_sign_up_needs_the_secret_hash_says_the_doc(
    registry_doc: str,
) -> None:
    assert "SECRET_HASH" in registry_doc


@pytest.fixture
def registry_doc() -> str:
    result = CliRunner().invoke(main, ["explain", "pool.self-signup"], catch_exceptions=False)
    return result.stdout


def user(root: Path, email: str) -> str:
    result = CliRunner().invoke(
        main, ["user", email, "--root", str(root), "--format", "json"], catch_exceptions=False
    )
    return result.stdout


def test_user_lists_the_required_attributes_an_invited_user_lacks(
    real_aws: RealAws, root: Path
) -> None:
    email = "ann@clinic.example"
    real_aws.pool(healthy_pool())
    real_aws.answer(
        "cognito-idp",
        "admin_get_user",
        admin_get_user(email),
        UserPoolId=POOL_ID,
        Username=email,
    )
    report = json.loads(user(root, email))
    (found,) = report["users"]
    assert "required_attribute_missing" in found["states"]
    messages = " ".join(f["message"] for f in found["findings"])
    assert "Invalid attributes given, name is missing" in messages
    commands = [f["fix_command"] or "" for f in found["findings"]]
    assert any("admin-update-user-attributes" in c and "Name=name" in c for c in commands)
    # An invited user's password can't be reset: the resend goes by email, not SMS.
    assert not any("admin-reset-user-password" in c for c in commands)
    resend = next(c for c in commands if "--message-action RESEND" in c)
    assert shlex.split(resend)[-2:] == ["--desired-delivery-mediums", "EMAIL"]


def test_a_user_with_every_required_attribute_has_no_such_finding(
    real_aws: RealAws, root: Path
) -> None:
    email = "bo@clinic.example"
    real_aws.pool(healthy_pool())
    real_aws.answer(
        "cognito-idp",
        "admin_get_user",
        admin_get_user(email, "CONFIRMED", name="Bo Jensen"),
        UserPoolId=POOL_ID,
        Username=email,
    )
    report = json.loads(user(root, email))
    assert "required_attribute_missing" not in report["users"][0]["states"]
    assert report["level"] == "ok"


# --- item 7: every printed command, against the installed model and botocore 1.31 --------


def broken_pool(*, newer: bool) -> dict[str, Any]:
    """A real-shape pool with every update-user-pool and create-user-pool fix to print;
    `newer`: it also holds settings only newer CLIs know (PLUS tier, UPDATED issuer)."""
    pool = healthy_pool()
    pool["MfaConfiguration"] = "ON"
    pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] = False
    pool["AutoVerifiedAttributes"] = []
    pool["AccountRecoverySetting"] = {
        "RecoveryMechanisms": [{"Priority": 1, "Name": "verified_phone_number"}]
    }
    pool["DeletionProtection"] = "INACTIVE"
    pool["UsernameConfiguration"] = {"CaseSensitive": True}
    pool["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailMessage"] = "Hello {username}"
    if newer:
        pool["UserPoolTier"] = "PLUS"
        pool["IssuerConfiguration"] = {"Type": "UPDATED"}
    return pool


def printed_inputs(results: dict[str, dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """(check id, operation, input) of each --cli-input-json command the results print."""
    found = []
    for check_id, result in results.items():
        command = result.get("fix_command") or ""
        if "--cli-input-json" in command:
            operation = shlex.split(command)[2]
            found.append((check_id, operation, cli_input(command)))
    return found


OPERATIONS = {
    "update-user-pool": "UpdateUserPool",
    "create-user-pool": "CreateUserPool",
    "update-user-pool-client": "UpdateUserPoolClient",
}


def invalid_members(model: Any, operation: str, params: dict[str, Any]) -> str:
    report = ParamValidator().validate(params, model.operation_model(operation).input_shape)
    return report.generate_report() if report.has_errors() else ""


@pytest.mark.parametrize("newer", [False, True], ids=["essentials", "plus-updated"])
def test_every_printed_command_is_valid_in_the_installed_and_the_2023_cli(
    real_aws: RealAws, root: Path, old_cognito_model: Any, newer: bool
) -> None:
    pool = broken_pool(newer=newer)
    client = healthy_client()
    client["ExplicitAuthFlows"] = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    real_aws.pool(pool)
    real_aws.client(client)
    _, results = check(root, "--env", "prod", "--only", "pool.*", "--only", "client.auth-flows")
    inputs = printed_inputs(results)
    # Several pool checks fail, so each points at `cognito-doctor fix`, whose plan prints the
    # one update-user-pool: its command is held to the same rule.
    for _ in range(2):  # `check` used the answers up; `fix` runs the checks, then reads again
        real_aws.pool(pool)
        real_aws.client(client)
    plan = CliRunner().invoke(main, ["fix", "--root", str(root), "--env", "prod"]).output
    for line in plan.splitlines():
        if line.strip().startswith("aws cognito-idp update-user-pool ") and "--cli-input" in line:
            results["fix-plan"] = {"fix": plan, "fix_command": line.strip()}
    inputs = printed_inputs(results)
    assert {op for _, op, _ in inputs} == set(OPERATIONS), inputs
    installed = botocore.session.get_session().get_service_model("cognito-idp")
    for check_id, operation, params in inputs:
        assert not invalid_members(installed, OPERATIONS[operation], params), check_id
        old_problems = invalid_members(old_cognito_model, OPERATIONS[operation], params)
        fix = results[check_id]["fix"]
        if newer and operation in ("update-user-pool", "create-user-pool"):
            # Carried because they differ from AWS's default: the fix says a newer CLI is
            # needed, naming them.
            assert "UserPoolTier" in old_problems and "IssuerConfiguration" in old_problems
            assert "This command sets UserPoolTier, IssuerConfiguration" in fix, check_id
            assert 'Unknown parameter in input: "UserPoolTier"' in fix
        else:
            assert not old_problems, (check_id, old_problems)
            assert "AWS CLIs older than the feature" not in fix, check_id


@pytest.fixture(scope="session")
def old_cognito_model(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """botocore 1.31's cognito-idp model (mid-2023), installed into a temp folder."""
    import subprocess
    import sys

    from botocore.loaders import Loader
    from botocore.model import ServiceModel

    target = tmp_path_factory.mktemp("botocore-1.31")
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            "botocore==1.31.85",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        pytest.skip(f"botocore 1.31 could not be installed from PyPI: {installed.stderr[-300:]}")
    loader = Loader(
        extra_search_paths=[str(target / "botocore" / "data")], include_default_search_paths=False
    )
    return ServiceModel(loader.load_service_model("cognito-idp", "service-2"), "cognito-idp")


def test_the_leave_out_rule_changes_nothing_a_healthy_pool_carries() -> None:
    pool = copy.deepcopy(healthy_pool())
    from cognito_doctor.platform.awscli import newer_cli_members, update_user_pool_input

    params = update_user_pool_input(pool, {})
    assert newer_cli_members(params) == []
    assert params["EmailConfiguration"] == pool["EmailConfiguration"]
    assert (
        params["AdminCreateUserConfig"]["InviteMessageTemplate"]
        == (pool["AdminCreateUserConfig"]["InviteMessageTemplate"])
    )


# --- item 2: the UPDATED issuer ---------------------------------------------------------------

UPDATED_ISSUER = f"https://issuer-cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
ORIGINAL_ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"


def with_issuer(root: Path, issuer: str) -> None:
    common = {"COGNITO_USER_POOL_ID": POOL_ID, "COGNITO_REGION": REGION}
    auth = {**common, "COGNITO_APP_CLIENT_ID": CLIENT_ID, "COGNITO_ISSUER": issuer}
    write_env_file(root / AUTH_ENV, auth)


def updated_pool() -> dict[str, Any]:
    pool = healthy_pool()
    pool["IssuerConfiguration"] = {"Type": "UPDATED"}
    return pool


def test_a_healthy_updated_issuer_pool_with_cognito_issuer_set_exits_0(
    real_aws: RealAws, root: Path
) -> None:
    with_issuer(root, UPDATED_ISSUER)
    real_aws.pool(updated_pool())
    real_aws.client(healthy_client())
    real_aws.ses()
    env_checks = ("--only", "env.files", "--only", "env.issuer", "--only", "env.pool-id")
    code, results = check(root, *SELECTED, *env_checks, "--only", "issuer.pool-type")
    assert code == 0, {i: r["message"] for i, r in results.items() if r["status"] == "fail"}
    assert results["issuer.pool-type"]["status"] == "pass"
    assert "UPDATED" in results["issuer.pool-type"]["message"]
    assert results["env.issuer"]["status"] == "pass"


def test_an_updated_pool_without_cognito_issuer_fails_with_the_updated_issuer(
    real_aws: RealAws, root: Path
) -> None:
    real_aws.pool(updated_pool())
    code, results = check(root, "--only", "issuer.pool-type")
    result = results["issuer.pool-type"]
    assert code == 1 and result["status"] == "fail"
    assert f"derives {ORIGINAL_ISSUER} and rejects every token" in result["message"]
    assert f"COGNITO_ISSUER={UPDATED_ISSUER}" in result["fix"]
    assert result["location"]["file"] == AUTH_ENV


def test_the_other_format_of_the_pools_issuer_is_rejected_as_services_auth_would(
    real_aws: RealAws, root: Path
) -> None:
    with_issuer(root, UPDATED_ISSUER)
    real_aws.pool(healthy_pool())  # IssuerConfiguration ORIGINAL
    _, results = check(root, "--only", "issuer.pool-type", "--only", "env.issuer")
    # Both formats are the pool's, so env.issuer (offline) can't tell; the pool can.
    assert results["env.issuer"]["status"] == "pass"
    result = results["issuer.pool-type"]
    assert result["status"] == "fail"
    assert "IssuerConfiguration is ORIGINAL" in result["message"]
    assert f"COGNITO_ISSUER={ORIGINAL_ISSUER}" in result["fix"]


@pytest.mark.parametrize("dropped", ["MinimumLength", "PasswordPolicy"])
def test_a_password_policy_missing_from_the_answer_is_not_judged_on_defaults(
    real_aws: RealAws, root: Path, dropped: str
) -> None:
    pool = healthy_pool()
    policy = pool["Policies"]["PasswordPolicy"]
    policy["MinimumLength"] = 6  # the would-be default (8) must not stand in for it
    if dropped == "PasswordPolicy":
        del pool["Policies"]["PasswordPolicy"]
    else:
        del policy["MinimumLength"]
    real_aws.pool(pool)
    _, results = check(root, "--only", "pool.password-policy")
    outcome = results["pool.password-policy"]
    assert outcome["status"] == "error", outcome
    assert dropped in outcome["message"]
