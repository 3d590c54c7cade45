"""Building fix commands that can be pasted as they are.

UpdateUserPool and UpdateUserPoolClient reset every setting they are not given to its
default, so a fix built on them must carry the current settings: these helpers build the
full `--cli-input-json` from the describe output with the change applied.
"""

from __future__ import annotations

import copy
import json
import shlex
from collections.abc import Mapping
from typing import Any

# The input members of UpdateUserPool / UpdateUserPoolClient that DescribeUserPool /
# DescribeUserPoolClient also return (tests/test_fixes.py checks them against botocore's model).
UPDATE_USER_POOL_MEMBERS = (
    "Policies",
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
)
UPDATE_USER_POOL_CLIENT_MEMBERS = (
    "ClientName",
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
    "RefreshTokenRotation",
)

RESET_WARNING = (
    "update-{what} resets every setting it is not given to its default, so this command "
    "carries all of the current settings with only the fix changed. Run it as printed; "
    "do not trim it to the one setting."
)


def update_user_pool_input(pool: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateUserPool input that keeps every current setting of `pool` and applies `changes`."""
    params: dict[str, Any] = {"UserPoolId": pool["Id"]}
    for member in UPDATE_USER_POOL_MEMBERS:
        if member in pool and pool[member] not in (None, {}, []):
            params[member] = copy.deepcopy(pool[member])
    # Deprecated and rejected beside PasswordPolicy.TemporaryPasswordValidityDays.
    admin_config = params.get("AdminCreateUserConfig")
    if isinstance(admin_config, dict):
        admin_config.pop("UnusedAccountValidityDays", None)
    for key, value in changes.items():
        params[key] = value
    return params


def update_user_pool_client_input(
    client: Mapping[str, Any], changes: Mapping[str, Any]
) -> dict[str, Any]:
    """UpdateUserPoolClient input that keeps every current setting and applies `changes`."""
    params: dict[str, Any] = {"UserPoolId": client["UserPoolId"], "ClientId": client["ClientId"]}
    for member in UPDATE_USER_POOL_CLIENT_MEMBERS:
        if member in client and client[member] not in (None, {}, []):
            params[member] = copy.deepcopy(client[member])
    for key, value in changes.items():
        params[key] = value
    return params


def aws_command(service: str, operation: str, region: str, **options: str) -> str:
    """`aws SERVICE OPERATION --region R --opt value …`, each value shell-quoted."""
    parts = ["aws", service, operation, "--region", shlex.quote(region)]
    for name, value in options.items():
        parts += [f"--{name.replace('_', '-')}", shlex.quote(value)]
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
