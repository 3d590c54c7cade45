"""`fix --apply`: the only code that writes, to AWS or to the `.env` files.

Each resource is read again right before it is written, and refused if it changed since the
plan was made (the pool's and the client's LastModifiedDate and settings, the file's
content): the plan's command carries the whole configuration as it was read, so writing it
over a newer one would undo someone else's change. Resources are written in a safe order,
AWS first (the pool, then its MFA, which UpdateUserPool also carries, then the app client),
the `.env` files last, so the services are pointed at the pool only once it is ready. The
first failure or refusal stops the rest.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cognito_doctor.aws.failure import AwsError
from cognito_doctor.checks.changes import Resource
from cognito_doctor.engine.redact import Redactor
from cognito_doctor.platform.awscli import update_user_pool_client_input, update_user_pool_input
from cognito_doctor.remediation.iam_policy import apply_policy, policy_action
from cognito_doctor.remediation.plan import Plan, Refused, ResourcePlan

if TYPE_CHECKING:
    from cognito_doctor.aws.clients import AwsAccess

BACKUP_SUFFIX = ".cognito-doctor.bak"


class StepOutcome(StrEnum):
    """What happened to one resource of the plan."""

    APPLIED = "applied"
    ALREADY = "already done"
    REFUSED = "refused"
    FAILED = "failed"
    NOT_ATTEMPTED = "not attempted"


def order(item: ResourcePlan) -> int:
    """The safe order: the pool, its MFA, the app client, the service's IAM policies, then
    the `.env` files (the services are pointed at what is ready)."""
    match item.resource:
        case Resource.POOL:
            return 0
        case Resource.MFA:
            return 1
        case Resource.CLIENT:
            return 2
        case Resource.IAM_POLICY:
            return 3
        case Resource.ENV_FILE:
            return 4
        case Resource.NEW_POOL:
            return 5


@dataclass(frozen=True)
class Step:
    item: ResourcePlan
    outcome: StepOutcome
    detail: str = ""


@dataclass
class Applied:
    """Every resource of the plan and what happened to it."""

    steps: list[Step] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(s.outcome in (StepOutcome.APPLIED, StepOutcome.ALREADY) for s in self.steps)


def apply_plan(plan: Plan, aws: AwsAccess | None) -> Applied:
    """Write every resource of the plan, in order, stopping at the first failure."""
    applied = Applied()
    stopped = False
    for item in sorted(plan.resources, key=order):
        if stopped:
            applied.steps.append(
                Step(item, StepOutcome.NOT_ATTEMPTED, "an earlier step did not apply")
            )
            continue
        try:
            outcome, detail = _apply(item, plan, aws)
        except Refused as exc:
            outcome, detail = StepOutcome.REFUSED, str(exc)
        except AwsError as exc:
            outcome, detail = StepOutcome.FAILED, exc.explain(action=_action(item))[0]
        except OSError as exc:
            outcome, detail = StepOutcome.FAILED, f"{exc.strerror or exc}"
        applied.steps.append(Step(item, outcome, detail))
        stopped = outcome in (StepOutcome.REFUSED, StepOutcome.FAILED)
    return applied


def _action(item: ResourcePlan) -> str:
    match item.resource:
        case Resource.POOL:
            return "cognito-idp:UpdateUserPool"
        case Resource.MFA:
            return "cognito-idp:SetUserPoolMfaConfig"
        case Resource.CLIENT:
            return "cognito-idp:UpdateUserPoolClient"
        case Resource.IAM_POLICY:
            return policy_action(item)
        case Resource.ENV_FILE | Resource.NEW_POOL:
            return "write"


def _apply(item: ResourcePlan, plan: Plan, aws: AwsAccess | None) -> tuple[StepOutcome, str]:
    if item.resource is Resource.ENV_FILE:
        return _apply_env_file(plan.config.root / item.target, item)
    if aws is None:
        raise Refused("needs AWS: run without --offline")
    idp = aws.operator("cognito-idp", item.region)
    match item.resource:
        case Resource.POOL:
            fresh = idp.describe_user_pool(UserPoolId=item.target)["UserPool"]
            _unchanged(item.read, fresh, update_user_pool_input, "user pool")
            idp.update_user_pool(**item.request)
            return StepOutcome.APPLIED, "update-user-pool"
        case Resource.MFA:
            fresh = idp.describe_user_pool(UserPoolId=item.target)["UserPool"]
            now = str(fresh.get("MfaConfiguration") or "OFF")
            change = item.changes[0]
            if now == change.after:
                return (
                    StepOutcome.ALREADY,
                    f"MfaConfiguration is {now} (the pool update carried it)",
                )
            if now != change.before:
                raise Refused(f"MfaConfiguration is {now} now, {change.before} in the plan")
            idp.set_user_pool_mfa_config(**item.request)
            return StepOutcome.APPLIED, "set-user-pool-mfa-config"
        case Resource.CLIENT:
            fresh = idp.describe_user_pool_client(
                UserPoolId=item.request["UserPoolId"], ClientId=item.target
            )["UserPoolClient"]
            _unchanged(item.read, fresh, update_user_pool_client_input, "app client")
            idp.update_user_pool_client(**item.request)
            return StepOutcome.APPLIED, "update-user-pool-client"
        case Resource.IAM_POLICY:
            return StepOutcome.APPLIED, apply_policy(item, aws)
        case Resource.ENV_FILE | Resource.NEW_POOL:
            raise Refused("never applied")


def _unchanged(read: Any, fresh: Any, settings_of: Any, what: str) -> None:
    """Refuse when the resource changed since the plan read it."""
    before, now = read.get("LastModifiedDate"), fresh.get("LastModifiedDate")
    if before != now:
        raise Refused(
            f"the {what} changed since the plan was made (LastModifiedDate {before} → {now}); "
            "run `cognito-doctor fix` again for a plan of it as it is now"
        )
    if settings_of(read, {}) != settings_of(fresh, {}):
        raise Refused(
            f"the {what}'s settings changed since the plan was made; run `cognito-doctor fix` "
            "again for a plan of it as it is now"
        )


def backup_path(path: Path) -> Path:
    """A free name next to `path` for its backup."""
    candidate = path.with_name(path.name + BACKUP_SUFFIX)
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}{BACKUP_SUFFIX}.{number}")
    return candidate


def _apply_env_file(path: Path, item: ResourcePlan) -> tuple[StepOutcome, str]:
    raw = path.read_bytes()
    if raw.decode("utf-8", errors="replace") != item.read:
        raise Refused(f"{item.target} changed since the plan was made; run the plan again")
    backup = backup_path(path)
    backup.write_bytes(raw)
    mode = path.stat().st_mode & 0o7777
    os.chmod(backup, mode)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(str(item.request["text"]).encode("utf-8"))
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return StepOutcome.APPLIED, f"edited in place; the previous file is {backup.name}"


def applied_text(applied: Applied, plan: Plan) -> str:
    """What was applied and what was not."""
    lines = ["Applied:" if applied.complete else "Partly applied:"]
    for step in applied.steps:
        detail = f": {step.detail}" if step.detail else ""
        lines.append(f"  {step.outcome.value:<13} {step.item.label}{detail}")
    if not applied.complete:
        missing = [
            s.item.label
            for s in applied.steps
            if s.outcome not in (StepOutcome.APPLIED, StepOutcome.ALREADY)
        ]
        lines.append(f"Not applied: {', '.join(missing)}.")
    return Redactor(plan.secrets).text("\n".join(lines) + "\n")
