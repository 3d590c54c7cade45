"""Building fix commands that can be pasted as they are.

UpdateUserPool and UpdateUserPoolClient reset every setting they are not given to its
default, so a fix built on them must carry the current settings: these helpers build the
full `--cli-input-json` from the describe output with the change applied.
"""

from __future__ import annotations

import copy
import functools
import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any


@functools.cache
def _carried_members(update: str, describe: str, describe_key: str) -> tuple[str, ...]:
    """Input members of `update` that `describe` also returns, from botocore's model.

    Derived at run time rather than listed by hand, so a setting AWS adds later is carried
    (not reset) as soon as botocore knows it. Only online checks build update commands, and
    they have botocore loaded already.
    """
    from cognito_doctor.aws.clients import service_model

    model = service_model("cognito-idp")
    input_shape = model.operation_model(update).input_shape
    assert input_shape is not None
    inputs = input_shape.members
    output_shape = model.operation_model(describe).output_shape
    assert output_shape is not None
    described = output_shape.members[describe_key].members  # type: ignore[attr-defined]
    ids = {"UserPoolId", "ClientId", "Id"}
    return tuple(m for m in inputs if m in described and m not in ids)


def update_user_pool_members() -> tuple[str, ...]:
    """The UpdateUserPool members that DescribeUserPool returns."""
    return _carried_members("UpdateUserPool", "DescribeUserPool", "UserPool")


def update_user_pool_client_members() -> tuple[str, ...]:
    """The UpdateUserPoolClient members that DescribeUserPoolClient returns."""
    return _carried_members("UpdateUserPoolClient", "DescribeUserPoolClient", "UserPoolClient")


RESET_WARNING = (
    "update-{what} resets every setting it is not given to its default, so this command "
    "carries all of the current settings with only the fix changed. Run it as printed; "
    "do not trim it to the one setting. It carries the settings as they were when this "
    "report was made: apply one such command, then run cognito-doctor again for the next."
)


def update_user_pool_input(pool: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateUserPool input that keeps every current setting of `pool` and applies `changes`."""
    params: dict[str, Any] = {"UserPoolId": pool["Id"]}
    for member in update_user_pool_members():
        if member in pool and pool[member] not in (None, {}, []):
            params[member] = copy.deepcopy(pool[member])
    for key, value in changes.items():
        params[key] = copy.deepcopy(value)
    # Deprecated and rejected beside PasswordPolicy.TemporaryPasswordValidityDays; removed
    # after applying `changes`, which are often built from the described AdminCreateUserConfig.
    admin_config = params.get("AdminCreateUserConfig")
    if isinstance(admin_config, dict):
        admin_config.pop("UnusedAccountValidityDays", None)
    return params


def update_user_pool_client_input(
    client: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """UpdateUserPoolClient input that keeps every current setting and applies `changes`."""
    params: dict[str, Any] = {"UserPoolId": client["UserPoolId"], "ClientId": client["ClientId"]}
    for member in update_user_pool_client_members():
        if member in client and client[member] not in (None, {}, []):
            params[member] = copy.deepcopy(client[member])
    for key, value in changes.items():
        params[key] = value
    return params


def aws_command(
    service: str, operation: str, region: str, **options: str | bool | Sequence[str]
) -> str:
    """`aws SERVICE OPERATION --region R --opt value …`: every value shell-quoted, a list as
    one quoted word per item, True as a bare flag (`generate_secret=True`)."""
    parts = ["aws", service, operation, "--region", shlex.quote(region)]
    for name, value in options.items():
        flag = f"--{name.replace('_', '-')}"
        if value is True:
            parts.append(flag)
        elif value is False:
            continue
        elif isinstance(value, str):
            parts += [flag, shlex.quote(value)]
        else:
            parts += [flag, *(shlex.quote(item) for item in value)]
    return " ".join(parts)


def cli_input_command(service: str, operation: str, region: str, params: Mapping[str, Any]) -> str:
    """An `aws … --cli-input-json '<json>'` command for `params`, quoted for a POSIX shell."""
    body = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    return (
        f"aws {service} {operation} --region {shlex.quote(region)} "
        f"--cli-input-json {shlex.quote(body)}"
    )


def update_user_pool_command(
    region: str, pool: Mapping[str, Any], changes: Mapping[str, Any]
) -> str:
    """The full, safe `aws cognito-idp update-user-pool` command for `changes`."""
    return cli_input_command(
        "cognito-idp", "update-user-pool", region, update_user_pool_input(pool, changes)
    )


def update_user_pool_client_command(
    region: str, client: Mapping[str, Any], changes: Mapping[str, Any]
) -> str:
    """The full, safe `aws cognito-idp update-user-pool-client` command for `changes`."""
    return cli_input_command(
        "cognito-idp",
        "update-user-pool-client",
        region,
        update_user_pool_client_input(client, changes),
    )
