"""Checks of the IAM permissions services/user-management needs on the pool (runbook step 2).

Pure functions of the facts in :mod:`cognito_doctor.iam`: who the service runs as, the
simulator's (or the local evaluator's) verdict for each action, the principal's policies, the
optional --probe calls, and the optional --policy-file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cognito_doctor.checks.changes import iam_policy_change
from cognito_doctor.checks.iam_findings import (
    actions_evidence,
    caveat_notes,
    decision_table,
    denial_findings,
    file_outcome,
    how_evaluated,
    judge_actions,
    unparsable_file,
)
from cognito_doctor.engine.model import Location, Outcome, errored, failed, passed, warned
from cognito_doctor.engine.registry import check
from cognito_doctor.iam import (
    REQUIRED_ACTIONS,
    RISKY_ACTIONS,
    PolicyFile,
    Principal,
    Probe,
    Simulation,
)
from cognito_doctor.iam.context import service_context
from cognito_doctor.iam.policy_lint import (
    FileFindings,
    check_actions,
    check_resources,
    check_version,
    check_wildcards,
    corrected_file,
    expected_pool,
    file_account,
    find_placeholders,
    report_violations,
    stand_in_arn,
    statement_paths,
)
from cognito_doctor.iam.remedies import (
    PolicyEdits,
    action_names,
    granting_refs,
    narrowing_fixes,
    risky_grants,
    short,
)
from cognito_doctor.platform.awscli import AwsTarget
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import EnvTarget

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
    if p.unverified:
        # STS named the ARN; IAM's record (the entity, its path, its boundary) wasn't read, so
        # the check can't say the principal "can be checked": a warning, not a pass.
        read = "iam:GetUser" if p.kind == "user" else "iam:GetRole"
        return warned(
            f"the service runs as {p.kind} {p.arn} (from {p.source}){notes}, but the ARN was "
            f"not verified: whether IAM has that {p.kind}, its path and its permissions "
            f"boundary are unknown ({p.unverified})",
            f"Grant the operator {read} on {p.arn} (or run again if AWS was failing); "
            "the simulation below uses the ARN as STS gave it.",
            arn=p.arn,
            kind=p.kind,
            account=p.account,
            **evidence,
        )
    return passed(
        f"the service runs as {p.kind} {p.arn} (from {p.source}){notes}{boundary}",
        arn=p.arn,
        kind=p.kind,
        account=p.account,
        permissions_boundary=p.permissions_boundary,
        **evidence,
    )


# --- iam.actions -----------------------------------------------------------------------


@check(
    "iam.actions", title="The service may call the six Admin actions on the pool", severity="error"
)
def actions(iam_simulation: Simulation, iam_probe: Probe, settings: RunConfig) -> Outcome:
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
    names, or run the printed `aws iam put-user-policy` / `create-policy-version` command;
    `cognito-doctor fix` makes every iam check's edit to one policy in one command (and, with
    `--apply`, writes it after reading the policy again).
    The runbook's statement is:
    `{"Effect": "Allow", "Action": [the six actions], "Resource":
    "arn:aws:cognito-idp:REGION:ACCOUNT_ID:userpool/USER_POOL_ID"}`.
    """
    sim = iam_simulation
    verdicts = judge_actions(sim, iam_probe)
    who = sim.principal.arn
    table = decision_table(sim, iam_probe)
    how = how_evaluated(sim)
    evidence = actions_evidence(sim, iam_probe, verdicts.decisions)
    edits = PolicyEdits(sim.principal, AwsTarget.of(settings), sim.pool.region)
    reasons, fixes = denial_findings(sim, verdicts, edits)
    commands = edits.commands(sim.policies.sources)
    fix_command = " && ".join(commands) if commands else None
    change = iam_policy_change(edits.writes(sim.policies.sources))
    if verdicts.hard or verdicts.refuted:
        count = len(verdicts.hard) + len(verdicts.refuted)
        return failed(
            f"{count} of {len(REQUIRED_ACTIONS)} actions are denied to {who} on {sim.pool_arn} "
            f"({how}). " + " ".join(f"{r}." for r in reasons) + f"\n{table}",
            "\n\n".join(fixes),
            fix_command=fix_command,
            change=change,
            **evidence,
        )
    notes = caveat_notes(sim, iam_probe, verdicts, reasons, fixes)
    if notes:
        return warned(
            f"the actions may be denied to {who} on {sim.pool_arn} ({how}): "
            + " ".join(notes)
            + f"\n{table}",
            "\n\n".join(fixes),
            fix_command=fix_command,
            change=change,
            **evidence,
        )
    probed = (
        f"; --probe proved {len(verdicts.proved)} of them with real calls "
        "(AdminCreateUser can't be probed without creating a user)"
        if verdicts.proved
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
def least_privilege(iam_simulation: Simulation, settings: RunConfig) -> Outcome:
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
    unanswered = [a for a in RISKY_ACTIONS if a not in sim.decisions]
    if unanswered:
        # A partial answer (results missing, or IsTruncated with no Marker to go on) proves
        # nothing about the actions it left out: no pass on what wasn't evaluated.
        return errored(
            f"couldn't verify: {how_evaluated(sim)} gave no verdict for {len(unanswered)} of "
            f"the {len(RISKY_ACTIONS)} risky actions ({action_names(unanswered[:3])}"
            f"{', …' if len(unanswered) > 3 else ''})",
            "Run again; if it persists, the simulation's answer is partial: check the "
            "endpoint, or evaluate the policies with --policy-file.",
            unanswered=[short(a) for a in unanswered],
        )
    extra, maybe = risky_grants(sim)
    who = sim.principal.arn
    checked = list(RISKY_ACTIONS)
    if not extra and not maybe:
        return passed(
            f"none of the {len(checked)} risky actions checked ({action_names(checked[:3])}, …) "
            f"is allowed on the pool ({how_evaluated(sim)})",
            principal=sim.principal.arn,
            pool_arn=sim.pool_arn,
            checked=[short(a) for a in checked],
        )
    if not extra:
        return warned(
            f"{who} may be allowed {len(maybe)} risky action(s) on {sim.pool_arn}, depending on "
            "values not known for the service's calls: "
            + "; ".join(f"{short(a)} (when {maybe[a]} allows it)" for a in maybe),
            "Check those conditions: if they can hold for the service's calls, narrow the "
            "statements to the six actions the service needs.",
            extra=[],
            maybe=[short(a) for a in maybe],
        )
    described = "; ".join(f"{short(a)} ({RISKY_ACTIONS[a]})" for a in extra)
    refs = granting_refs(sim, extra)
    refs += [r for a in extra if a in sim.local_view for r in sim.local_view[a].matched]
    refs = list(dict.fromkeys(refs))
    edits = PolicyEdits(sim.principal, AwsTarget.of(settings), sim.pool.region)
    fixes = narrowing_fixes(sim, refs, edits)
    commands = edits.commands(sim.policies.sources)
    granted_by = " Granted by " + "; ".join(ref.label for ref in refs) + "." if refs else ""
    return warned(
        f"{who} may also do {len(extra)} risky thing(s) on {sim.pool_arn} it never needs: "
        f"{described}.{granted_by}",
        "\n\n".join(fixes),
        fix_command=" && ".join(commands) if commands else None,
        change=iam_policy_change(edits.writes(sim.policies.sources)),
        extra=[short(a) for a in extra],
        statements=[ref.label for ref in refs],
    )


# --- iam.policy-file -------------------------------------------------------------------


@check(
    "iam.policy-file",
    title="The policy file grants the six actions on this pool, with no placeholders left",
    severity="error",
)
def policy_file_check(
    policy_file: PolicyFile, env_target: EnvTarget, settings: RunConfig
) -> Outcome:
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
    aws_target = AwsTarget.of(settings)
    pool_id, region = env_target.pool_and_region()
    if pf.problem:
        return unparsable_file(pf, pf.problem, pool_id, region)
    document = pf.document
    statements = statement_paths(document) if isinstance(document, Mapping) else []
    if not statements:
        return failed(
            f"{pf.display} is JSON but not an IAM policy: it has no Statement",
            'Use the runbook\'s policy: an object with "Version": "2012-10-17" and a '
            '"Statement" list.',
            location=Location(pf.display, pf.line_of("Statement") or 1),
        )
    assert isinstance(document, Mapping)
    found = FileFindings()
    if report_violations(found, pf, document):
        return file_outcome(pf, found, None, None, None, aws_target, settings.region)
    account = file_account(document)
    pool = expected_pool(pool_id, region, account)
    find_placeholders(found, pf, document, statements, pool)
    check_version(found, pf, document)
    target = stand_in_arn(pool, account)
    if pool is None or target is None or region is None or pool_id is None:
        found.warnings.append((None, NO_POOL_WARNING))
        return file_outcome(pf, found, None, account, pool, aws_target, settings.region)
    # The runbook's service calls Cognito over HTTPS with an IAM user's long-term keys.
    context = service_context(region=region, long_term_keys=True)
    denied = check_actions(found, pf, statements, target, context)
    check_resources(found, pf, statements, pool, denied)
    check_wildcards(found, pf, statements, target, pool_id)
    corrected = corrected_file(document, statements, pool)
    return file_outcome(pf, found, corrected, account, pool, aws_target, settings.region)


NO_POOL_WARNING = (
    "the .env files name no pool (COGNITO_USER_POOL_ID, COGNITO_REGION), so the policy could "
    "not be evaluated for it (see env.pool-id)"
)


__all__ = ["actions", "least_privilege", "policy_file_check", "principal"]
