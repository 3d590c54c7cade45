"""The pool.* checks, end to end against moto's server: healthy and broken pools, dev and prod,
and the printed fixes run against the same server to prove they repair what they claim to."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cognito_doctor.checks.pool import SES_DOMAIN_PLACEHOLDER, pool_exists
from cognito_doctor.demo.sandbox import (
    DEFAULT_REGION,
    Sandbox,
    Setup,
    healthy_pool_params,
    write_env_file,
)
from cognito_doctor.engine.model import Report, Rules, Status
from cognito_doctor.engine.registry import Registry
from cognito_doctor.facts.records import PoolLookup
from cognito_doctor.platform.awscli import RESET_WARNING
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef
from tests.conftest import result_of, statuses

POOL_CHECKS = (
    "pool.exists",
    "pool.email-sign-in",
    "pool.mfa",
    "pool.required-attributes",
    "pool.self-signup",
    "pool.email-verification",
    "pool.account-recovery",
    "pool.password-policy",
    "pool.deletion-protection",
    "pool.email-sending",
    "pool.invitation-template",
    "pool.username-case",
)
UPDATE_RESET_WARNING = RESET_WARNING.format(what="user-pool")
PROD_READY = {
    "Policies": {
        "PasswordPolicy": {
            "MinimumLength": 12,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": True,
            "TemporaryPasswordValidityDays": 7,
        }
    },
    "EmailConfiguration": {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": "arn:aws:ses:eu-west-2:123456789012:identity/mail.example.org",
        "From": "no-reply@mail.example.org",
    },
    "DeletionProtection": "ACTIVE",
    "UsernameConfiguration": {"CaseSensitive": False},
}

RunReport = Callable[..., Report]


@pytest.fixture
def check_pool(run_report: RunReport, sandbox: Sandbox) -> Callable[..., Report]:
    """Run only the pool checks over `root` against the sandbox."""

    def run(root: Path, environment: Rules = Rules.DEV) -> Report:
        return run_report(
            root, endpoint_url=sandbox.endpoint_url, only=("pool",), rules=environment
        )

    return run


def run_fix(sandbox: Sandbox, command: str) -> dict[str, Any]:
    """Run a printed `aws cognito-idp …` command as the same API call on the sandbox; return
    the call's parameters and its response."""
    argv = shlex.split(command)
    assert argv[:2] == ["aws", "cognito-idp"], command
    operation, options = argv[2], argv[3:]
    assert len(options) % 2 == 0, f"every option takes one value: {command}"
    pairs = dict(zip(options[::2], options[1::2], strict=True))
    region = pairs.pop("--region")
    # The run's target: the sandbox client stands for it, so it must be the sandbox's.
    assert pairs.pop("--endpoint-url", sandbox.endpoint_url) == sandbox.endpoint_url, command
    params: dict[str, Any] = json.loads(pairs.pop("--cli-input-json", "{}"))
    for flag, value in pairs.items():
        params["".join(part.capitalize() for part in flag[2:].split("-"))] = value
    idp = sandbox.client("cognito-idp", region)
    response = getattr(idp, operation.replace("-", "_"))(**params)
    return {"params": params, "response": response}


def describe(sandbox: Sandbox, setup: Setup, pool_id: str | None = None) -> dict[str, Any]:
    """DescribeUserPool of the setup's pool (or of `pool_id` in its region)."""
    pool: dict[str, Any] = sandbox.client("cognito-idp", setup.region).describe_user_pool(
        UserPoolId=pool_id or setup.pool_id
    )["UserPool"]
    return pool


def point_at_pool(setup: Setup, pool_id: str) -> None:
    """Rewrite both .env files of `setup` to name another pool (in the same region)."""
    write_env_file(setup.root / UM_ENV, {**setup.um_env, "COGNITO_USER_POOL_ID": pool_id})
    write_env_file(setup.root / AUTH_ENV, {**setup.auth_env, "COGNITO_USER_POOL_ID": pool_id})


def pool_setup(
    sandbox: Sandbox,
    root: Path,
    *,
    region: str = DEFAULT_REGION,
    without: tuple[str, ...] = (),
    **changes: Any,
) -> Setup:
    """Just a pool (the runbook's, with `changes` applied and the CreateUserPool members in
    `without` left out) and the two .env files naming it: the pool checks need nothing else,
    and this is much quicker than a full create_setup."""
    params = {**healthy_pool_params(f"clinical-platform-{root.name}"), **changes}
    for key in without:
        params.pop(key)
    idp = sandbox.client("cognito-idp", region)
    pool_id: str = idp.create_user_pool(**params)["UserPool"]["Id"]
    um = {"COGNITO_PROVIDER": "cognito", "COGNITO_USER_POOL_ID": pool_id, "COGNITO_REGION": region}
    auth = {"COGNITO_USER_POOL_ID": pool_id, "COGNITO_REGION": region}
    write_env_file(root / UM_ENV, um)
    write_env_file(root / AUTH_ENV, auth)
    return Setup(root, region, pool_id, "", um, auth)


def assert_update_fix(result: Any, pool_id: str, console: str) -> None:
    """A fix built on update-user-pool: console path, full command, the reset warning."""
    outcome = result.outcome
    assert console in outcome.fix
    assert outcome.fix_command is not None
    assert outcome.fix_command.startswith("aws cognito-idp update-user-pool --region ")
    assert outcome.fix_command in outcome.fix
    assert UPDATE_RESET_WARNING in outcome.fix
    assert "apply one such command, then run cognito-doctor again" in outcome.fix
    params = json.loads(shlex.split(outcome.fix_command)[-1])
    assert params["UserPoolId"] == pool_id


# --- the registry ----------------------------------------------------------------------


def test_pool_checks_are_registered_with_docs(registry: Registry) -> None:
    ids = [spec_id for spec_id in registry.checks if spec_id.startswith("pool.")]
    assert ids == list(POOL_CHECKS)
    assert registry.checks["pool.deletion-protection"].environments == (Rules.PROD,)
    mfa_doc = registry.checks["pool.mfa"].doc
    assert "admin-api" in mfa_doc and "intended" in mfa_doc


# --- healthy pools, dev and prod -------------------------------------------------------


def test_healthy_pool_passes_every_pool_check_in_dev_but_not_prod(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    setup = sandbox.create_setup(tmp_path)
    report = check_pool(tmp_path)
    expected = dict.fromkeys(POOL_CHECKS, Status.PASS)
    expected["pool.email-sending"] = Status.WARN
    expected["pool.deletion-protection"] = Status.SKIP
    assert statuses(report) == expected

    exists = result_of(report, "pool.exists").outcome
    assert setup.pool_id in exists.message and "eu-west-2" in exists.message
    assert "admin-api" in result_of(report, "pool.mfa").outcome.message
    policy = result_of(report, "pool.password-policy").outcome.message
    assert policy.startswith("dev: minimum length 8") and "prod needs 12+" in policy
    sending = result_of(report, "pool.email-sending").outcome
    assert "about 50 emails a day" in sending.message
    assert "no-reply@verificationemail.com" in sending.message
    assert "Send email with Amazon SES" in sending.fix
    assert "--env prod" in result_of(report, "pool.deletion-protection").outcome.message

    # The runbook's dev pool is not yet a prod pool.
    prod = check_pool(tmp_path, Rules.PROD)
    expected = dict.fromkeys(POOL_CHECKS, Status.PASS)
    expected["pool.password-policy"] = Status.FAIL
    expected["pool.email-sending"] = Status.FAIL
    expected["pool.deletion-protection"] = Status.WARN
    assert statuses(prod) == expected
    policy = result_of(prod, "pool.password-policy").outcome.message
    assert "minimum length is 8 (prod needs 12+)" in policy
    sending_prod = result_of(prod, "pool.email-sending").outcome.message
    assert "prod must send through Amazon SES" in sending_prod
    protection = result_of(prod, "pool.deletion-protection").outcome
    assert "deletion protection is INACTIVE" in protection.message
    assert "Settings → Deletion protection → Edit → Activate" in protection.fix


def test_prod_ready_pool_passes_in_prod(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    sandbox.create_setup(tmp_path, pool_changes=PROD_READY)
    prod = check_pool(tmp_path, Rules.PROD)
    assert statuses(prod) == {check_id: Status.PASS for check_id in POOL_CHECKS}
    sending = result_of(prod, "pool.email-sending").outcome.message
    assert "identity/mail.example.org" in sending and "no-reply@mail.example.org" in sending
    assert result_of(prod, "pool.password-policy").outcome.message.startswith(
        "prod: minimum length 12"
    )


# --- pool.exists -----------------------------------------------------------------------


def test_missing_pool_lists_the_pools_of_the_region(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    region = "ca-central-1"
    setup = pool_setup(sandbox, tmp_path, region=region)
    missing = f"{region}_NoSuchPool1"
    point_at_pool(setup, missing)
    report = check_pool(tmp_path)

    exists = result_of(report, "pool.exists").outcome
    assert exists.status is Status.FAIL
    assert f"user pool {missing} was not found in {region}" in exists.message
    name = describe(sandbox, setup)["Name"]
    assert f"{name} ({setup.pool_id})" in exists.message
    listed = sandbox.client("cognito-idp", region).list_user_pools(MaxResults=60)["UserPools"]
    assert {p["id"] for p in exists.evidence["pools_in_region"]} == {p["Id"] for p in listed}
    # A single pool named like the runbook's is offered as the likely value (only this test
    # makes pools in ca-central-1, so that is this one).
    assert [p["Id"] for p in listed if "clinical-platform" in p["Name"]] == [setup.pool_id]
    assert f"COGNITO_USER_POOL_ID={setup.pool_id} in {UM_ENV} and {AUTH_ENV}" in exists.fix
    assert "COGNITO_REGION" in exists.fix
    for check_id in POOL_CHECKS[1:]:
        if check_id == "pool.deletion-protection":
            continue  # prod only
        skipped = result_of(report, check_id).outcome
        assert skipped.status is Status.SKIP, check_id
        assert "see pool.exists" in skipped.message


def test_missing_pool_says_why_pools_could_not_be_listed() -> None:
    ref = PoolRef("eu-west-2_Gone1", "eu-west-2", None)
    denied = "the operator may not call cognito-idp:ListUserPools (AccessDeniedException)"
    settings = RunConfig(root=Path("."))
    outcome = pool_exists(pool_lookup=PoolLookup(ref, None, (), denied), settings=settings)
    assert outcome.status is Status.FAIL
    assert (
        "could not be listed" in outcome.message and "cognito-idp:ListUserPools" in outcome.message
    )

    empty = pool_exists(
        pool_lookup=PoolLookup(PoolRef("eu-west-2_Gone1", "eu-west-3", None), None),
        settings=settings,
    )
    assert "there are no user pools at all in eu-west-3" in empty.message
    assert "its id starts with eu-west-2, but the region used is eu-west-3" in empty.message


# --- immutable settings: a new pool ----------------------------------------------------


EMAIL_ONLY = {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}
NAME = {"Name": "name", "AttributeDataType": "String", "Required": True, "Mutable": True}


@pytest.mark.parametrize(
    ("changes", "without", "sign_in", "attributes"),
    [
        (
            # moto lists only the schema attributes given at creation, as here.
            {"UsernameAttributes": [], "Schema": [EMAIL_ONLY]},
            (),
            "users sign in with a separate username (UsernameAttributes is not set)",
            "name is not required (CognitoService.createUser sends a name attribute",
        ),
        (
            {
                "UsernameAttributes": ["email", "phone_number"],
                "Schema": [{**EMAIL_ONLY, "Required": False}, NAME],
            },
            (),
            "UsernameAttributes is ['email', 'phone_number']: users can also sign in with "
            "phone_number",
            "email is not required (users without an email address get no invitation",
        ),
        (
            # Created without a Schema, moto lists every standard attribute, none required,
            # as real AWS always lists them all.
            {"UsernameAttributes": [], "AliasAttributes": ["email"]},
            ("Schema",),
            "AliasAttributes is ['email']: these are aliases of a separate username",
            "email and name are not required",
        ),
    ],
)
def test_immutable_settings_fail_and_need_a_new_pool(
    sandbox: Sandbox,
    check_pool: Callable[..., Report],
    tmp_path: Path,
    changes: dict[str, Any],
    without: tuple[str, ...],
    sign_in: str,
    attributes: str,
) -> None:
    setup = pool_setup(sandbox, tmp_path, without=without, **changes)
    report = check_pool(tmp_path)
    for check_id, words in (
        ("pool.email-sign-in", sign_in),
        ("pool.required-attributes", attributes),
    ):
        outcome = result_of(report, check_id).outcome
        assert outcome.status is Status.FAIL, check_id
        assert words in outcome.message
        assert "can't be changed on an existing pool" in outcome.message
        assert "cannot be changed after a user pool is created: you need a new pool" in outcome.fix
        assert "Users must be migrated" in outcome.fix
        assert f"re-invite the users of {setup.pool_id}" in outcome.fix
        assert "COGNITO_USER_POOL_ID" in outcome.fix and "IAM policy" in outcome.fix
        assert outcome.fix_command is not None and outcome.fix_command in outcome.fix
        assert outcome.fix_command.startswith(
            f"aws cognito-idp create-user-pool --region eu-west-2 "
            f"--endpoint-url {sandbox.endpoint_url} "
        )


def test_new_pool_command_makes_a_runbook_pool_and_keeps_other_settings(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    invite = {
        "EmailSubject": "Welcome to the platform",
        "EmailMessage": "Hi {username}, your code is {####}",
    }
    setup = pool_setup(
        sandbox,
        tmp_path,
        UsernameAttributes=[],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False, "InviteMessageTemplate": invite},
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True},
            {"Name": "tenant", "AttributeDataType": "String", "Mutable": True},
        ],
    )
    report = check_pool(tmp_path)
    sign_in = result_of(report, "pool.email-sign-in").outcome
    attributes = result_of(report, "pool.required-attributes").outcome
    assert attributes.status is Status.FAIL
    assert "name is not required" in attributes.message
    assert "CognitoService.createUser" in attributes.message
    # Both immutable findings print the same replacement pool.
    assert sign_in.fix_command is not None
    assert sign_in.fix_command == attributes.fix_command

    created = run_fix(sandbox, sign_in.fix_command)
    new_pool = created["response"]["UserPool"]
    assert new_pool["Name"] == f"{describe(sandbox, setup)['Name']}-v2"
    point_at_pool(setup, new_pool["Id"])
    after = check_pool(tmp_path)
    for check_id in (
        "pool.email-sign-in",
        "pool.required-attributes",
        "pool.mfa",
        "pool.self-signup",
        "pool.email-verification",
        "pool.account-recovery",
    ):
        assert result_of(after, check_id).status is Status.PASS, check_id
    kept = describe(sandbox, setup, new_pool["Id"])
    # A COGNITO_DEFAULT pool may not carry a custom email subject (DEVELOPER only, in
    # botocore's model), so the command leaves it out; the new pool is case-insensitive.
    template = kept["AdminCreateUserConfig"].get("InviteMessageTemplate") or {}
    assert "EmailSubject" not in template
    assert (
        "EmailSubject" in describe(sandbox, setup)["AdminCreateUserConfig"]["InviteMessageTemplate"]
    )
    argv = shlex.split(sign_in.fix_command)
    assert json.loads(argv[argv.index("--cli-input-json") + 1])["UsernameConfiguration"] == {
        "CaseSensitive": False
    }
    assert kept["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert "custom:tenant" in {a["Name"] for a in kept["SchemaAttributes"]}


# --- pool.mfa --------------------------------------------------------------------------


def pool_with_mfa(sandbox: Sandbox, root: Path, mfa: str) -> Setup:
    """A runbook pool whose MFA was then set with SetUserPoolMfaConfig.

    (moto's DescribeUserPool reports the MfaConfiguration given to CreateUserPool over the
    one SetUserPoolMfaConfig set, so the pool is created without one.)
    """
    setup = pool_setup(sandbox, root, without=("MfaConfiguration",))
    sandbox.client("cognito-idp").set_user_pool_mfa_config(
        UserPoolId=setup.pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration=mfa,
    )
    return setup


def test_mfa_on_fails_and_the_fix_turns_it_off(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    setup = pool_with_mfa(sandbox, tmp_path, "ON")
    outcome = result_of(check_pool(tmp_path), "pool.mfa").outcome
    assert outcome.status is Status.FAIL
    assert "MfaConfiguration=ON" in outcome.message and "admin-api" in outcome.message
    assert outcome.fix_command == (
        f"aws cognito-idp set-user-pool-mfa-config --region eu-west-2 "
        f"--endpoint-url {sandbox.endpoint_url} "
        f"--user-pool-id {setup.pool_id} --mfa-configuration OFF"
    )
    assert "Sign-in → Multi-factor authentication → Edit → No MFA" in outcome.fix

    run_fix(sandbox, outcome.fix_command)
    after = check_pool(tmp_path)
    assert result_of(after, "pool.mfa").status is Status.PASS
    healthy_in_the_sandbox = set(POOL_CHECKS) - {
        "pool.deletion-protection",
        "pool.email-sending",
        "pool.username-case",
    }
    assert {result_of(after, c).status for c in healthy_in_the_sandbox} == {Status.PASS}


def test_optional_mfa_warns(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    # OPTIONAL prompts only users who enrolled a factor (UpdateUserPoolRequest.
    # MfaConfiguration in botocore's model), and the platform enrols none.
    pool_with_mfa(sandbox, tmp_path, "OPTIONAL")
    outcome = result_of(check_pool(tmp_path), "pool.mfa").outcome
    assert outcome.status is Status.WARN
    assert "MfaConfiguration=OPTIONAL" in outcome.message
    assert "prompts only users who enrolled" in outcome.message
    assert "--mfa-configuration OFF" in outcome.fix


# --- fixes through update-user-pool ----------------------------------------------------


def test_self_signup_fails_and_the_fix_keeps_every_other_setting(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    setup = pool_setup(
        sandbox,
        tmp_path,
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
        Policies={"PasswordPolicy": {"MinimumLength": 14, "TemporaryPasswordValidityDays": 3}},
    )
    before = describe(sandbox, setup)
    result = result_of(check_pool(tmp_path), "pool.self-signup")
    assert result.status is Status.FAIL
    assert result.outcome.message.startswith(
        "anyone can sign up: AllowAdminCreateUserOnly is false"
    )
    assert_update_fix(
        result,
        setup.pool_id,
        f"Cognito → User pools → {before['Name']} → Sign-up → Self-service sign-up → Edit → "
        "Disable self-registration",
    )

    fix = run_fix(sandbox, result.outcome.fix_command)
    assert fix["params"]["AccountRecoverySetting"] == before["AccountRecoverySetting"]
    after = check_pool(tmp_path)
    for check_id in (
        "pool.self-signup",
        "pool.account-recovery",
        "pool.email-verification",
        "pool.required-attributes",
        "pool.mfa",
    ):
        assert result_of(after, check_id).status is Status.PASS, check_id
    # moto's UpdateUserPool resets what it is not given (as AWS does), so these survived
    # only because the command carried them. (It also drops the immutable
    # UsernameAttributes, which AWS keeps: pool.email-sign-in is not asserted here.)
    updated = describe(sandbox, setup)
    assert updated["Policies"] == before["Policies"]
    assert updated["AccountRecoverySetting"] == before["AccountRecoverySetting"]
    assert updated["AutoVerifiedAttributes"] == ["email"]
    assert updated["SchemaAttributes"] == before["SchemaAttributes"]


def test_email_verification_off_fails_and_the_fix_turns_it_on(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    setup = pool_setup(sandbox, tmp_path, AutoVerifiedAttributes=[])
    result = result_of(check_pool(tmp_path), "pool.email-verification")
    assert result.status is Status.FAIL
    assert "AutoVerifiedAttributes is empty" in result.outcome.message
    assert "AdminResetUserPassword" in result.outcome.message
    assert_update_fix(
        result, setup.pool_id, "Sign-up → Attribute verification and user account confirmation"
    )

    run_fix(sandbox, result.outcome.fix_command)
    after = check_pool(tmp_path)
    for check_id in ("pool.email-verification", "pool.self-signup", "pool.account-recovery"):
        assert result_of(after, check_id).status is Status.PASS, check_id


@pytest.mark.parametrize(
    ("recovery", "words"),
    [
        (
            [{"Priority": 1, "Name": "admin_only"}],
            "account recovery is admin_only: AdminResetUserPassword",
        ),
        (
            [
                {"Priority": 1, "Name": "verified_phone_number"},
                {"Priority": 2, "Name": "verified_email"},
            ],
            "account recovery is verified_phone_number then verified_email",
        ),
    ],
)
def test_account_recovery_other_than_email_fails(
    sandbox: Sandbox,
    check_pool: Callable[..., Report],
    tmp_path: Path,
    recovery: list[dict[str, Any]] | None,
    words: str,
) -> None:
    if recovery is None:
        pool_id = pool_setup(sandbox, tmp_path, without=("AccountRecoverySetting",)).pool_id
    else:
        recovery_setting = {"RecoveryMechanisms": recovery}
        pool_id = pool_setup(sandbox, tmp_path, AccountRecoverySetting=recovery_setting).pool_id
    result = result_of(check_pool(tmp_path), "pool.account-recovery")
    assert result.status is Status.FAIL
    assert words in result.outcome.message
    assert_update_fix(result, pool_id, "Sign-in → User account recovery → Edit → Email only")


def test_no_account_recovery_setting_warns(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    # "In the absence of this setting, Amazon Cognito uses the legacy behavior ... where SMS
    # is preferred through email" (UserPoolType.AccountRecoverySetting): email still works
    # for users without a phone, so this warns rather than fails.
    pool_id = pool_setup(sandbox, tmp_path, without=("AccountRecoverySetting",)).pool_id
    result = result_of(check_pool(tmp_path), "pool.account-recovery")
    assert result.status is Status.WARN
    assert "legacy order, SMS first and email for users without a phone" in result.outcome.message
    assert_update_fix(result, pool_id, "Sign-in → User account recovery → Edit → Email only")

    run_fix(sandbox, result.outcome.fix_command)
    after = check_pool(tmp_path)
    for check_id in ("pool.account-recovery", "pool.self-signup", "pool.email-verification"):
        assert result_of(after, check_id).status is Status.PASS, check_id


def test_weak_password_policy_passes_in_dev_and_fails_in_prod(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    weak = {
        "MinimumLength": 6,
        "RequireUppercase": True,
        "RequireLowercase": True,
        "RequireNumbers": True,
        "RequireSymbols": False,
        "TemporaryPasswordValidityDays": 3,
    }
    setup = pool_setup(
        sandbox,
        tmp_path,
        EmailConfiguration=PROD_READY["EmailConfiguration"],
        DeletionProtection="ACTIVE",
        Policies={"PasswordPolicy": weak},
    )
    dev = result_of(check_pool(tmp_path), "pool.password-policy").outcome
    assert dev.status is Status.PASS
    assert dev.message.startswith("dev: minimum length 6")

    prod = result_of(check_pool(tmp_path, Rules.PROD), "pool.password-policy")
    assert prod.status is Status.FAIL
    assert "minimum length is 6 (prod needs 12+)" in prod.outcome.message
    assert "symbols not required" in prod.outcome.message
    assert_update_fix(prod, setup.pool_id, "Authentication methods → Password policy → Edit")

    run_fix(sandbox, prod.outcome.fix_command)
    after = check_pool(tmp_path, Rules.PROD)
    for check_id in (
        "pool.password-policy",
        "pool.email-sending",
        "pool.deletion-protection",
        "pool.self-signup",
        "pool.account-recovery",
    ):
        assert result_of(after, check_id).status is Status.PASS, check_id
    policy = describe(sandbox, setup)["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 12 and policy["RequireSymbols"] is True
    assert policy["TemporaryPasswordValidityDays"] == 3


def test_email_sending_fix_switches_to_ses(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    # Prod-grade otherwise: with a second pool change pending, no single command is printed.
    strong = {"Policies": PROD_READY["Policies"], "DeletionProtection": "ACTIVE"}
    setup = pool_setup(sandbox, tmp_path, **strong)
    result = result_of(check_pool(tmp_path, Rules.PROD), "pool.email-sending")
    assert result.status is Status.FAIL
    fix = result.outcome.fix
    assert UPDATE_RESET_WARNING in fix
    assert f"Replace {SES_DOMAIN_PLACEHOLDER}" in fix
    assert "Authentication methods → Email → Edit → Send email with Amazon SES" in fix
    # The command needs the person's domain, so it is not offered as a ready fix_command.
    assert result.outcome.fix_command is None
    command = next(line for line in fix.splitlines() if line.startswith("aws cognito-idp"))
    assert f"arn:aws:ses:eu-west-2:123456789012:identity/{SES_DOMAIN_PLACEHOLDER}" in command

    run_fix(sandbox, command.replace(SES_DOMAIN_PLACEHOLDER, "mail.example.org"))
    after = check_pool(tmp_path, Rules.PROD)
    sending = result_of(after, "pool.email-sending").outcome
    assert sending.status is Status.PASS
    assert "identity/mail.example.org as no-reply@mail.example.org" in sending.message
    assert result_of(after, "pool.account-recovery").status is Status.PASS
    assert describe(sandbox, setup)["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True


def test_ses_without_source_arn_fails_even_in_dev(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    pool_setup(sandbox, tmp_path, EmailConfiguration={"EmailSendingAccount": "DEVELOPER"})
    outcome = result_of(check_pool(tmp_path), "pool.email-sending").outcome
    assert outcome.status is Status.FAIL
    assert "DEVELOPER but no SourceArn" in outcome.message


def test_deletion_protection_fix_activates_it(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    # The one pool change pending (a weak password policy would be a second: see
    # test_several_pool_changes_point_at_the_plan).
    setup = pool_setup(
        sandbox, tmp_path, DeletionProtection="INACTIVE", Policies=PROD_READY["Policies"]
    )
    result = result_of(check_pool(tmp_path, Rules.PROD), "pool.deletion-protection")
    assert result.status is Status.WARN
    assert result.outcome.message.startswith("deletion protection is INACTIVE")
    assert_update_fix(result, setup.pool_id, "Settings → Deletion protection → Edit → Activate")

    run_fix(sandbox, result.outcome.fix_command)
    after = check_pool(tmp_path, Rules.PROD)
    assert result_of(after, "pool.deletion-protection").outcome.message == (
        "deletion protection is ACTIVE"
    )
    assert result_of(after, "pool.self-signup").status is Status.PASS


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_pool_fixes_run_as_printed_with_the_real_aws_cli(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    """Where the AWS CLI is installed, paste an update-user-pool and a create-user-pool fix
    into it, unchanged, with a fresh report in between (as the fixes say)."""
    setup = pool_setup(
        sandbox,
        tmp_path,
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
        Schema=[
            {"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}
        ],
    )

    def paste(check_id: str) -> Any:
        command = result_of(check_pool(tmp_path), check_id).outcome.fix_command
        assert command is not None, check_id
        done = subprocess.run(
            [*shlex.split(command), "--endpoint-url", sandbox.endpoint_url, "--output", "json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    paste("pool.self-signup")
    assert result_of(check_pool(tmp_path), "pool.self-signup").status is Status.PASS
    new_pool = paste("pool.required-attributes")["UserPool"]
    assert new_pool["Name"].endswith("-v2")
    point_at_pool(setup, new_pool["Id"])
    expected = dict.fromkeys(POOL_CHECKS, Status.PASS)
    expected["pool.email-sending"] = Status.WARN
    expected["pool.deletion-protection"] = Status.SKIP
    assert statuses(check_pool(tmp_path)) == expected


def test_several_pool_changes_point_at_the_plan(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    """Two pool checks failing at once: neither prints an update-user-pool (each would carry
    the other's setting as it is now, so pasting both loses the first); both say to run
    `cognito-doctor fix`, and carry their change as data for it."""
    pool_setup(
        sandbox,
        tmp_path,
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": False},
        AccountRecoverySetting={"RecoveryMechanisms": [{"Priority": 1, "Name": "admin_only"}]},
    )
    report = check_pool(tmp_path, Rules.DEV)
    for check_id in ("pool.self-signup", "pool.account-recovery"):
        outcome = result_of(report, check_id).outcome
        assert outcome.status is Status.FAIL
        assert outcome.fix_command is None
        assert "aws cognito-idp update-user-pool" not in outcome.fix
        assert "run `cognito-doctor fix`" in outcome.fix.lower()
        assert "pool.self-signup, pool.account-recovery" in outcome.fix
    assert result_of(report, "pool.self-signup").outcome.change.members == {
        "AdminCreateUserConfig.AllowAdminCreateUserOnly": True
    }


def test_no_printed_pool_command_undoes_another_pool_fix(
    sandbox: Sandbox, check_pool: Callable[..., Report], tmp_path: Path
) -> None:
    """The demo's broken pool: self-sign-up on, and (dev) Cognito's default sender. The SES
    fix is a pool change too: its command would carry AllowAdminCreateUserOnly false and turn
    self-sign-up back on after the self-signup fix, so it points at the plan instead."""
    sandbox.create_broken_setup(tmp_path)
    report = check_pool(tmp_path)
    signup = result_of(report, "pool.self-signup").outcome
    sending = result_of(report, "pool.email-sending").outcome
    assert signup.status is Status.FAIL and sending.status is Status.WARN
    assert sending.fix_command is None
    assert "cognito-doctor fix" in sending.fix and "update-user-pool --" not in sending.fix
    commands = [
        r.outcome.fix_command
        for r in report.results
        if r.outcome.fix_command and "update-user-pool " in r.outcome.fix_command
    ]
    assert commands == [signup.fix_command]
    assert '"AllowAdminCreateUserOnly":true' in str(signup.fix_command)
