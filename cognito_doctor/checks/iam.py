"""Checks of the IAM permissions services/user-management needs on the pool (runbook step 2).

Pure functions of the facts in :mod:`cognito_doctor.iam`: who the service runs as, the
simulator's (or the local evaluator's) verdict for each action, the principal's policies, the
optional --probe calls, and the optional --policy-file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cognito_doctor.engine.model import Location, Outcome, failed, passed, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.iam import (
    LOCAL_BLIND_SPOTS,
    REQUIRED_ACTIONS,
    RISKY_ACTIONS,
    Arn,
    Denial,
    PolicyFile,
    PolicySource,
    Principal,
    Probe,
    Simulation,
    StatementRef,
    compare_resource,
    corrected_statement,
    covers_action,
    covers_resource,
    element_values,
    explain_denial,
    granting_statements,
    is_deny,
    narrowed_statement,
    new_inline_policy_command,
    placeholders_in,
    pretty_json,
    put_policy_command,
    runbook_policy,
    runbook_statement,
)
from cognito_doctor.platform.regions import partition_of
from cognito_doctor.platform.target import EnvTarget

RESTART = "Changes to IAM policies take effect within seconds; no restart is needed."


def short(action: str) -> str:
    """`cognito-idp:AdminGetUser` → `AdminGetUser`."""
    return action.split(":", 1)[-1]


def _names(actions: Sequence[str]) -> str:
    return ", ".join(short(a) for a in actions)


def _console(principal: Principal) -> str:
    return f"{principal.console()} → Permissions"


# --- iam.principal ---------------------------------------------------------------------


@check(
    "iam.principal",
    title="The service's IAM principal is known and can be checked",
    severity="error",
)
def principal(iam_principal: Principal) -> Outcome:
    """
    ## What it checks
    Finds the IAM principal whose permissions matter: the one given with `--principal-arn`
    (in prod, the ECS / EC2 / EKS execution role), otherwise the identity behind the keys in
    `services/user-management/.env` (`sts:GetCallerIdentity`). An assumed-role session ARN
    (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) cannot be simulated, so it is turned
    into the role's real ARN with `iam:GetRole`: roles can have a path that the session ARN
    leaves out. It fails for principals that cannot be checked: the account's root user, a
    federated user, a group, or a user or role that does not exist. In prod with no static
    keys and no `--principal-arn`, it errors and says what to pass.

    ## Why it matters
    Every other iam check simulates this principal's policies. Checking the wrong identity
    (the operator's, or a role name without its path) proves nothing about the calls
    user-management will make.

    ## How to fix
    Pass the role the service runs as: `--principal-arn arn:aws:iam::ACCOUNT:role/PATH/NAME`
    (IAM → Roles → the role → ARN; ECS: the task definition's `taskRoleArn`). In dev, put the
    access key of the runbook's IAM user `clinical-platform-user-mgmt-dev` in
    `services/user-management/.env`; never root keys.
    """
    p = iam_principal
    evidence: dict[str, Any] = {"given_arn": p.given_arn, "source": p.source}
    if p.problem:
        return failed(p.problem, p.fix, **evidence)
    notes = f"; {'; '.join(p.notes)}" if p.notes else ""
    boundary = f"; permissions boundary {p.permissions_boundary}" if p.permissions_boundary else ""
    return passed(
        f"the service runs as {p.kind} {p.arn} (from {p.source}){notes}{boundary}",
        arn=p.arn,
        kind=p.kind,
        account=p.account,
        permissions_boundary=p.permissions_boundary,
        **evidence,
    )


# --- iam.actions -----------------------------------------------------------------------


@dataclass
class _Edits:
    """Statement changes per policy, applied together so one command per policy results."""

    principal: Principal
    changes: dict[PolicySource, dict[int, Mapping[str, Any] | None]] = field(default_factory=dict)
    additions: list[Mapping[str, Any]] = field(default_factory=list)

    def replace(self, ref: StatementRef, statement: Mapping[str, Any] | None) -> None:
        self.changes.setdefault(ref.source, {})[ref.index] = statement

    def commands(self, sources: Sequence[PolicySource]) -> list[str]:
        commands = []
        for source, changes in self.changes.items():
            kept: list[dict[str, Any]] = []
            for index, statement in enumerate(source.statements()):
                if index not in changes:
                    kept.append(dict(statement))
                    continue
                replacement = changes[index]
                if replacement is not None:
                    kept.append(dict(replacement))
            if not kept:
                commands.append(_remove_policy_command(source))
                continue
            document = {**dict(source.document), "Statement": kept}
            document.setdefault("Version", "2012-10-17")
            command = put_policy_command(source, document)
            if command:
                commands.append(command)
        if self.additions:
            document = {"Version": "2012-10-17", "Statement": list(self.additions)}
            taken = [
                s.name
                for s in sources
                if s.kind == "inline" and s.owner_type == self.principal.kind
            ]
            commands.append(new_inline_policy_command(self.principal, document, taken))
        return commands


def _remove_policy_command(source: PolicySource) -> str:
    kind = source.owner_type
    if source.kind == "inline":
        return (
            f"aws iam delete-{kind}-policy --{kind}-name {source.owner} --policy-name {source.name}"
        )
    return f"aws iam detach-{kind}-policy --{kind}-name {source.owner} --policy-arn {source.arn}"


def _group(denials: Sequence[Denial]) -> list[tuple[Denial, list[str]]]:
    """Denials with the same cause (kind, reason, statement), with their actions."""
    groups: dict[tuple[str, str, Any], tuple[Denial, list[str]]] = {}
    for denial in denials:
        key = (denial.kind, denial.reason, denial.statement)
        groups.setdefault(key, (denial, []))[1].append(denial.action)
    return list(groups.values())


def _fix_for(denial: Denial, actions: list[str], simulation: Simulation, edits: _Edits) -> str:
    """The fix text for one group of denials; statement edits go into `edits`."""
    pool = simulation.pool
    principal = simulation.principal
    ref = denial.statement
    names = _names(actions)
    if denial.kind == "explicit":
        if ref is None:
            return (
                f"Find the Deny statement named above that covers {names} on "
                f"{pool} and remove it or narrow its Action/Resource. {RESTART}"
            )
        edits.replace(ref, None)
        leave = (
            f"\nOr, if the deny is meant for others, take {principal.label} out of group "
            f"{ref.source.owner} (IAM → User groups → {ref.source.owner} → Users)."
            if ref.source.owner_type == "group"
            else ""
        )
        return (
            f"{ref.label[0].upper()}{ref.label[1:]} denies {names} on the pool. Delete it "
            f"({ref.source.console()}) or narrow its Action/Resource so it no longer covers "
            f"these actions on {pool}. It reads:\n{pretty_json(ref.statement)}{leave}"
        )
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
            f"({_console(principal)}):\n{pretty_json(runbook_statement(str(pool)))}\n"
            f"To have cognito-doctor name the broken part, grant the operator "
            f"iam:SimulatePrincipalPolicy, or {needed}."
        )
    if denial.kind == "condition" and ref is not None:
        unconditional = {k: v for k, v in corrected_statement(ref.statement, pool).items()}
        unconditional.pop("Condition", None)
        return (
            f"Make sure user-management's requests meet the condition of {ref.label} "
            f"({', '.join(denial.condition_keys)}): the simulator is not given those values. "
            "If the condition is not meant to limit these actions, use this statement "
            f"instead ({ref.source.console()}):\n{pretty_json(unconditional)}"
        )
    if ref is None:
        statement = runbook_statement(str(pool))
        edits.additions.append(statement)
        return (
            f"Add this statement to {principal.label} ({_console(principal)} → Add "
            "permissions → Create inline policy → JSON), as the runbook's step 2 says, with "
            f"the real values:\n{pretty_json(statement)}\n{RESTART}"
        )
    fixed = corrected_statement(ref.statement, pool)
    if ref.source.aws_managed:
        edits.additions.append(corrected_statement(None, pool))
        return (
            f"{ref.label[0].upper()}{ref.label[1:]} is in an AWS managed policy, which can't "
            f"be edited: add this statement to {principal.label} instead "
            f"({_console(principal)} → Add permissions → Create inline policy → JSON):\n"
            f"{pretty_json(runbook_statement(str(pool)))}"
        )
    edits.replace(ref, fixed)
    return (
        f"In {ref.source.console()} ({ref.source.label}), replace {ref.name} with:\n"
        f"{pretty_json(fixed)}\n{RESTART}"
    )


def _table(simulation: Simulation, probe: Probe, actions: Sequence[str] = REQUIRED_ACTIONS) -> str:
    width = max(len(short(a)) for a in actions)
    lines = []
    for action in actions:
        decision = simulation.decisions[action]
        row = f"  {short(action):<{width}}  {decision.decision}"
        if decision.missing_context:
            row += f" (unevaluated conditions: {', '.join(decision.missing_context)})"
        call = probe.result(action)
        if call is not None:
            row += (
                f"; probe: {call.result} ({call.code})" if call.code else f"; probe: {call.result}"
            )
        elif probe.requested and not probe.problem:
            row += "; probe: not probed (it would create a user)"
        lines.append(row)
    return "\n".join(lines)


def _how(simulation: Simulation) -> str:
    if not simulation.local:
        return "with iam:SimulatePrincipalPolicy"
    boundary = (
        f"; {simulation.principal.label} has the permissions boundary "
        f"{simulation.principal.permissions_boundary}, which was not evaluated"
        if simulation.principal.permissions_boundary
        else ""
    )
    return (
        f"evaluated locally from the principal's identity policies, because "
        f"{simulation.fallback_reason}; this can't see {LOCAL_BLIND_SPOTS}{boundary}"
    )


@check(
    "iam.actions", title="The service may call the six Admin actions on the pool", severity="error"
)
def actions(iam_simulation: Simulation, iam_probe: Probe) -> Outcome:
    """
    ## What it checks
    Simulates (`iam:SimulatePrincipalPolicy`) the principal's permissions for the six actions
    the runbook's step 2 grants: `cognito-idp:AdminCreateUser`, `AdminDisableUser`,
    `AdminEnableUser`, `AdminDeleteUser`, `AdminResetUserPassword` and `AdminGetUser`, on the
    pool's ARN `arn:<partition>:cognito-idp:<region>:<account>:userpool/<poolId>`, and reports
    each action's verdict (allowed / implicitDeny / explicitDeny). For every denied action it
    says why: which part of the policy's Resource ARN differs from the pool's (partition,
    service, region, account, resource type, pool id), a placeholder such as `<REGION>` left
    in, an action missing from every statement, the Deny statement (policy and statement)
    that denies it, or a permissions boundary or service control policy. Conditions the
    simulation can't evaluate are listed as a warning.

    When the operator may not call `iam:SimulatePrincipalPolicy`, the principal's identity
    policies are read and evaluated locally (Allow/Deny, Action/NotAction, Resource/NotResource,
    wildcards; conditions reported, not guessed); the result says so, and that it cannot see
    SCPs, permissions boundaries or session policies. With `--probe`, the service's own keys
    make the read-only Admin calls for a username that cannot exist: UserNotFoundException
    proves the permission, AccessDeniedException disproves it.

    ## Why it matters
    The runbook's most common failure: the promote returns a 500 with AccessDeniedException
    on the first AdminCreateUser, because the policy's Resource names the wrong region or
    account, still says `<USER_POOL_ID>`, or an action is missing. Nothing shows it before
    the first real promote.

    ## How to fix
    Paste the corrected statement the fix prints (real values filled in) into the policy it
    names, or run the printed `aws iam put-user-policy` / `create-policy-version` command.
    The runbook's statement is:
    `{"Effect": "Allow", "Action": [the six actions], "Resource":
    "arn:aws:cognito-idp:REGION:ACCOUNT_ID:userpool/USER_POOL_ID"}`.
    """
    sim = iam_simulation
    decisions = [sim.decisions[a] for a in REQUIRED_ACTIONS]
    who = sim.principal.arn
    table = _table(sim, iam_probe)
    how = _how(sim)
    proved = {c.action for c in iam_probe.calls if c.result == "allowed"}
    refuted = [
        c.action
        for c in iam_probe.calls
        if c.result == "denied" and sim.decisions[c.action].allowed
    ]
    denied = [d for d in decisions if not d.allowed]
    denials = [explain_denial(sim, d) for d in denied]
    soft_kinds = {"condition"}
    hard = [
        d
        for d in denials
        if d.kind not in soft_kinds
        and not (d.kind == "unreadable" and d.condition_keys)
        and d.action not in proved
    ]
    soft = [d for d in denials if d not in hard and d.action not in proved]
    overruled = [d.action for d in denials if d.action in proved]
    evidence: dict[str, Any] = {
        "principal": sim.principal.arn,
        "pool_arn": sim.pool_arn,
        "method": sim.method,
        "decisions": {short(d.action): d.decision for d in decisions},
        "missing_context": {
            short(d.action): list(d.missing_context) for d in decisions if d.missing_context
        },
    }
    if iam_probe.requested:
        evidence["probe"] = {short(c.action): c.result for c in iam_probe.calls}
    edits = _Edits(sim.principal)
    reasons: list[str] = []
    fixes: list[str] = []
    for denial, group_actions in _group(hard + soft):
        reasons.append(f"{_names(group_actions)}: {denial.reason}")
        fixes.append(_fix_for(denial, group_actions, sim, edits))
    if refuted:
        reasons.append(
            f"{_names(refuted)}: allowed by the {'local evaluation' if sim.local else 'simulation'}"
            f", but the probe's real call was denied (AccessDeniedException): something the "
            f"{'policies' if sim.local else 'simulation'} can't show denies it (an SCP, a "
            "session policy, a VPC endpoint policy)"
        )
        fixes.append(
            f"Find what denies {_names(refuted)} for {who}: check the SCPs of account "
            f"{sim.pool.account}, the session policy of temporary keys, and any VPC endpoint "
            "policy between the service and Cognito."
        )
    commands = edits.commands(sim.policies.sources)
    fix_command = " && ".join(commands) if commands else None
    if hard or refuted:
        count = len(hard) + len(refuted)
        return failed(
            f"{count} of {len(REQUIRED_ACTIONS)} actions are denied to {who} on {sim.pool_arn} "
            f"({how}). " + " ".join(f"{r}." for r in reasons) + f"\n{table}",
            "\n\n".join(fixes),
            fix_command=fix_command,
            **evidence,
        )
    conditional = [d for d in decisions if d.allowed and d.missing_context]
    notes = []
    if soft:
        notes += [f"{r}." for r in reasons]
    if conditional:
        notes.append(
            f"{_names([d.action for d in conditional])}: allowed, but conditions the "
            f"{'local evaluation' if sim.local else 'simulation'} couldn't evaluate could still "
            f"deny them: {', '.join(sorted({k for d in conditional for k in d.missing_context}))}."
        )
        fixes.append(
            "Check that user-management's requests meet those conditions (the simulator is "
            "not given their values), or remove the conditions from the statements that test "
            "them."
        )
    if overruled:
        notes.append(
            f"{_names(overruled)}: denied by the "
            f"{'local evaluation' if sim.local else 'simulation'}, but the probe's real call "
            "was allowed (UserNotFoundException), so a condition or a policy the simulation "
            "doesn't model decides it."
        )
        fixes.append(
            f"Review the conditions in the policies of {who} for {_names(overruled)}; the "
            "real call works today."
        )
    if iam_probe.problem:
        notes.append(f"--probe could not run: {iam_probe.problem}.")
        fixes.append(
            "Run --probe where the service's keys are in services/user-management/.env, or "
            "rely on the simulation."
        )
    if notes:
        return warned(
            f"the actions may be denied to {who} on {sim.pool_arn} ({how}): "
            + " ".join(notes)
            + f"\n{table}",
            "\n\n".join(fixes),
            fix_command=fix_command,
            **evidence,
        )
    probed = (
        f"; --probe proved {len(proved)} of them with real calls "
        "(AdminCreateUser can't be probed without creating a user)"
        if proved
        else ""
    )
    return passed(
        f"all {len(REQUIRED_ACTIONS)} actions are allowed to {who} on {sim.pool_arn} "
        f"({how}){probed}\n{table}",
        **evidence,
    )


# --- iam.least-privilege -----------------------------------------------------------------


@check(
    "iam.least-privilege",
    title="The service may do nothing risky on the pool beyond the six actions",
    severity="warning",
)
def least_privilege(iam_simulation: Simulation) -> Outcome:
    """
    ## What it checks
    Simulates, besides the six actions the service needs, a short list of risky actions on
    the pool: `DeleteUserPool`, `UpdateUserPool`, `AdminSetUserPassword`,
    `AdminUpdateUserAttributes`, `AdminInitiateAuth`, `AdminAddUserToGroup`,
    `AdminConfirmSignUp`, `ListUsers`, `DescribeUserPoolClient`, `CreateUserPoolClient`,
    `UpdateUserPoolClient` and `SetUserPoolMfaConfig`. It warns about each one the principal
    is allowed, and names the statements that grant them (for example `cognito-idp:*`).

    ## Why it matters
    The service's keys sit in a `.env` file. Whoever gets them can do everything the
    principal may: with `cognito-idp:*` that includes deleting the pool with every user in
    it, or changing a user's email and taking over the account. The runbook grants six
    actions on one pool, nothing more.

    ## How to fix
    Replace the statement that grants more with the runbook's statement (six actions on the
    pool's ARN); the fix prints it with the real values, and the command to apply it.
    """
    sim = iam_simulation
    extra = [a for a in RISKY_ACTIONS if a in sim.decisions and sim.decisions[a].allowed]
    who = sim.principal.arn
    checked = [a for a in RISKY_ACTIONS if a in sim.decisions]
    if not extra:
        return passed(
            f"none of the {len(checked)} risky actions checked ({_names(checked[:3])}, …) is "
            f"allowed on the pool ({_how(sim)})",
            principal=sim.principal.arn,
            pool_arn=sim.pool_arn,
            checked=[short(a) for a in checked],
        )
    described = "; ".join(f"{short(a)} ({RISKY_ACTIONS[a]})" for a in extra)
    refs: list[StatementRef] = []
    for action in extra:
        for ref in granting_statements(sim.policies.sources, action, sim.pool_arn):
            if ref not in refs:
                refs.append(ref)
    fixes = []
    edits = _Edits(sim.principal)
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
            f"Limit the policies of {who} so that on {sim.pool_arn} they grant only:\n"
            f"{pretty_json(runbook_statement(sim.pool_arn))}"
        )
    commands = edits.commands(sim.policies.sources)
    granted_by = " Granted by " + "; ".join(ref.label for ref in refs) + "." if refs else ""
    return warned(
        f"{who} may also do {len(extra)} risky thing(s) on {sim.pool_arn} it never needs: "
        f"{described}.{granted_by}",
        "\n\n".join(fixes),
        fix_command=" && ".join(commands) if commands else None,
        extra=[short(a) for a in extra],
        statements=[ref.label for ref in refs],
    )


# --- iam.policy-file -------------------------------------------------------------------


def _strings(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def _statement_paths(
    document: Mapping[str, Any],
) -> list[tuple[tuple[str | int, ...], Mapping[str, Any]]]:
    statement = document.get("Statement")
    if isinstance(statement, Mapping):
        return [(("Statement",), statement)]
    if isinstance(statement, list):
        return [(("Statement", i), s) for i, s in enumerate(statement) if isinstance(s, Mapping)]
    return []


def _resource_paths(
    path: tuple[str | int, ...], statement: Mapping[str, Any]
) -> list[tuple[tuple[str | int, ...], str]]:
    resource = statement.get("Resource")
    if isinstance(resource, str):
        return [((*path, "Resource"), resource)]
    if isinstance(resource, list):
        return [((*path, "Resource", i), r) for i, r in enumerate(resource) if isinstance(r, str)]
    return []


def _file_account(document: Mapping[str, Any]) -> str | None:
    """The 12-digit account a policy's cognito-idp Resource names, if any."""
    for _, statement in _statement_paths(document):
        for _, resource in _resource_paths((), statement):
            parsed = Arn.parse(resource)
            if (
                parsed
                and parsed.service == "cognito-idp"
                and parsed.account.isdigit()
                and len(parsed.account) == 12
            ):
                return parsed.account
    return None


@check(
    "iam.policy-file",
    title="The policy file grants the six actions on this pool, with no placeholders left",
    severity="error",
)
def policy_file_check(policy_file: PolicyFile, env_target: EnvTarget) -> Outcome:
    """
    ## What it checks
    Runs with `--policy-file PATH`, offline: the JSON policy your team keeps in its
    repository, or is about to paste from the runbook, is valid JSON, is an IAM policy,
    has no placeholders left (`<REGION>`, `<ACCOUNT_ID>`, `<USER_POOL_ID>`), allows all six
    actions (`cognito-idp:AdminCreateUser`, `AdminDisableUser`, `AdminEnableUser`,
    `AdminDeleteUser`, `AdminResetUserPassword`, `AdminGetUser`), denies none of them, and
    names exactly the pool of the `.env` files:
    `arn:aws:cognito-idp:<COGNITO_REGION>:<account>:userpool/<COGNITO_USER_POOL_ID>`. A
    wildcard Resource warns. Every finding carries the file and line. Offline, the account
    can only be checked for shape (12 digits); `iam.actions` checks the real one.

    ## Why it matters
    A policy pasted with `<REGION>` still in it, or with the example pool id, is accepted by
    IAM and grants nothing: the service then fails with AccessDeniedException on the first
    promote. Checking the file before pasting it catches that in review.

    ## How to fix
    Replace the statement with the corrected one the fix prints (the region and pool id from
    the `.env` files filled in; the account id is the 12 digits at the top right of the
    console, or `aws sts get-caller-identity --query Account --output text`).
    """
    pf = policy_file

    def at(line: int | None) -> Location:
        return Location(pf.display, line)

    pool_id, region = env_target.pool_and_region()
    if pf.problem:
        sample = (
            pretty_json(
                runbook_policy(
                    f"arn:{partition_of(region)}:cognito-idp:{region}:<ACCOUNT_ID>:userpool/{pool_id}"
                )
            )
            if pool_id and region
            else ""
        )
        return failed(
            pf.problem,
            f"Fix {pf.display}"
            + (f" at line {pf.line}" if pf.line else "")
            + " (a missing comma or quote, a trailing comma, or text pasted around the "
            "policy)."
            + (f" The runbook's policy with this pool's values is:\n{sample}" if sample else ""),
            location=at(pf.line),
        )
    document = pf.document
    statements = _statement_paths(document) if isinstance(document, Mapping) else []
    if not statements:
        return failed(
            f"{pf.display} is JSON but not an IAM policy: it has no Statement",
            'Use the runbook\'s policy: an object with "Version": "2012-10-17" and a '
            '"Statement" list.',
            location=at(pf.line_of("Statement") or 1),
        )
    assert isinstance(document, Mapping)
    account = _file_account(document)
    pool: Arn | None = None
    if pool_id and region:
        pool = Arn(
            partition_of(region),
            "cognito-idp",
            region,
            account or "<ACCOUNT_ID>",
            f"userpool/{pool_id}",
        )
    errors: list[tuple[int | None, str]] = []
    warnings: list[tuple[int | None, str]] = []
    resource_paths = {path for spath, s in statements for path, _ in _resource_paths(spath, s)}
    for path, text in _strings(document):
        left = placeholders_in(text)
        if left and (path not in resource_paths or pool is None):
            errors.append(
                (pf.line_of(*path), f"placeholder {', '.join(left)} never replaced in {text!r}")
            )
    if document.get("Version") != "2012-10-17":
        warnings.append(
            (
                pf.line_of("Version") or 1,
                f'Version is {document.get("Version")!r}, not "2012-10-17" (policy variables '
                "need it)",
            )
        )
    # A concrete ARN to evaluate against: the file's account, or a stand-in for the unknown one.
    probe_arn = (
        str(pool)
        if pool and account
        else (
            f"arn:{pool.partition}:cognito-idp:{pool.region}:000000000000:{pool.resource}"
            if pool
            else None
        )
    )
    for action in REQUIRED_ACTIONS:
        naming = [(p, s) for p, s in statements if not is_deny(s) and covers_action(s, action)]
        if not naming:
            errors.append(
                (pf.line_of("Statement"), f"{short(action)} is missing from every Allow statement")
            )
            continue
        if probe_arn:
            for spath, statement in statements:
                if (
                    is_deny(statement)
                    and covers_action(statement, action)
                    and covers_resource(statement, probe_arn)
                ):
                    errors.append(
                        (pf.line_of(*spath), f"a Deny statement denies {short(action)} on the pool")
                    )
    seen: set[tuple[str | int, ...]] = set()
    for spath, statement in statements:
        if is_deny(statement) or not any(covers_action(statement, a) for a in REQUIRED_ACTIONS):
            continue
        if "Resource" not in statement:
            errors.append((pf.line_of(*spath), "the statement has no Resource"))
        for rpath, resource in _resource_paths(spath, statement):
            if rpath in seen or pool is None:
                continue
            seen.add(rpath)
            comparison = compare_resource(resource, pool, check_account=False)
            line = pf.line_of(*rpath)
            if not comparison.matches:
                errors.append((line, f"Resource {resource}: " + "; ".join(comparison.differences)))
            elif "*" in resource or "?" in resource:
                warnings.append(
                    (
                        line,
                        f"Resource {resource} is a wildcard: it grants the actions on more than "
                        f"the pool {pool_id}",
                    )
                )
    if pool is None:
        warnings.append(
            (
                None,
                "the .env files name no pool (COGNITO_USER_POOL_ID, COGNITO_REGION), so the "
                "Resource could not be compared with it (see env.pool-id)",
            )
        )
    corrected = _corrected_file(document, statements, pool)
    account_note = (
        f" The account id {account} is taken from the file; iam.actions checks it against the "
        "real one."
        if account
        else " Replace <ACCOUNT_ID> with your 12-digit AWS account id (top right of the "
        "console, or `aws sts get-caller-identity --query Account --output text`)."
    )
    findings = errors or warnings
    evidence: dict[str, Any] = {
        "file": pf.display,
        "errors": [f"line {line}: {text}" if line else text for line, text in errors],
        "warnings": [f"line {line}: {text}" if line else text for line, text in warnings],
    }
    if findings:
        first_line = next((line for line, _ in findings if line), None)
        described = "; ".join(f"line {line}: {text}" if line else text for line, text in findings)
        make = failed if errors else warned
        fix = (
            f"Replace the policy in {pf.display} with (real values filled in):\n"
            f"{pretty_json(corrected)}\n{account_note.strip()}"
            if corrected is not None
            else f"Fix the lines named above in {pf.display}."
        )
        return make(f"{pf.display}: {described}", fix, location=at(first_line), **evidence)
    return passed(
        f"{pf.display} allows all {len(REQUIRED_ACTIONS)} actions on {pool} and nothing is left "
        "to fill in (the account id is checked by iam.actions)",
        **evidence,
    )


def _corrected_file(
    document: Mapping[str, Any],
    statements: Sequence[tuple[tuple[str | int, ...], Mapping[str, Any]]],
    pool: Arn | None,
) -> dict[str, Any] | None:
    if pool is None:
        return None
    fixed: list[Mapping[str, Any]] = []
    granted = False
    for _, statement in statements:
        if is_deny(statement) and any(covers_action(statement, a) for a in REQUIRED_ACTIONS):
            continue  # a Deny of the service's own actions has no place in its policy
        if not is_deny(statement) and any(covers_action(statement, a) for a in REQUIRED_ACTIONS):
            fixed.append(corrected_statement(statement, pool))
            granted = True
        else:
            fixed.append(statement)
    if not granted:
        fixed.append(runbook_statement(str(pool)))
    return {"Version": "2012-10-17", "Statement": fixed}


__all__ = ["actions", "least_privilege", "policy_file_check", "principal"]
