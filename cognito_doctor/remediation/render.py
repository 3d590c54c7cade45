"""The plan and the outcome of `--apply`, as text for a terminal (every known secret masked)."""

from __future__ import annotations

import json
from typing import Any

from cognito_doctor.engine.redact import Redactor
from cognito_doctor.platform.awscli import newer_cli_note
from cognito_doctor.remediation.plan import Plan, ResourcePlan

# How much of a value the before → after lines show (commands always show all).
SHOWN = 160


def shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def resource_text(item: ResourcePlan) -> list[str]:
    lines = [f"{item.label}  ({', '.join(item.checks)})"]
    lines += [f"  {c.name}: {shown(c.before)} → {shown(c.after)}" for c in item.changes]
    lines.append("  " + ("diff:" if item.command.startswith("---") else "command:"))
    lines += [f"    {line}" for line in item.command.splitlines()]
    note = newer_cli_note(item.request) if "--cli-input-json" in item.command else ""
    if note:
        lines.append(f"  {note}")
    return lines


def plan_text(plan: Plan) -> str:
    """The plan: per resource its changes and its one command; then the new pool, the
    problems to fix by hand, and what could not be read."""
    lines: list[str] = []
    if plan.resources:
        lines.append(f"Plan: {len(plan.resources)} resource(s) to change (nothing written yet)")
        for number, item in enumerate(plan.resources, 1):
            lines.append("")
            lines += [
                f"{number}. {line}" if i == 0 else line
                for i, line in enumerate(resource_text(item))
            ]
    elif not plan.has_changes:
        lines.append("Nothing to change: every check that proposes a change passes.")
    if plan.new_pool is not None:
        new = plan.new_pool
        lines += [
            "",
            f"Needs a new pool (never applied: {', '.join(new.checks)}; "
            f"{'; '.join(new.reasons)} cannot change in {new.replaces}):",
            "  1. Create it:",
            f"    {new.command}",
        ]
        lines += [f"  {n}. {step}" for n, step in enumerate(new.steps, 2)]
    if plan.unread:
        lines += ["", "Could not be planned (not read):"]
        lines += [f"  - {what}: {why}" for what, why in plan.unread]
    if plan.by_hand:
        lines += ["", "Not in the plan (fix by hand, as `cognito-doctor check` says):"]
        for hand in plan.by_hand:
            first = hand.fix.strip().splitlines()[0] if hand.fix.strip() else ""
            lines.append(f"  - {hand.check_id} ({hand.status}): {first}")
    return Redactor(plan.secrets).text("\n".join(lines) + "\n")
