"""Building fix commands that can be pasted as they are.

UpdateUserPool and UpdateUserPoolClient reset every setting they are not given to its
default, so a fix built on them must carry the current settings: these helpers build the
full `--cli-input-json` from the describe output with the change applied.

They leave out what AWS would set anyway when a member is omitted (its documented default),
so that the command also runs in an AWS CLI older than the installed botocore, which refuses
the whole input over one member it does not know (`Unknown parameter in input`). Where a
member the older CLIs lack must stay, :func:`newer_cli_note` says so next to the command.
"""

from __future__ import annotations

import copy
import functools
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cognito_doctor.platform.settings import RunConfig


@dataclass(frozen=True)
class AwsTarget:
    """The account and endpoint a printed command must act on: the run's `--profile` and
    `--endpoint-url` (None when the run used the defaults), so that a pasted command reaches
    the same account and endpoint the run read. The region is per command (SES may sit in
    another region than the pool), so it is not part of the target."""

    profile: str | None = None
    endpoint_url: str | None = None

    @classmethod
    def of(cls, config: RunConfig) -> AwsTarget:
        """The target of a run."""
        return cls(config.profile or None, config.endpoint_url or None)

    def flags(self) -> list[str]:
        """The AWS CLI's global options for this target, each value shell-quoted."""
        flags = []
        if self.profile:
            flags += ["--profile", shlex.quote(self.profile)]
        if self.endpoint_url:
            flags += ["--endpoint-url", shlex.quote(self.endpoint_url)]
        return flags


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
    """UpdateUserPool input that keeps every current setting of `pool` and applies `changes`,
    without the members whose value is the one AWS applies when they are omitted."""
    params: dict[str, Any] = {"UserPoolId": pool["Id"]}
    for member in update_user_pool_members():
        # "If you omit this parameter, Amazon Cognito keeps the existing configuration"
        # (UpdateUserPoolRequest.DcrConfiguration): never needed, and new in the CLI.
        if member == "DcrConfiguration":
            continue
        if member in pool and pool[member] not in (None, {}, []):
            params[member] = copy.deepcopy(pool[member])
    for key, value in changes.items():
        params[key] = copy.deepcopy(value)
    # Deprecated and rejected beside PasswordPolicy.TemporaryPasswordValidityDays; removed
    # after applying `changes`, which are often built from the described AdminCreateUserConfig.
    admin_config = params.get("AdminCreateUserConfig")
    if isinstance(admin_config, dict):
        admin_config.pop("UnusedAccountValidityDays", None)
    return without_defaults(params)


# Members whose value, when it is this, is what AWS applies when the member is omitted, each
# from botocore's cognito-idp model: UserPoolType.UserPoolTier ("Defaults to ESSENTIALS");
# KeyConfigurationType.KmsKeyArn ("If not specified, Amazon Web Services managed keys are
# used"); IssuerConfigurationType ("ORIGINAL: The original issuer configuration for user
# pools", the issuer of every pool from before the member existed); a password history of
# none. Only members older CLIs lack are listed: the others cost nothing to carry.
OMITTED_DEFAULTS: dict[str, Any] = {
    "UserPoolTier": "ESSENTIALS",
    "KeyConfiguration": {"KeyType": "AWS_OWNED_KEY"},
    "IssuerConfiguration": {"Type": "ORIGINAL"},
    "Policies.PasswordPolicy.PasswordHistorySize": 0,
    # SignInPolicyType: password is the first factor of a pool that allows no other.
    "Policies.SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD"]},
}
# Members of UpdateUserPool, CreateUserPool and UpdateUserPoolClient that AWS CLIs built on
# botocore 1.31 (mid-2023) do not know: botocore's current model against 1.31's (a test
# installs 1.31 and checks every printed command against both).
NEWER_CLI_MEMBERS = (
    "UserPoolTier",
    "IssuerConfiguration",
    "KeyConfiguration",
    "DcrConfiguration",
    "AcrConfiguration",
    "Policies.PasswordPolicy.PasswordHistorySize",
    "Policies.SignInPolicy",
    "LambdaConfig.PreTokenGenerationConfig",
    "LambdaConfig.InboundFederation",
    "SmsConfiguration.EumsSms",
    "UserPoolAddOns.AdvancedSecurityAdditionalFlows",
    "RefreshTokenRotation",
    "PublishSecretsInAWSSecretsManager",
    "ClientSecret",
)
# Email message members allowed only with EmailSendingAccount DEVELOPER (botocore's model:
# MessageTemplateType.EmailMessage and EmailSubject; VerificationMessageTemplateType's
# EmailMessage, EmailSubject, EmailMessageByLink, EmailSubjectByLink).
DEVELOPER_ONLY_MEMBERS = (
    "AdminCreateUserConfig.InviteMessageTemplate.EmailMessage",
    "AdminCreateUserConfig.InviteMessageTemplate.EmailSubject",
    "VerificationMessageTemplate.EmailMessage",
    "VerificationMessageTemplate.EmailSubject",
    "VerificationMessageTemplate.EmailMessageByLink",
    "VerificationMessageTemplate.EmailSubjectByLink",
)
# The four ACR levels' default names (Level1 … Level4 report urn:cognito:loa:1 … 4).
_DEFAULT_ACR = {f"Level{n}": {"AcrValue": f"urn:cognito:loa:{n}"} for n in range(1, 5)}


def _lookup(params: Mapping[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """(the dict holding the last part of `path`, that part), or (None, part) if absent."""
    *parents, last = path.split(".")
    holder: Any = params
    for part in parents:
        holder = holder.get(part) if isinstance(holder, dict) else None
    return (holder if isinstance(holder, dict) else None), last


def _drop(params: dict[str, Any], path: str) -> None:
    holder, last = _lookup(params, path)
    if holder is not None:
        holder.pop(last, None)
    # A parent left empty ({"InviteMessageTemplate": {}}) means the same as no parent.
    parents = path.split(".")[:-1]
    while parents:
        holder, last = _lookup(params, ".".join(parents))
        if holder is not None and holder.get(last) in ({}, []):
            holder.pop(last)
        parents.pop()


def without_defaults(params: dict[str, Any]) -> dict[str, Any]:
    """`params` (a CreateUserPool or UpdateUserPool input) without what AWS applies anyway."""
    for path, default in OMITTED_DEFAULTS.items():
        holder, last = _lookup(params, path)
        if holder is not None and holder.get(last) == default:
            _drop(params, path)
    acr = params.get("AcrConfiguration")
    # Cognito "always returns the effective configuration, with default names merged in"
    # (UserPoolType.AcrConfiguration): only custom names need carrying.
    if isinstance(acr, dict) and all(_DEFAULT_ACR.get(k) == v for k, v in acr.items()):
        params.pop("AcrConfiguration")
    email = params.get("EmailConfiguration") or {}
    if email.get("EmailSendingAccount", "COGNITO_DEFAULT") != "DEVELOPER":
        for path in DEVELOPER_ONLY_MEMBERS:
            _drop(params, path)
    return params


def newer_cli_members(params: Mapping[str, Any]) -> list[str]:
    """The members in `params` that an AWS CLI from mid-2023 does not know."""
    found = []
    for path in NEWER_CLI_MEMBERS:
        holder, last = _lookup(params, path)
        if holder is not None and last in holder:
            found.append(path)
    return found


def newer_cli_note(params: Mapping[str, Any]) -> str:
    """A sentence saying which members need a newer AWS CLI ("" when none do)."""
    members = newer_cli_members(params)
    if not members:
        return ""
    return (
        f"This command sets {', '.join(members)}, which AWS CLIs older than the feature do not "
        f'know: such a CLI refuses the whole command (Unknown parameter in input: "{members[0]}"), '
        "so update the AWS CLI first if `aws --version` is from before it."
    )


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
    # RefreshTokenRotationType: "When disabled, token refresh issues only ID and access
    # tokens", as every client did before the member existed; only ENABLED needs carrying.
    rotation = params.get("RefreshTokenRotation")
    if isinstance(rotation, dict) and rotation.get("Feature", "DISABLED") == "DISABLED":
        params.pop("RefreshTokenRotation")
    return params


def aws_command(
    target: AwsTarget,
    service: str,
    operation: str,
    region: str | None,
    **options: str | bool | Sequence[str],
) -> str:
    """`aws SERVICE OPERATION --region R [--profile P] [--endpoint-url U] --opt value …`: every
    value shell-quoted, a list as one quoted word per item, True as a bare flag
    (`generate_secret=True`); no `--region` when `region` is None (a global service)."""
    parts = ["aws", service, operation]
    if region is not None:
        parts += ["--region", shlex.quote(region)]
    parts += target.flags()
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


def cli_input_command(
    target: AwsTarget, service: str, operation: str, region: str, params: Mapping[str, Any]
) -> str:
    """An `aws … --cli-input-json '<json>'` command for `params`, quoted for a POSIX shell."""
    body = json.dumps(params, sort_keys=True, default=str, separators=(",", ":"))
    return aws_command(target, service, operation, region, cli_input_json=body)


def update_user_pool_command(
    target: AwsTarget, region: str, pool: Mapping[str, Any], changes: Mapping[str, Any]
) -> str:
    """The full, safe `aws cognito-idp update-user-pool` command for `changes`."""
    return cli_input_command(
        target, "cognito-idp", "update-user-pool", region, update_user_pool_input(pool, changes)
    )


def update_user_pool_client_command(
    target: AwsTarget, region: str, client: Mapping[str, Any], changes: Mapping[str, Any]
) -> str:
    """The full, safe `aws cognito-idp update-user-pool-client` command for `changes`."""
    return cli_input_command(
        target,
        "cognito-idp",
        "update-user-pool-client",
        region,
        update_user_pool_client_input(client, changes),
    )
