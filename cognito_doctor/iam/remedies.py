"""The fixes for what the iam checks find, in words and in policy edits: what to change for
each denied action (delete or narrow a Deny, correct or add a grant, the boundary, the SCP),
how to narrow a statement that grants more than the six actions, and the statement edits,
collected per policy so each becomes one `aws iam` command."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, assert_never

from cognito_doctor.iam.actions import RISKY_ACTIONS
from cognito_doctor.iam.denials import Denial
from cognito_doctor.iam.fixes import (
    DEFAULT_REGION,
    corrected_statement,
    free_policy_name,
    narrowed_statement,
    pretty_json,
    put_policy_command,
    runbook_statement,
    version_limit_note,
)
from cognito_doctor.iam.kinds import DenialKind, EvalDecision, OwnerKind, PolicyKind
from cognito_doctor.iam.policies import (
    PolicySource,
    StatementRef,
    element_values,
    granting_statements,
)
from cognito_doctor.iam.principal import Principal
from cognito_doctor.iam.simulation import Simulation
from cognito_doctor.platform.awscli import AwsTarget, aws_command

RESTART = "Changes to IAM policies take effect within seconds; no restart is needed."


def short(action: str) -> str:
    """`cognito-idp:AdminGetUser` → `AdminGetUser`."""
    return action.split(":", 1)[-1]


def action_names(actions: Sequence[str]) -> str:
    """The actions' short names, comma-separated."""
    return ", ".join(short(a) for a in actions)


def permissions_console(principal: Principal) -> str:
    """Where the principal's permissions are in the console."""
    return f"{principal.console()} → Permissions"


@dataclass
class PolicyEdits:
    """Statement changes per policy, applied together so one command per policy results."""

    principal: Principal
    target: AwsTarget
    region: str = DEFAULT_REGION
    changes: dict[PolicySource, dict[int, Mapping[str, Any] | None]] = field(default_factory=dict)
    additions: list[Mapping[str, Any]] = field(default_factory=list)

    def replace(self, ref: StatementRef, statement: Mapping[str, Any] | None) -> None:
        self.changes.setdefault(ref.source, {})[ref.index] = statement

    def writes(self, sources: Sequence[PolicySource]) -> list[PolicyWrite]:
        """One write per policy: the edited ones, then a new inline policy for additions."""
        writes = []
        for source, changes in self.changes.items():
            kept = [
                dict(statement) if index not in changes else dict(changes[index] or {})
                for index, statement in enumerate(source.statements())
                if index not in changes or changes[index] is not None
            ]
            document = None
            if kept:
                document = {**dict(source.document), "Statement": kept}
                document.setdefault("Version", "2012-10-17")
            writes.append(PolicyWrite(source, dict(changes), (), document))
        if self.additions:
            taken = [
                s.name
                for s in sources
                if s.kind == "inline" and s.owner_type == self.principal.kind
            ]
            empty = {"Version": "2012-10-17", "Statement": []}
            source = PolicySource(
                PolicyKind.INLINE,
                OwnerKind(self.principal.kind),
                self.principal.name,
                free_policy_name(taken),
                empty,
            )
            document = {"Version": "2012-10-17", "Statement": list(self.additions)}
            writes.append(PolicyWrite(source, {}, tuple(self.additions), document, new=True))
        return writes

    def commands(self, sources: Sequence[PolicySource]) -> list[str]:
        """One `aws iam` command per policy write (none for an AWS managed policy's edit)."""
        commands = []
        for write in self.writes(sources):
            if write.document is None:
                commands.append(remove_policy_command(self.target, write.source, self.region))
            elif command := put_policy_command(
                self.target, write.source, write.document, self.region
            ):
                commands.append(command)
        return commands


@dataclass(frozen=True)
class PolicyWrite:
    """One policy's planned edit: the statements replaced by index (None removes one) and
    added, as made to the policy as the checks read it, and the resulting `document` (None
    when no statement is left: the policy is deleted or detached). `new`: an inline policy
    to create for the additions."""

    source: PolicySource
    replaced: Mapping[int, Mapping[str, Any] | None]
    added: tuple[Mapping[str, Any], ...]
    document: Mapping[str, Any] | None
    new: bool = False

    @property
    def editable(self) -> bool:
        """Whether the account can write it (an AWS managed policy can only be detached)."""
        return not self.source.aws_managed or self.document is None


def remove_policy_command(
    target: AwsTarget, source: PolicySource, region: str = DEFAULT_REGION
) -> str:
    """The `aws iam` command that deletes (inline) or detaches (managed) the policy."""
    kind = source.owner_type
    owner = {f"{kind}_name": source.owner}
    match source.kind:
        case PolicyKind.INLINE:
            return aws_command(
                target, "iam", f"delete-{kind}-policy", region, **owner, policy_name=source.name
            )
        case PolicyKind.MANAGED:
            return aws_command(
                target, "iam", f"detach-{kind}-policy", region, **owner, policy_arn=source.arn or ""
            )
        case unreachable:
            assert_never(unreachable)


def group_denials(denials: Sequence[Denial]) -> list[tuple[Denial, list[str]]]:
    """Denials with the same cause (kind, reason, statement), with their actions."""
    groups: dict[tuple[str, str, Any], tuple[Denial, list[str]]] = {}
    for denial in denials:
        key = (denial.kind, denial.reason, denial.statement)
        groups.setdefault(key, (denial, []))[1].append(denial.action)
    return list(groups.values())


def fix_for(denial: Denial, actions: list[str], simulation: Simulation, edits: PolicyEdits) -> str:
    """The fix text for one group of denials; statement edits go into `edits`."""
    pool = simulation.pool
    principal = simulation.principal
    ref = denial.statement
    names = action_names(actions)
    if denial.kind == "explicit":
        return _explicit_fix(ref, names, simulation, edits)
    if denial.kind == "boundary":
        where = principal.permissions_boundary or "the principal's permissions boundary policy"
        return (
            f"Add this statement to the permissions boundary {where} "
            f"({principal.console()} → Permissions boundary), or remove the boundary:\n"
            f"{pretty_json(runbook_statement(str(pool), actions))}"
        )
    if denial.kind == "scp":
        return (
            "Ask your AWS Organizations administrator to allow these actions for account "
            f"{pool.account} in its service control policies (Organizations → Policies → "
            "Service control policies); an SCP must not deny this statement:\n"
            f"{pretty_json(runbook_statement(str(pool), actions))}"
        )
    if denial.kind == "unexplained":
        return (
            f"{names}: the identity policies allow it, so look for what they don't show: a "
            "session policy (if the keys are temporary), a permissions boundary or an SCP. "
            "Granting the operator iam:SimulatePrincipalPolicy lets cognito-doctor name "
            "boundaries and SCPs."
        )
    if denial.kind == "unreadable":
        needed = ", ".join(simulation.policies.needed)
        return (
            f"Make sure {principal.label} has a statement like this one "
            f"({permissions_console(principal)}):\n{pretty_json(runbook_statement(str(pool)))}\n"
            f"To have cognito-doctor name the broken part, grant the operator "
            f"iam:SimulatePrincipalPolicy, or {needed}."
        )
    if denial.kind in (DenialKind.CONDITION, DenialKind.CONDITION_UNMET) and ref is not None:
        unconditional = {k: v for k, v in corrected_statement(ref.statement, pool).items()}
        unconditional.pop("Condition", None)
        return (
            f"Make sure user-management's requests meet the condition of {ref.label} "
            f"({', '.join(denial.condition_keys)}): the simulator is not given those values. "
            "If the condition is not meant to limit these actions, use this statement "
            f"instead ({ref.source.console()}):\n{pretty_json(unconditional)}"
        )
    return _grant_fix(ref, simulation, edits)


def _explicit_fix(
    ref: StatementRef | None, names: str, simulation: Simulation, edits: PolicyEdits
) -> str:
    """The fix for an explicit Deny: delete or narrow the statement that denies."""
    if ref is None:
        return (
            f"Find the Deny statement named above that covers {names} on "
            f"{simulation.pool} and remove it or narrow its Action/Resource. {RESTART}"
        )
    edits.replace(ref, None)
    leave = (
        f"\nOr, if the deny is meant for others, take {simulation.principal.label} out of group "
        f"{ref.source.owner} (IAM → User groups → {ref.source.owner} → Users)."
        if ref.source.owner_type == "group"
        else ""
    )
    return (
        f"{ref.label[0].upper()}{ref.label[1:]} denies {names} on the pool. Delete it "
        f"({ref.source.console()}) or narrow its Action/Resource so it no longer covers "
        f"these actions on {simulation.pool}. It reads:\n{pretty_json(ref.statement)}{leave}"
    )


def _grant_fix(ref: StatementRef | None, simulation: Simulation, edits: PolicyEdits) -> str:
    """The fix for a missing grant: add the runbook's statement, or correct `ref`."""
    pool = simulation.pool
    principal = simulation.principal
    if ref is None:
        statement = runbook_statement(str(pool))
        edits.additions.append(statement)
        return (
            f"Add this statement to {principal.label} ({permissions_console(principal)} → Add "
            "permissions → Create inline policy → JSON), as the runbook's step 2 says, with "
            f"the real values:\n{pretty_json(statement)}\n{RESTART}"
        )
    fixed = corrected_statement(ref.statement, pool)
    if ref.source.aws_managed:
        edits.additions.append(corrected_statement(None, pool))
        return (
            f"{ref.label[0].upper()}{ref.label[1:]} is in an AWS managed policy, which can't "
            f"be edited: add this statement to {principal.label} instead "
            f"({permissions_console(principal)} → Add permissions → Create inline policy → "
            f"JSON):\n{pretty_json(runbook_statement(str(pool)))}"
        )
    edits.replace(ref, fixed)
    limit = (
        f"\n{version_limit_note(edits.target, ref.source, edits.region)}"
        if ref.source.kind is PolicyKind.MANAGED
        else ""
    )
    return (
        f"In {ref.source.console()} ({ref.source.label}), replace {ref.name} with:\n"
        f"{pretty_json(fixed)}\n{RESTART}{limit}"
    )


def granting_refs(sim: Simulation, extra: Sequence[str]) -> list[StatementRef]:
    """The statements that grant the risky actions `extra` on the pool, each once."""
    refs: list[StatementRef] = []
    for action in extra:
        for ref in granting_statements(sim.policies.sources, action, sim.pool_arn):
            if ref not in refs:
                refs.append(ref)
    return refs


def risky_grants(sim: Simulation) -> tuple[list[str], dict[str, str]]:
    """The risky actions allowed on the pool (by the simulation, or by the identity policies
    with what is known of the service's requests), and those that may be, with the keys and
    statements they depend on."""
    allowed: list[str] = []
    maybe: dict[str, str] = {}
    for action in RISKY_ACTIONS:
        decision = sim.decisions.get(action)
        local = sim.local_view.get(action)
        if (decision is not None and decision.allowed) or (
            local is not None and local.decision is EvalDecision.ALLOWED
        ):
            allowed.append(action)
        elif local is not None and local.context_dependent:
            keys = ", ".join(local.missing_context)
            where = "; ".join(ref.label for ref in local.conditional)
            maybe[action] = f"{keys} in {where}"
        elif decision is not None and decision.missing_context and not sim.local_view:
            maybe[action] = f"the conditions on {', '.join(decision.missing_context)}"
    return allowed, maybe


def narrowing_fixes(sim: Simulation, refs: Sequence[StatementRef], edits: PolicyEdits) -> list[str]:
    """How to narrow each granting statement to the six actions; edits go into `edits`."""
    fixes = []
    for ref in refs:
        actions_named = element_values(ref.statement.get("Action", []))
        only_cognito = actions_named and all(
            a.lower().startswith("cognito-idp:") for a in actions_named
        )
        if only_cognito and not ref.source.aws_managed:
            narrowed = narrowed_statement(ref.statement, sim.pool)
            edits.replace(ref, narrowed)
            fixes.append(
                f"In {ref.source.console()} ({ref.source.label}), replace {ref.name} with:\n"
                f"{pretty_json(narrowed)}"
            )
        elif ref.source.aws_managed:
            fixes.append(
                f"Detach the AWS managed policy {ref.source.name} from {ref.source.owner_type} "
                f"{ref.source.owner} and grant only this statement instead:\n"
                f"{pretty_json(runbook_statement(sim.pool_arn))}"
            )
        else:
            fixes.append(
                f"{ref.label[0].upper()}{ref.label[1:]} grants "
                f"{json.dumps(ref.statement.get('Action') or ref.statement.get('NotAction'))} on "
                f"{json.dumps(ref.statement.get('Resource') or ref.statement.get('NotResource'))}"
                ": narrow it so it no longer covers cognito-idp on this pool (keep what the "
                "service needs from other services), and grant the six actions with:\n"
                f"{pretty_json(runbook_statement(sim.pool_arn))}"
            )
    if not fixes:
        fixes.append(
            f"Limit the policies of {sim.principal.arn} so that on {sim.pool_arn} they grant "
            f"only:\n{pretty_json(runbook_statement(sim.pool_arn))}"
        )
    return fixes


__all__ = [
    "RESTART",
    "PolicyEdits",
    "PolicyWrite",
    "action_names",
    "fix_for",
    "granting_refs",
    "group_denials",
    "narrowing_fixes",
    "permissions_console",
    "remove_policy_command",
    "risky_grants",
    "short",
]
