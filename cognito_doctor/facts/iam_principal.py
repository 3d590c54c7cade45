"""Who the service runs as: the `iam_principal` fact (--principal-arn, or the identity
behind the keys in services/user-management/.env), resolved to the IAM user or role whose
permissions matter."""

from __future__ import annotations

from typing import Any

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.facts.identity import keys_in
from cognito_doctor.facts.records import IdentityLookup
from cognito_doctor.iam.arns import Arn, PrincipalArn, parse_principal
from cognito_doctor.iam.principal import Principal
from cognito_doctor.platform.envfiles import EnvFiles
from cognito_doctor.platform.regions import partition_of
from cognito_doctor.platform.target import PoolRef


def _operator_account(ctx: CheckContext, region: str) -> str | None:
    try:
        return str(ctx.aws.operator("sts", region).get_caller_identity()["Account"])
    except AwsError:
        return None


EXECUTION_ROLE_HINT = (
    "the role user-management runs as: ECS: the task definition's taskRoleArn; EC2: the "
    "instance profile's role; EKS: the service account's eks.amazonaws.com/role-arn annotation"
)


@fact("iam_principal", network=True)
def iam_principal(
    ctx: CheckContext,
    env_files: EnvFiles,
    pool_ref: PoolRef,
    service_identity: IdentityLookup | None,
) -> Principal:
    """The IAM user or role to check: --principal-arn, else the identity behind the keys in
    services/user-management/.env (the one sts:GetCallerIdentity call creds.identity also
    uses); an assumed-role session is turned into its role's ARN."""
    region = pool_ref.region
    given = ctx.config.principal_arn
    if given:
        source = "--principal-arn"
    else:
        keys = keys_in(env_files)
        if keys is None or service_identity is None:
            if ctx.prod:
                account = _operator_account(ctx, region) or "<ACCOUNT_ID>"
                raise FactUnavailable(
                    Status.ERROR,
                    f"no principal to check: in prod the service runs as its execution role "
                    f"(no static keys in {ctx.config.um_env_path}), and no --principal-arn was "
                    "given",
                    f"Pass --principal-arn arn:{partition_of(region)}:iam::{account}:role/"
                    f"<ROLE_NAME> with the ARN of {EXECUTION_ROLE_HINT}.",
                )
            raise FactUnavailable(
                Status.SKIP,
                f"no static AWS keys in {ctx.config.um_env_path} to find the service's principal "
                "(see env.aws-credentials); pass --principal-arn to check a role",
            )
        source = f"the keys in {ctx.config.um_env_path} (key id …{keys.access_key_id[-4:]})"
        if service_identity.failure is not None:
            message, fix = service_identity.failure
            raise FactUnavailable(
                Status.ERROR,
                f"the service's principal is unknown: {message}",
                fix,
                service_identity.failure_cause,
            )
        arn = (service_identity.identity or {}).get("Arn")
        if arn is None:
            raise FactUnavailable(
                Status.SKIP,
                f"AWS did not accept the keys in {ctx.config.um_env_path} "
                f"({service_identity.error_code or 'error'}), so the principal behind them is "
                "unknown (see creds.identity)",
            )
        given = arn
    return _resolve_principal(ctx, given.strip(), source, region)


def _resolve_principal(ctx: CheckContext, given: str, source: str, region: str) -> Principal:
    """Parse `given` and look it up in IAM: the user or role to check, or why it can't be."""
    parsed = parse_principal(given)
    if parsed is None:
        partition = partition_of(region)
        return Principal(
            given,
            "unknown",
            given,
            "",
            partition,
            source,
            given,
            problem=f"{given!r} (from {source}) is not an IAM user or role ARN",
            fix=f"Pass the ARN of an IAM user or role, e.g. --principal-arn "
            f"arn:{partition}:iam::<ACCOUNT_ID>:role/<ROLE_NAME> ({EXECUTION_ROLE_HINT}).",
        )
    if parsed.kind in ("root", "federated-user", "group"):
        return _unusable_kind(parsed, given, source, ctx.config.um_env_path)
    iam = ctx.aws.operator("iam", region)
    kind = "role" if parsed.kind in ("role", "assumed-role") else "user"
    try:
        if kind == "role":
            entity = iam.get_role(RoleName=parsed.name)["Role"]
        else:
            entity = iam.get_user(UserName=parsed.name)["User"]
    except AwsError as exc:
        return _lookup_failed(ctx, exc, parsed, kind, given, source, region)
    return _found(entity, parsed, kind, given, source)


def _principal(
    parsed: PrincipalArn, source: str, given: str, arn_text: str, kind: str, name: str, **more: Any
) -> Principal:
    """A Principal in the parsed ARN's account and partition."""
    arn = parsed.arn
    return Principal(arn_text, kind, name, arn.account, arn.partition, source, given, **more)


def _unusable_kind(parsed: PrincipalArn, given: str, source: str, um_env: str) -> Principal:
    """The problem Principal for root, a federated user or a group, which can't be checked."""
    why = {
        "root": "the account's root user: the service must never use root keys, and "
        "policies can't be attached to root",
        "federated-user": "an STS federated-user session, whose permissions come from the "
        "policies passed when it was created and can't be simulated",
        "group": "an IAM group, which cannot make AWS calls itself",
    }[parsed.kind]
    fix = (
        f"Follow the runbook's step 2: create the IAM user clinical-platform-user-mgmt-dev "
        f"with the clinical-platform-user-mgmt policy, put its access key in {um_env}, "
        "and delete the root access key (IAM → Security credentials)."
        if parsed.kind == "root"
        else f"Pass --principal-arn with the IAM user or role the service runs as "
        f"({EXECUTION_ROLE_HINT})."
    )
    return _principal(
        parsed, source, given, given, parsed.kind, parsed.name, problem=f"{given} is {why}", fix=fix
    )


def _lookup_failed(
    ctx: CheckContext,
    exc: AwsError,
    parsed: PrincipalArn,
    kind: str,
    given: str,
    source: str,
    region: str,
) -> Principal:
    """What to make of an AWS error from iam:GetRole / iam:GetUser (called in its except)."""
    arn = parsed.arn
    action = "iam:GetRole" if kind == "role" else "iam:GetUser"
    if exc.code == "NoSuchEntity":
        operator_account = _operator_account(ctx, region)
        if operator_account and operator_account != arn.account:
            raise FactUnavailable(
                Status.ERROR,
                f"the principal {given} is in account {arn.account}, but the operator's "
                f"credentials are for account {operator_account}, so its policies can't be "
                "read or simulated",
                f"Run cognito-doctor with credentials for account {arn.account} (--profile NAME).",
            ) from None
        return _principal(
            parsed,
            source,
            given,
            given,
            kind,
            parsed.name,
            problem=f"there is no IAM {kind} named {parsed.name} in account {arn.account} "
            f"({given}, from {source})",
            fix=f"Check the name in IAM → {'Roles' if kind == 'role' else 'Users'}, then "
            f"pass its ARN exactly (--principal-arn).",
        )
    if parsed.kind == "assumed-role":
        raise FactUnavailable(
            Status.ERROR,
            f"{given} (from {source}) is an assumed-role session of role {parsed.name}; "
            f"finding the role's real ARN (roles can have a path the session ARN omits) "
            f"needs iam:GetRole: {exc.explain(action=action)[0]}",
            f"Grant the operator iam:GetRole on "
            f"arn:{arn.partition}:iam::{arn.account}:role/*{parsed.name}, or pass the "
            f"role's ARN (IAM → Roles → {parsed.name} → ARN) with --principal-arn.",
        ) from None
    # A user/role ARN can be simulated as given; only its path is unverified.
    return _principal(
        parsed,
        source,
        given,
        given,
        kind,
        parsed.name,
        unverified=exc.explain(action=action)[0],
    )


def _found(
    entity: dict[str, Any], parsed: PrincipalArn, kind: str, given: str, source: str
) -> Principal:
    """The Principal for the user or role IAM returned, under its real ARN."""
    arn = parsed.arn
    real = str(entity["Arn"])
    boundary = (entity.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    notes: list[str] = []
    if parsed.kind == "assumed-role":
        notes.append(
            f"{given} is a session of role {parsed.name}; iam:GetRole gives the role's ARN {real}"
        )
    elif real != given:
        notes.append(f"{given} is {real} in IAM (the path differs); checking {real}")
    real_arn = Arn.parse(real)
    if real_arn is not None and real_arn.account != arn.account:
        raise FactUnavailable(
            Status.ERROR,
            f"the principal {given} is in account {arn.account}, but the operator's credentials "
            f"are for account {real_arn.account}",
            f"Run cognito-doctor with credentials for account {arn.account} (--profile NAME).",
        )
    return _principal(
        parsed,
        source,
        given,
        real,
        kind,
        parsed.name,
        notes=tuple(notes),
        permissions_boundary=str(boundary) if boundary else None,
        tags={str(t["Key"]): str(t["Value"]) for t in entity.get("Tags") or []},
    )


def skip_for(principal: Principal) -> FactUnavailable:
    """The SKIP a fact raises when the principal could not be established."""
    return FactUnavailable(Status.SKIP, f"{principal.problem} (see iam.principal)")
