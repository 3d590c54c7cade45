"""What the iam checks of :mod:`cognito_doctor.checks.iam` find, and the outcomes they report.

Helpers, no checks: for iam.actions, the verdicts weighed against the --probe calls, the
verdict table, the reasons and fixes for denied actions and the caveats that make it warn; for
iam.policy-file, the outcome for a file that is not JSON and the one built from its findings
(:mod:`cognito_doctor.iam.policy_lint`). The fixes themselves are in
:mod:`cognito_doctor.iam.remedies`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cognito_doctor.engine.model import Location, Outcome, failed, passed, warned
from cognito_doctor.iam import (
    LOCAL_BLIND_SPOTS,
    REQUIRED_ACTIONS,
    Arn,
    Decision,
    Denial,
    PolicyFile,
    Probe,
    Simulation,
    explain_denial,
    pretty_json,
    runbook_policy,
)
from cognito_doctor.iam.fixes import account_id_command
from cognito_doctor.iam.kinds import ProbeResult
from cognito_doctor.iam.policy_lint import FileFindings
from cognito_doctor.iam.remedies import PolicyEdits, action_names, fix_for, group_denials, short
from cognito_doctor.platform.awscli import AwsTarget
from cognito_doctor.platform.regions import partition_of

# --- iam.actions -----------------------------------------------------------------------


def decision_table(
    simulation: Simulation, probe: Probe, actions: Sequence[str] = REQUIRED_ACTIONS
) -> str:
    """One row per action: its verdict, unevaluated conditions and --probe result."""
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


def how_evaluated(simulation: Simulation) -> str:
    """How the verdicts were reached: by the simulator, or locally (and what that misses)."""
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


@dataclass(frozen=True)
class ActionVerdicts:
    """The six actions' verdicts, their denials sorted hard and soft, and what --probe showed."""

    decisions: list[Decision]
    proved: set[str]
    refuted: list[str]
    hard: list[Denial]
    soft: list[Denial]
    overruled: list[str]


def judge_actions(sim: Simulation, probe: Probe) -> ActionVerdicts:
    """Explain each denied action, and weigh the verdicts against the probe's real calls."""
    decisions = [sim.decisions[a] for a in REQUIRED_ACTIONS]
    proved = {c.action for c in probe.with_result(ProbeResult.ALLOWED)}
    refuted = [
        c.action for c in probe.with_result(ProbeResult.DENIED) if sim.decisions[c.action].allowed
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
    return ActionVerdicts(decisions, proved, refuted, hard, soft, overruled)


def actions_evidence(sim: Simulation, probe: Probe, decisions: list[Decision]) -> dict[str, Any]:
    """The evidence iam.actions reports: principal, pool, method, verdicts, probe results."""
    evidence: dict[str, Any] = {
        "principal": sim.principal.arn,
        "pool_arn": sim.pool_arn,
        "method": sim.method,
        "decisions": {short(d.action): d.decision for d in decisions},
        "missing_context": {
            short(d.action): list(d.missing_context) for d in decisions if d.missing_context
        },
    }
    if probe.requested:
        evidence["probe"] = {short(c.action): str(c.result) for c in probe.calls}
    return evidence


def denial_findings(
    sim: Simulation, verdicts: ActionVerdicts, edits: PolicyEdits
) -> tuple[list[str], list[str]]:
    """(reasons, fixes) for the denied and the refuted actions; edits go into `edits`."""
    reasons: list[str] = []
    fixes: list[str] = []
    for denial, group_actions in group_denials(verdicts.hard + verdicts.soft):
        reasons.append(f"{action_names(group_actions)}: {denial.reason}")
        fixes.append(fix_for(denial, group_actions, sim, edits))
    refuted = verdicts.refuted
    if refuted:
        reasons.append(
            f"{action_names(refuted)}: allowed by the "
            f"{'local evaluation' if sim.local else 'simulation'}"
            f", but the probe's real call was denied (AccessDeniedException): something the "
            f"{'policies' if sim.local else 'simulation'} can't show denies it (an SCP, a "
            "session policy, a VPC endpoint policy)"
        )
        fixes.append(
            f"Find what denies {action_names(refuted)} for {sim.principal.arn}: check the SCPs "
            f"of account {sim.pool.account}, the session policy of temporary keys, and any VPC "
            "endpoint policy between the service and Cognito."
        )
    return reasons, fixes


def caveat_notes(
    sim: Simulation, probe: Probe, verdicts: ActionVerdicts, reasons: list[str], fixes: list[str]
) -> list[str]:
    """The notes that make iam.actions warn when nothing is denied outright; fixes are added."""
    who = sim.principal.arn
    conditional = [d for d in verdicts.decisions if d.allowed and d.missing_context]
    notes = []
    if verdicts.soft:
        notes += [f"{r}." for r in reasons]
    if conditional:
        notes.append(
            f"{action_names([d.action for d in conditional])}: allowed, but conditions the "
            f"{'local evaluation' if sim.local else 'simulation'} couldn't evaluate could still "
            f"deny them: {', '.join(sorted({k for d in conditional for k in d.missing_context}))}."
        )
        fixes.append(
            "Check that user-management's requests meet those conditions (the simulator is "
            "not given their values), or remove the conditions from the statements that test "
            "them."
        )
    overruled = verdicts.overruled
    if overruled:
        notes.append(
            f"{action_names(overruled)}: denied by the "
            f"{'local evaluation' if sim.local else 'simulation'}, but the probe's real call "
            "was allowed (UserNotFoundException), so a condition or a policy the simulation "
            "doesn't model decides it."
        )
        fixes.append(
            f"Review the conditions in the policies of {who} for {action_names(overruled)}; the "
            "real call works today."
        )
    unproved = probe.with_result(ProbeResult.INCONCLUSIVE)
    if unproved:
        # The user asked for real calls; a call that got no answer proves nothing either way,
        # so the verdict rests on the simulation alone, and the report says so.
        got = ", ".join(f"{short(c.action)} ({c.code})" for c in unproved)
        notes.append(
            f"--probe could not conclude for {got}: no allowed/denied answer came back, so "
            "these verdicts rest on the simulation alone."
        )
        fixes.append("Run `cognito-doctor check --probe` again once Cognito answers.")
    if probe.problem:
        notes.append(f"--probe could not run: {probe.problem}.")
        fixes.append(
            "Run --probe where the service's keys are in services/user-management/.env, or "
            "rely on the simulation."
        )
    return notes


# --- iam.policy-file -------------------------------------------------------------------


def unparsable_file(
    pf: PolicyFile, problem: str, pool_id: str | None, region: str | None
) -> Outcome:
    """The failure for a policy file that is not valid JSON, with the runbook's policy."""
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
        problem,
        f"Fix {pf.display}"
        + (f" at line {pf.line}" if pf.line else "")
        + (
            " (a missing comma or quote, a trailing comma, or text pasted around the policy)."
            if pf.line
            # No line: the file was refused before parsing (not UTF-8, too large, too deep).
            else ": replace it with the policy itself."
        )
        + (f" The runbook's policy with this pool's values is:\n{sample}" if sample else ""),
        location=Location(pf.display, pf.line),
    )


def file_outcome(
    pf: PolicyFile,
    found: FileFindings,
    corrected: dict[str, Any] | None,
    account: str | None,
    pool: Arn | None,
    target: AwsTarget,
    region: str | None = None,
) -> Outcome:
    """The policy file's outcome: its errors, else its warnings, else a pass."""
    errors, warnings = found.errors, found.warnings
    account_note = (
        f" The account id {account} is taken from the file; iam.actions checks it against the "
        "real one."
        if account
        else " Replace <ACCOUNT_ID> with your 12-digit AWS account id (top right of the "
        f"console, or `{account_id_command(target, region)}`)."
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
        return make(
            f"{pf.display}: {described}", fix, location=Location(pf.display, first_line), **evidence
        )
    return passed(
        f"{pf.display} allows all {len(REQUIRED_ACTIONS)} actions on {pool} and nothing is left "
        "to fill in (the account id is checked by iam.actions)",
        **evidence,
    )
