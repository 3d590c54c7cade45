"""The offline region table and the update-* fix builders, held against the installed
botocore's own data, and the printed input run against moto's server."""

from __future__ import annotations

import copy
import datetime
import json
import shlex
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.model import ServiceModel, Shape
from botocore.validate import ParamValidator

from cognito_doctor.demo.sandbox import Sandbox
from cognito_doctor.platform.awscli import (
    RESET_WARNING,
    AwsTarget,
    update_user_pool_client_command,
    update_user_pool_client_input,
    update_user_pool_client_members,
    update_user_pool_command,
    update_user_pool_input,
    update_user_pool_members,
)
from cognito_doctor.platform.regions import (
    PARTITION_DNS_SUFFIX,
    REGION_PARTITIONS,
    expected_issuer,
    is_region,
)

POOL_ID = "eu-west-2_Xy7Pq9Rst"
CLIENT_SECRET = "1q2w3e4r5t6y7u8i9o0pa1s2d3f4g5h6j7k8l9z0x1c2v3b4n5m6"
WHEN = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)

# DescribeUserPool's UserPool as real AWS returns it, output-only members included.
DESCRIBED_POOL: dict[str, Any] = {
    "Id": POOL_ID,
    "Name": "clinical-platform",
    "Arn": f"arn:aws:cognito-idp:eu-west-2:123456789012:userpool/{POOL_ID}",
    "Policies": {
        "PasswordPolicy": {
            "MinimumLength": 8,
            "RequireUppercase": True,
            "RequireLowercase": True,
            "RequireNumbers": True,
            "RequireSymbols": True,
            "TemporaryPasswordValidityDays": 7,
        },
        "SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
    },
    "DeletionProtection": "INACTIVE",
    "LambdaConfig": {},
    "LastModifiedDate": WHEN,
    "CreationDate": WHEN,
    "SchemaAttributes": [
        {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True}
    ],
    "AutoVerifiedAttributes": ["email"],
    "UsernameAttributes": ["email"],
    "EmailVerificationMessage": "Your verification code is {####}. ",
    "EmailVerificationSubject": "Your verification code",
    "VerificationMessageTemplate": {
        "EmailMessage": "Your verification code is {####}. ",
        "EmailSubject": "Your verification code",
        "DefaultEmailOption": "CONFIRM_WITH_CODE",
    },
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": []},
    "MfaConfiguration": "ON",
    "EstimatedNumberOfUsers": 3,
    "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
    "UserPoolTags": {"team": "platform"},
    "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False, "UnusedAccountValidityDays": 7},
    "UsernameConfiguration": {"CaseSensitive": False},
    "AccountRecoverySetting": {"RecoveryMechanisms": [{"Priority": 1, "Name": "verified_email"}]},
    "UserPoolTier": "ESSENTIALS",
    "Domain": "clinical-platform-dev",
}
DESCRIBED_CLIENT: dict[str, Any] = {
    "UserPoolId": POOL_ID,
    "ClientName": "clinical-platform",
    "ClientId": "4k2j9d8s7f6g5h4j3k2l1m0n9p",
    "ClientSecret": CLIENT_SECRET,
    "LastModifiedDate": WHEN,
    "CreationDate": WHEN,
    "RefreshTokenValidity": 30,
    "TokenValidityUnits": {"RefreshToken": "days"},
    "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    "AllowedOAuthFlowsUserPoolClient": False,
    "PreventUserExistenceErrors": "ENABLED",
    "EnableTokenRevocation": True,
    "EnablePropagateAdditionalUserContextData": False,
    "AuthSessionValidity": 3,
}


@pytest.fixture(scope="module")
def cognito_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("cognito-idp")


def input_shape(model: ServiceModel, operation: str) -> Shape:
    shape = model.operation_model(operation).input_shape
    assert shape is not None
    return shape


def members(shape: Shape) -> set[str]:
    return set(shape.members)  # type: ignore[attr-defined]


def assert_valid_input(model: ServiceModel, operation: str, params: dict[str, Any]) -> None:
    report = ParamValidator().validate(params, input_shape(model, operation))
    assert not report.has_errors(), report.generate_report()


# --- regions ---------------------------------------------------------------------------


def test_region_table_is_botocores_endpoint_data() -> None:
    endpoints = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    botocore_regions = {
        region: partition["partition"]
        for partition in endpoints["partitions"]
        for region in partition["regions"]
    }
    assert botocore_regions == REGION_PARTITIONS
    assert {p["partition"]: p["dnsSuffix"] for p in endpoints["partitions"]} == (
        PARTITION_DNS_SUFFIX
    )


@pytest.mark.parametrize(
    ("name", "known"),
    [("eu-west-2", True), ("cn-north-1", True), ("eu-west-9", False), ("EU-WEST-2", False)],
)
def test_is_region(name: str, known: bool) -> None:
    assert is_region(name) is known


def test_expected_issuer_uses_the_partition_dns_suffix() -> None:
    assert expected_issuer("eu-west-2", POOL_ID) == (
        f"https://cognito-idp.eu-west-2.amazonaws.com/{POOL_ID}"
    )
    assert expected_issuer("cn-north-1", "cn-north-1_AbC123") == (
        "https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_AbC123"
    )


# --- the members carried by update-* fixes ---------------------------------------------


def test_user_pool_members_are_exactly_update_input_and_describe_output(
    cognito_model: ServiceModel,
) -> None:
    update = members(input_shape(cognito_model, "UpdateUserPool"))
    output = cognito_model.operation_model("DescribeUserPool").output_shape
    assert output is not None
    described = members(output.members["UserPool"])
    assert set(update_user_pool_members()) == (update & described) - {"UserPoolId", "Id"}
    assert len(set(update_user_pool_members())) == len(update_user_pool_members())


def test_user_pool_client_members_are_exactly_update_input_and_describe_output(
    cognito_model: ServiceModel,
) -> None:
    update = members(input_shape(cognito_model, "UpdateUserPoolClient"))
    output = cognito_model.operation_model("DescribeUserPoolClient").output_shape
    assert output is not None
    described = members(output.members["UserPoolClient"])
    assert set(update_user_pool_client_members()) == (update & described) - {
        "UserPoolId",
        "ClientId",
    }
    assert "ClientSecret" not in update_user_pool_client_members()


# --- update_user_pool_input ------------------------------------------------------------


def test_user_pool_input_carries_every_setting_and_applies_the_change(
    cognito_model: ServiceModel,
) -> None:
    pool = copy.deepcopy(DESCRIBED_POOL)
    params = update_user_pool_input(pool, {"MfaConfiguration": "OFF"})
    assert_valid_input(cognito_model, "UpdateUserPool", params)
    assert params["UserPoolId"] == POOL_ID
    assert params["MfaConfiguration"] == "OFF"
    for member in ("AutoVerifiedAttributes", "EmailConfiguration", "UserPoolTags"):
        assert params[member] == DESCRIBED_POOL[member], member
    assert params["AccountRecoverySetting"] == DESCRIBED_POOL["AccountRecoverySetting"]
    # Left out, as AWS applies them when omitted: password-only sign-in (a member AWS CLIs
    # from mid-2023 refuse) and the ESSENTIALS tier.
    assert params["Policies"] == {"PasswordPolicy": DESCRIBED_POOL["Policies"]["PasswordPolicy"]}
    assert "UserPoolTier" not in params
    # A COGNITO_DEFAULT pool may not set email messages (DEVELOPER only, in botocore's model).
    assert params["VerificationMessageTemplate"] == {"DefaultEmailOption": "CONFIRM_WITH_CODE"}
    # Output-only and immutable members are not inputs.
    for member in ("Id", "Name", "Arn", "CreationDate", "SchemaAttributes", "UsernameAttributes"):
        assert member not in params, member
    assert pool == DESCRIBED_POOL  # the describe output is left as it was


def test_user_pool_input_never_carries_unused_account_validity_days(
    cognito_model: ServiceModel,
) -> None:
    plain = update_user_pool_input(DESCRIBED_POOL, {"MfaConfiguration": "OFF"})
    assert plain["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": False}
    # The usual way a check builds its change: from the described block, one field changed.
    changed = update_user_pool_input(
        DESCRIBED_POOL,
        {
            "AdminCreateUserConfig": {
                **DESCRIBED_POOL["AdminCreateUserConfig"],
                "AllowAdminCreateUserOnly": True,
            }
        },
    )
    assert changed["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
    assert "UnusedAccountValidityDays" in DESCRIBED_POOL["AdminCreateUserConfig"]
    assert_valid_input(cognito_model, "UpdateUserPool", changed)


def test_user_pool_client_input_never_carries_the_secret(cognito_model: ServiceModel) -> None:
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    params = update_user_pool_client_input(DESCRIBED_CLIENT, {"ExplicitAuthFlows": flows})
    assert_valid_input(cognito_model, "UpdateUserPoolClient", params)
    assert "ClientSecret" not in params
    assert CLIENT_SECRET not in json.dumps(params)
    assert params["ExplicitAuthFlows"] == flows
    assert params["ClientId"] == DESCRIBED_CLIENT["ClientId"]
    for member in (
        "ClientName",
        "RefreshTokenValidity",
        "TokenValidityUnits",
        "AuthSessionValidity",
    ):
        assert params[member] == DESCRIBED_CLIENT[member], member
    assert "CreationDate" not in params


def test_update_commands_are_pasteable_and_carry_the_input() -> None:
    command = update_user_pool_command(
        AwsTarget(), "eu-west-2", DESCRIBED_POOL, {"MfaConfiguration": "OFF"}
    )
    argv = shlex.split(command)
    assert argv[:6] == [
        "aws",
        "cognito-idp",
        "update-user-pool",
        "--region",
        "eu-west-2",
        "--cli-input-json",
    ]
    assert json.loads(argv[6]) == update_user_pool_input(
        DESCRIBED_POOL, {"MfaConfiguration": "OFF"}
    )

    client_command = update_user_pool_client_command(
        AwsTarget(), "eu-west-2", DESCRIBED_CLIENT, {"EnableTokenRevocation": True}
    )
    client_argv = shlex.split(client_command)
    assert client_argv[2] == "update-user-pool-client"
    assert "ClientSecret" not in json.loads(client_argv[6])
    assert CLIENT_SECRET not in client_command
    assert "resets every setting it is not given" in RESET_WARNING.format(what="user-pool")


def test_printed_inputs_apply_on_moto_and_keep_the_other_settings(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    setup = sandbox.create_setup(
        tmp_path,
        pool_changes={"AdminCreateUserConfig": {"AllowAdminCreateUserOnly": False}},
        client_changes={"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
    )
    idp = sandbox.client("cognito-idp", setup.region)
    before = idp.describe_user_pool(UserPoolId=setup.pool_id)["UserPool"]
    command = update_user_pool_command(
        AwsTarget(),
        setup.region,
        before,
        {
            "AdminCreateUserConfig": {
                **before["AdminCreateUserConfig"],
                "AllowAdminCreateUserOnly": True,
            }
        },
    )
    idp.update_user_pool(**json.loads(shlex.split(command)[6]))
    after = idp.describe_user_pool(UserPoolId=setup.pool_id)["UserPool"]
    assert after["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    for member in ("AutoVerifiedAttributes", "MfaConfiguration", "AccountRecoverySetting"):
        assert after[member] == before[member], member
    assert after["EmailConfiguration"]["EmailSendingAccount"] == "COGNITO_DEFAULT"

    client = idp.describe_user_pool_client(UserPoolId=setup.pool_id, ClientId=setup.client_id)[
        "UserPoolClient"
    ]
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    client_command = update_user_pool_client_command(
        AwsTarget(), setup.region, client, {"ExplicitAuthFlows": flows}
    )
    assert client["ClientSecret"] not in client_command
    idp.update_user_pool_client(**json.loads(shlex.split(client_command)[6]))
    updated = idp.describe_user_pool_client(UserPoolId=setup.pool_id, ClientId=setup.client_id)[
        "UserPoolClient"
    ]
    assert updated["ExplicitAuthFlows"] == flows
    assert updated["ClientName"] == "clinical-platform"
    assert updated["ClientSecret"] == client["ClientSecret"]  # still a confidential client
