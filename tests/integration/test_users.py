"""`cognito-doctor user EMAIL` against moto's Cognito: each state a user can be in, with its
fix; an expired invitation by moving users.py's clock (moto cannot backdate a user)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from click.testing import CliRunner, Result

from cognito_doctor.aws.clients import AwsAccess
from cognito_doctor.cli import main
from cognito_doctor.demo.sandbox import Sandbox, Setup
from cognito_doctor.engine.registry import Registry
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.oncall import users
from cognito_doctor.oncall.users import (
    OK,
    PROBLEM,
    WARN,
    CognitoUser,
    assess_user,
    lookup_user,
    temporary_password_days,
)
from cognito_doctor.platform.awscli import AwsTarget
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef

PASSWORD = "Corr3ct-Horse-Battery!"


def invoke(setup: Setup, sandbox: Sandbox, *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["user", *args, "--root", str(setup.root), "--endpoint-url", sandbox.endpoint_url],
        catch_exceptions=False,
    )


def words(text: str) -> str:
    return " ".join(text.split())


def invite(sandbox: Sandbox, setup: Setup, email: str, username: str | None = None) -> None:
    sandbox.client("cognito-idp").admin_create_user(
        UserPoolId=setup.pool_id,
        Username=username or email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "A Person"}],
        MessageAction="SUPPRESS",
    )


def created_at(sandbox: Sandbox, setup: Setup, email: str) -> datetime:
    user = sandbox.client("cognito-idp").admin_get_user(UserPoolId=setup.pool_id, Username=email)
    moment: datetime = user["UserCreateDate"]
    return moment


def resend(setup: Setup, username: str, endpoint: str | None = None) -> str:
    """The printed resend command; with the run's `--endpoint-url` right after the region."""
    target = f" --endpoint-url {endpoint}" if endpoint else ""
    return (
        f"aws cognito-idp admin-create-user --region eu-west-2{target} "
        f"--user-pool-id {setup.pool_id} "
        f"--username {username} --message-action RESEND --desired-delivery-mediums EMAIL"
    )


@pytest.fixture
def healthy(sandbox: Sandbox, tmp_path: Path) -> Setup:
    return sandbox.create_setup(tmp_path / "platform")


# --- FORCE_CHANGE_PASSWORD: the invitation --------------------------------------------------


def test_a_fresh_invitation_is_fine_and_says_how_long_it_is_valid(
    sandbox: Sandbox, healthy: Setup
) -> None:
    invite(sandbox, healthy, "new@clinic.test")
    result = invoke(healthy, sandbox, "new@clinic.test")
    assert result.exit_code == 0, result.output
    text = words(result.stdout)
    assert f"user new@clinic.test in pool {healthy.pool_id} (eu-west-2)" in text
    assert "status FORCE_CHANGE_PASSWORD" in text
    assert "has not signed in yet; the temporary password is valid until" in text
    assert "TemporaryPasswordValidityDays 7" in text
    assert resend(healthy, "new@clinic.test", sandbox.endpoint_url) in result.stdout


def test_an_expired_invitation_is_explained_with_the_resend_command(
    sandbox: Sandbox, healthy: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    invite(sandbox, healthy, "late@clinic.test")
    created = created_at(sandbox, healthy, "late@clinic.test")
    monkeypatch.setattr(users, "utcnow", lambda: created + timedelta(days=9))
    result = invoke(healthy, sandbox, "late@clinic.test")
    assert result.exit_code == 1
    text = words(result.stdout)
    assert "✗ the invitation has expired: the user was invited" in text
    assert "the temporary password was valid for 7 day(s) (TemporaryPasswordValidityDays)" in text
    assert "2 day(s) ago" in text
    assert "Temporary password has expired and must be reset by an administrator." in text
    assert "invitation expired" in text
    # In an email-username pool the resend takes the email, not the sub-style username.
    assert resend(healthy, "late@clinic.test", sandbox.endpoint_url) in result.stdout


def test_the_pools_own_validity_period_is_used(
    sandbox: Sandbox, tmp_path: Path, registry: Registry
) -> None:
    setup = sandbox.create_setup(
        tmp_path / "short",
        pool_changes={
            "Policies": {"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 3}}
        },
    )
    invite(sandbox, setup, "short@clinic.test")
    created = created_at(sandbox, setup, "short@clinic.test")
    config = RunConfig(root=setup.root, endpoint_url=sandbox.endpoint_url)
    still = lookup_user(config, registry, "short@clinic.test", now=created + timedelta(days=2))
    assert still.level == OK and "invitation_valid" in still.tags
    gone = lookup_user(config, registry, "short@clinic.test", now=created + timedelta(days=4))
    assert gone.level == PROBLEM and "invitation_expired" in gone.tags
    assert gone.temporary_password_days == 3
    assert "valid for 3 day(s)" in gone.users[0].findings[0].message


def test_json_output_has_the_states_and_the_expiry(
    sandbox: Sandbox, healthy: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    invite(sandbox, healthy, "j@clinic.test")
    created = created_at(sandbox, healthy, "j@clinic.test")
    monkeypatch.setattr(users, "utcnow", lambda: created + timedelta(days=8))
    result = invoke(healthy, sandbox, "j@clinic.test", "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["level"] == PROBLEM
    assert {"exists", "FORCE_CHANGE_PASSWORD", "invitation_expired"} <= set(document["states"])
    found = document["users"][0]
    assert found["status"] == "FORCE_CHANGE_PASSWORD" and found["enabled"] is True
    assert found["invitation_expires"] == (created + timedelta(days=7)).astimezone(UTC).isoformat()
    assert found["findings"][0]["fix_command"] == resend(
        healthy, "j@clinic.test", sandbox.endpoint_url
    )


# --- other states ---------------------------------------------------------------------------


def test_a_confirmed_user_is_fine_but_an_unverified_email_is_flagged(
    sandbox: Sandbox, healthy: Setup
) -> None:
    invite(sandbox, healthy, "ok@clinic.test")
    idp = sandbox.client("cognito-idp")
    idp.admin_set_user_password(
        UserPoolId=healthy.pool_id, Username="ok@clinic.test", Password=PASSWORD, Permanent=True
    )
    result = invoke(healthy, sandbox, "ok@clinic.test")
    assert result.exit_code == 0
    text = words(result.stdout)
    assert "✓ confirmed: the user has set a password and can sign in" in text
    assert "! email_verified is not true" in text
    assert "admin-update-user-attributes" in text
    assert "--user-attributes Name=email_verified,Value=true" in result.stdout
    idp.admin_update_user_attributes(
        UserPoolId=healthy.pool_id,
        Username="ok@clinic.test",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    result = invoke(healthy, sandbox, "ok@clinic.test")
    assert result.exit_code == 0
    assert "email_verified is not true" not in result.stdout
    assert "(verified)" in result.stdout


def test_a_disabled_user_is_a_problem_with_the_enable_command(
    sandbox: Sandbox, healthy: Setup
) -> None:
    invite(sandbox, healthy, "off@clinic.test")
    sandbox.client("cognito-idp").admin_disable_user(
        UserPoolId=healthy.pool_id, Username="off@clinic.test"
    )
    result = invoke(healthy, sandbox, "off@clinic.test")
    assert result.exit_code == 1
    assert "✗ the user is disabled" in result.stdout
    assert (
        f"aws cognito-idp admin-enable-user --region eu-west-2 "
        f"--endpoint-url {sandbox.endpoint_url} "
        f"--user-pool-id {healthy.pool_id} "
        "--username off@clinic.test"
    ) in result.stdout


def test_a_missing_user_gets_the_invite_command_and_no_14_day_wait(
    sandbox: Sandbox, healthy: Setup
) -> None:
    result = invoke(healthy, sandbox, "nobody@clinic.test")
    assert result.exit_code == 1
    text = words(result.stdout)
    assert f"✗ no user with email nobody@clinic.test in pool {healthy.pool_id}" in text
    assert "there is no 14-day wait; 14 days is how long a deleted pool is kept" in text
    assert (
        f"aws cognito-idp admin-create-user --region eu-west-2 "
        f"--endpoint-url {sandbox.endpoint_url} "
        f"--user-pool-id {healthy.pool_id} "
        "--username nobody@clinic.test --user-attributes Name=email,Value=nobody@clinic.test"
    ) in result.stdout


def test_a_user_whose_username_is_not_the_email_is_found_by_email(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(tmp_path / "usernames", pool_changes={"UsernameAttributes": []})
    invite(sandbox, setup, "carol@clinic.test", username="carol.k")
    result = invoke(setup, sandbox, "carol@clinic.test")
    assert result.exit_code == 0, result.output
    assert "username    carol.k" in result.stdout
    # The resend names the user by their username here.
    assert resend(setup, "carol.k", sandbox.endpoint_url) in result.stdout


# --- errors --------------------------------------------------------------------------------


def test_an_email_that_is_not_one_is_a_usage_error(sandbox: Sandbox, healthy: Setup) -> None:
    result = invoke(healthy, sandbox, 'not an "email"')
    assert result.exit_code == 2
    assert "is not an email address" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_the_env_files_the_user_cannot_be_looked_up(
    sandbox: Sandbox, healthy: Setup
) -> None:
    (healthy.root / UM_ENV).unlink()
    (healthy.root / AUTH_ENV).unlink()
    result = invoke(healthy, sandbox, "a@clinic.test")
    assert result.exit_code == 1
    text = words(result.stdout)
    assert "? couldn't look the user up: no well-formed COGNITO_USER_POOL_ID" in text


def test_a_pool_that_does_not_exist_is_named(sandbox: Sandbox, tmp_path: Path) -> None:
    setup = sandbox.create_setup(
        tmp_path / "gone",
        um_changes={"COGNITO_USER_POOL_ID": "eu-west-2_Missing1"},
        auth_changes={"COGNITO_USER_POOL_ID": "eu-west-2_Missing1"},
    )
    result = invoke(setup, sandbox, "a@clinic.test")
    assert result.exit_code == 1
    assert "user pool eu-west-2_Missing1 was not found in eu-west-2" in words(result.stdout)


def test_an_operator_denied_both_lookups_is_told_which_permissions_to_get(
    tmp_path: Path,
) -> None:
    config = RunConfig(root=tmp_path)
    access = AwsAccess(config)
    client = access.operator("cognito-idp", "eu-west-2")
    with Stubber(client) as stubber:
        for operation in ("admin_get_user", "list_users"):
            stubber.add_client_error(
                operation,
                service_error_code="AccessDeniedException",
                service_message="not authorized",
                http_status_code=400,
            )
        ctx = CheckContext(config, _aws=access)
        with pytest.raises(users._LookupFailed) as failure:
            users._find_users(ctx, PoolRef("eu-west-2_Abc1", "eu-west-2", None), "a@clinic.test")
    assert "cognito-idp:AdminGetUser" in failure.value.message
    assert "cognito-idp:ListUsers" in failure.value.message
    assert "cognito-idp:AdminGetUser and cognito-idp:ListUsers" in failure.value.fix


# --- the assessment on its own ----------------------------------------------------------------

POOL: dict[str, Any] = {"Id": "eu-west-2_Abc1", "UsernameAttributes": ["email"]}
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def a_user(status: str, **changes: Any) -> CognitoUser:
    values: dict[str, Any] = {
        "username": "5f1c-sub",
        "status": status,
        "enabled": True,
        "email": "p@clinic.test",
        "email_verified": True,
        "sub": "5f1c-sub",
        "created": NOW - timedelta(days=1),
        "modified": NOW - timedelta(days=1),
    }
    values.update(changes)
    return CognitoUser(**values)


@pytest.mark.parametrize(
    ("status", "level", "words_", "command"),
    [
        ("RESET_REQUIRED", PROBLEM, "a password reset is required", "admin-reset-user-password"),
        ("UNCONFIRMED", PROBLEM, "signed up but never confirmed", "admin-confirm-sign-up"),
        ("COMPROMISED", PROBLEM, "marked the user's credentials as compromised", "reset"),
        ("EXTERNAL_PROVIDER", OK, "external identity provider", None),
        ("ARCHIVED", PROBLEM, "in state ARCHIVED", None),
    ],
)
def test_each_status_has_its_meaning_and_fix(
    status: str, level: str, words_: str, command: str | None
) -> None:
    assessment = assess_user(
        a_user(status), POOL, target=AwsTarget(), region="eu-west-2", email="p@clinic.test", now=NOW
    )
    assert assessment.level == level
    assert status in assessment.tags
    finding = assessment.findings[0]
    assert words_ in finding.message
    if command:
        assert finding.fix_command is not None and command in finding.fix_command
        assert "--username p@clinic.test" in finding.fix_command


def test_a_resent_invitation_is_not_called_expired() -> None:
    resent = a_user(
        "FORCE_CHANGE_PASSWORD",
        email_verified=None,
        created=NOW - timedelta(days=10),
        modified=NOW - timedelta(days=2),
    )
    assessment = assess_user(
        resent, POOL, target=AwsTarget(), region="eu-west-2", email="p@clinic.test", now=NOW
    )
    assert assessment.level == WARN
    assert "invitation_valid" in assessment.tags and "invitation_expired" not in assessment.tags
    assert "a resent invitation does that" in assessment.findings[0].message


@pytest.mark.parametrize(
    ("pool", "days"),
    [
        ({"Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 2}}}, 2),
        ({"AdminCreateUserConfig": {"UnusedAccountValidityDays": 14}}, 14),
        (
            {
                "Policies": {"PasswordPolicy": {"TemporaryPasswordValidityDays": 5}},
                "AdminCreateUserConfig": {"UnusedAccountValidityDays": 14},
            },
            5,
        ),
        ({}, 7),
    ],
)
def test_temporary_password_validity(pool: dict[str, Any], days: int) -> None:
    assert temporary_password_days(pool) == days
