"""Printed `aws …` commands run as printed: every value is one shell word, whatever it holds."""

from __future__ import annotations

import shlex

from cognito_doctor.platform.awscli import AwsTarget, aws_command

NO_TARGET = AwsTarget()


def test_every_value_is_quoted_into_one_word() -> None:
    hostile = "a b'c\"$(rm -rf ~)`x`;|&"
    command = aws_command(NO_TARGET, "cognito-idp", "admin-get-user", "eu-west-2", username=hostile)
    assert shlex.split(command) == [
        "aws",
        "cognito-idp",
        "admin-get-user",
        "--region",
        "eu-west-2",
        "--username",
        hostile,
    ]


def test_a_list_is_one_word_per_item_and_true_is_a_bare_flag() -> None:
    command = aws_command(
        NO_TARGET,
        "cognito-idp",
        "create-user-pool-client",
        "eu-west-2",
        client_name="clinical platform",
        generate_secret=True,
        explicit_auth_flows=("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
    )
    assert shlex.split(command)[5:] == [
        "--client-name",
        "clinical platform",
        "--generate-secret",
        "--explicit-auth-flows",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]


def test_the_runs_profile_and_endpoint_follow_the_region_each_one_word() -> None:
    target = AwsTarget(profile="team sandbox", endpoint_url="http://127.0.0.1:5000/x?a=1&b=2")
    command = aws_command(target, "iam", "get-user", "eu-west-2", user_name="svc")
    assert shlex.split(command) == [
        "aws",
        "iam",
        "get-user",
        "--region",
        "eu-west-2",
        "--profile",
        "team sandbox",
        "--endpoint-url",
        "http://127.0.0.1:5000/x?a=1&b=2",
        "--user-name",
        "svc",
    ]


def test_without_a_target_no_global_option_is_added_and_none_omits_the_region() -> None:
    command = aws_command(AwsTarget(), "sts", "get-caller-identity", None, query="Account")
    assert shlex.split(command) == ["aws", "sts", "get-caller-identity", "--query", "Account"]
