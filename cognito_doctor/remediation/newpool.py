"""The part of the plan no update can make: a new pool, for settings fixed when a pool is
created (sign-in attributes, required attributes, username case sensitivity).

AWS: UpdateUserPool has no member for UsernameAttributes, AliasAttributes, the schema's
Required flags or UsernameConfiguration (botocore's UpdateUserPoolRequest); AWS's Cognito
guide says sign-in attributes and required attributes can't be changed after creation.
CaseSensitive false is the botocore documentation's advice ("For most use cases, set case
sensitivity to False"). This part is printed, never applied: it needs the users migrated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cognito_doctor.checks.client_values import create_client_command
from cognito_doctor.checks.pool_new import new_pool_params
from cognito_doctor.checks.pool_values import arn_parts, user_count
from cognito_doctor.iam.fixes import RUNBOOK_POLICY_NAME, compact_json, runbook_policy
from cognito_doctor.platform.awscli import AwsTarget, aws_command, cli_input_command
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import PoolRef
from cognito_doctor.remediation.plan import NewPoolPlan

NEW_POOL_ID = "<new-pool-id>"
NEW_CLIENT_ID = "<new-client-id>"


def new_pool_request(pool: Mapping[str, Any], config: RunConfig) -> dict[str, Any]:
    """CreateUserPool input: the runbook's settings, this pool's others, case-insensitive."""
    params = new_pool_params(pool, prod=config.prod)
    username_config = dict(params.get("UsernameConfiguration") or {})
    username_config["CaseSensitive"] = False
    params["UsernameConfiguration"] = username_config
    return params


def new_pool_plan(
    pool: Mapping[str, Any],
    ref: PoolRef,
    config: RunConfig,
    items: Sequence[tuple[str, Mapping[str, Any]]],
) -> NewPoolPlan:
    """The new pool's command and the steps after it."""
    params = new_pool_request(pool, config)
    target = AwsTarget.of(config)
    command = cli_input_command(target, "cognito-idp", "create-user-pool", ref.region, params)
    client = create_client_command(target, ref.region, NEW_POOL_ID, config.expect.app_client_name)
    partition, account = arn_parts(pool)
    arn = f"arn:{partition}:cognito-idp:{ref.region}:{account}:userpool/{NEW_POOL_ID}"
    put_policy = aws_command(
        target,
        "iam",
        "put-user-policy",
        ref.region,
        user_name="<service-user>",
        policy_name=RUNBOOK_POLICY_NAME,
        policy_document=compact_json(runbook_policy(arn)),
    )
    reasons = tuple(
        f"{name}={value}" for _, wanted in items for name, value in sorted(wanted.items())
    )
    steps = (
        f"Create the {config.expect.app_client_name} app client in it:\n  {client}",
        "Give the service's IAM principal the runbook's policy on the new pool, e.g.\n  "
        f"{put_policy}",
        f"In {config.um_env_path} and {config.auth_env_path}: COGNITO_USER_POOL_ID="
        f"{NEW_POOL_ID}; in {config.auth_env_path}: COGNITO_APP_CLIENT_ID={NEW_CLIENT_ID} "
        "(and COGNITO_ISSUER, if set, to the new pool's issuer); restart both services.",
        f"Migrate the users ({user_count(pool)} in {ref.pool_id}): users cannot be moved "
        "between pools, so re-invite them into the new pool (AdminCreateUser, e.g. by "
        "promoting them again) or attach a user-migration Lambda trigger to it; delete the "
        "old pool once nothing uses it.",
    )
    return NewPoolPlan(
        ref.pool_id, tuple(dict.fromkeys(c for c, _ in items)), reasons, command, steps
    )
