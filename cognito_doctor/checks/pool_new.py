"""The fix for what a pool cannot change in place: a new pool with the runbook's settings (its
`create-user-pool` command, the steps after it)."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from cognito_doctor.checks.changes import (
    new_pool_change,
)
from cognito_doctor.checks.pool_fixes import (
    PoolFix,
    env_files,
    invitation_only,
    prod_password_policy,
    with_password_policy,
)
from cognito_doctor.checks.pool_values import (
    COGNITO_MANAGED_ATTRIBUTES,
    EMAIL_ONLY_RECOVERY,
    REQUIRED_ATTRIBUTES,
    schema_of,
    user_count,
)
from cognito_doctor.platform.awscli import (
    AwsTarget,
    aws_command,
    cli_input_command,
    newer_cli_note,
    update_user_pool_input,
    without_defaults,
)
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef


def next_pool_name(name: str) -> str:
    match = re.fullmatch(r"(.*)-v(\d+)", name)
    if match:
        return f"{match.group(1)}-v{int(match.group(2)) + 1}"
    return f"{name}-v2"


def schema_for_new_pool(pool: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CreateUserPool `Schema`: the current required and custom attributes, plus email and name
    required."""
    schema: dict[str, dict[str, Any]] = {}
    for name, attribute in schema_of(pool).items():
        if name in COGNITO_MANAGED_ATTRIBUTES:
            continue
        custom = name.startswith(("custom:", "dev:custom:"))
        if not custom and not attribute.get("Required"):
            continue
        entry: dict[str, Any] = {
            "Name": name.split("custom:", 1)[1] if custom else name,
            "AttributeDataType": attribute.get("AttributeDataType", "String"),
            "Mutable": bool(attribute.get("Mutable", True)),
            "Required": bool(attribute.get("Required", False)),
        }
        if custom:
            if attribute.get("DeveloperOnlyAttribute"):
                entry["DeveloperOnlyAttribute"] = True
            for constraints in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if attribute.get(constraints):
                    entry[constraints] = dict(attribute[constraints])
        schema[name] = entry
    for name in REQUIRED_ATTRIBUTES:
        schema[name] = {
            "Name": name,
            "AttributeDataType": "String",
            "Mutable": True,
            "Required": True,
        }
    return list(schema.values())


def new_pool_params(pool: Mapping[str, Any], *, prod: bool) -> dict[str, Any]:
    """CreateUserPool input for a replacement pool made as the runbook says, keeping the
    current pool's other settings (messages, triggers, tags, email sending)."""
    params: dict[str, Any] = {
        "PoolName": next_pool_name(str(pool.get("Name") or "clinical-platform"))
    }
    params.update({k: v for k, v in update_user_pool_input(pool, {}).items() if k != "UserPoolId"})
    if "VerificationMessageTemplate" in params:
        # The template supersedes these deprecated members: give only the template.
        for deprecated in (
            "SmsVerificationMessage",
            "EmailVerificationMessage",
            "EmailVerificationSubject",
        ):
            params.pop(deprecated, None)
    # "true ... This is the default value" (UsernameConfigurationType.CaseSensitive): a new
    # pool is case-sensitive unless told otherwise, and the setting can't change later.
    params["UsernameConfiguration"] = {"CaseSensitive": False}
    dcr = pool.get("DcrConfiguration")
    if isinstance(dcr, Mapping) and dcr.get("EnableStatus") == "Enabled":
        params["DcrConfiguration"] = copy.deepcopy(dict(dcr))
    params["UsernameAttributes"] = ["email"]
    params["Schema"] = schema_for_new_pool(pool)
    params["AutoVerifiedAttributes"] = sorted(
        {*(pool.get("AutoVerifiedAttributes") or []), "email"}
    )
    params["MfaConfiguration"] = "OFF"
    params["AdminCreateUserConfig"] = invitation_only(pool)
    params["AccountRecoverySetting"] = copy.deepcopy(EMAIL_ONLY_RECOVERY)
    if prod:
        params["Policies"] = with_password_policy(pool, prod_password_policy(pool))
        params["DeletionProtection"] = "ACTIVE"
    return without_defaults(params)


def trigger_functions(lambda_config: Mapping[str, Any]) -> list[str]:
    """The Lambda function ARNs a pool's LambdaConfig names, each once: a trigger's value
    is the ARN, or (CustomSMSSender, CustomEmailSender, PreTokenGenerationConfig) an object
    whose LambdaArn is; KMSKeyID is a key, not a function (botocore's LambdaConfigType)."""
    arns: list[str] = []
    for name, value in lambda_config.items():
        if isinstance(value, Mapping):
            value = value.get("LambdaArn")
        if name != "KMSKeyID" and isinstance(value, str) and value.count(":") >= 6:
            arns.append(value)
    return list(dict.fromkeys(arns))


def invoke_permission_command(
    function_arn: str, pool_name: str, index: int, target: AwsTarget | None
) -> str:
    """`aws lambda add-permission` letting the new pool (its id still to fill in) invoke the
    function (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME)."""
    _, partition, _, region, account, *_ = function_arn.split(":")
    # A statement id is [a-zA-Z0-9-_]{1,100} (botocore's lambda model, StatementId).
    statement = re.sub(r"[^A-Za-z0-9_-]", "-", f"cognito-{pool_name}-{index}")[:100]
    return aws_command(
        target or AwsTarget(),
        "lambda",
        "add-permission",
        region,
        function_name=function_arn,
        statement_id=statement,
        action="lambda:InvokeFunction",
        principal="cognito-idp.amazonaws.com",
        source_arn=f"arn:{partition}:cognito-idp:{region}:{account}:userpool/<new pool id>",
    )


def copied_resources_note(params: Mapping[str, Any], target: AwsTarget | None = None) -> str:
    """What to redo for the copied settings whose AWS resources name the old pool's ARN."""
    notes = []
    functions = trigger_functions(params.get("LambdaConfig") or {})
    if functions:
        # Each function's resource policy names the pool allowed to invoke it (SourceArn); the
        # console adds that statement, the API doesn't (AWS re:Post, "Cognito Lambda trigger
        # errors": "PreSignUp invocation failed due to error AccessDeniedException").
        commands = [
            invoke_permission_command(arn, str(params.get("PoolName", "pool")), index, target)
            for index, arn in enumerate(functions, 1)
        ]
        notes.append(
            "it copies LambdaConfig, but each trigger function's resource policy lets only the "
            "old pool's ARN invoke it, so the new pool's triggers fail (AccessDeniedException) "
            "until you allow it, once per function, with the new pool's id filled in:\n"
            + "\n".join(commands)
            + "\n"
        )
    email = params.get("EmailConfiguration") or {}
    if email.get("EmailSendingAccount") == "DEVELOPER":
        notes.append(
            "it copies EmailConfiguration: if the SES identity's sending authorization policy "
            "names the old pool's ARN, add the new pool's ARN to it or SES refuses its emails"
        )
    return ("Note: " + "; ".join(notes) + ". ") if notes else ""


def new_pool_fix(
    ref: PoolRef, pool: Mapping[str, Any], *, settings: RunConfig, why: str, **wanted: Any
) -> PoolFix:
    """The fix for a setting that needs a new pool (`wanted`: what the new pool must have)."""
    prod = settings.prod
    params = new_pool_params(pool, prod=prod)
    target = AwsTarget.of(settings)
    command = cli_input_command(target, "cognito-idp", "create-user-pool", ref.region, params)
    fix = (
        f"{why} cannot be changed after a user pool is created: you need a new pool. Create it "
        "in the console (Cognito → User pools → Create user pool: sign-in with Email only; "
        "required attributes email and name; No MFA; self-registration off; recovery Email "
        f"only), or run this, which makes {params['PoolName']!r} with the runbook's settings "
        f"and keeps this pool's other settings:\n{command}\n"
        + (f"{note}\n" if (note := newer_cli_note(params)) else "")
        + copied_resources_note(params, target)
        + "Then: create the clinical-platform app client in the new pool; put the new pool id "
        f"into COGNITO_USER_POOL_ID in {env_files(settings)} (and the new client id into "
        "COGNITO_APP_CLIENT_ID); point the IAM policy's Resource at the new pool's ARN. "
        "Users must be migrated: they cannot be moved between pools, so re-invite "
        f"{user_count(pool)} of {ref.pool_id} into the new pool (AdminCreateUser, e.g. by "
        "promoting them again) or attach a user-migration Lambda trigger to it; delete the "
        "old pool once nobody uses it."
    )
    return PoolFix(fix, command, new_pool_change(ref.pool_id, **wanted))
