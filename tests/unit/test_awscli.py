"""Printed `aws …` commands run as printed: every value is one shell word, whatever it holds."""

from __future__ import annotations

import shlex

from cognito_doctor.platform.awscli import aws_command


def test_every_value_is_quoted_into_one_word() -> None:
    hostile = "a b'c\"$(rm -rf ~)`x`;|&"
    command = aws_command("cognito-idp", "admin-get-user", "eu-west-2", username=hostile)
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
