"""The human report, in the manner of `flutter doctor`: a marker per check, grouped, then how
to fix every failure and warning, then one summary line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import click
from tabulate import tabulate

from cognito_doctor.engine.model import CheckResult, Report, RootCause, Severity, Status, Verdict
from cognito_doctor.output import RenderOptions
from cognito_doctor.output.terminal import fill

UNICODE_MARKERS = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.WARN: "!",
    Status.SKIP: "–",
    Status.ERROR: "✗",
}
ASCII_MARKERS = {
    Status.PASS: "+",
    Status.FAIL: "x",
    Status.WARN: "!",
    Status.SKIP: "-",
    Status.ERROR: "x",
}
COLORS = {
    Status.PASS: "green",
    Status.FAIL: "red",
    Status.WARN: "yellow",
    Status.SKIP: "bright_black",
    Status.ERROR: "magenta",
}
# Lines of a fix that are shell commands: shown whole, never wrapped.
COMMAND_PREFIXES = ("aws ", "$ ", "export ", "cognito-doctor ")
VERDICT_WORDS = {
    Verdict.OK: "no problems found",
    Verdict.PROBLEMS: "problems found",
    Verdict.UNVERIFIED: "nothing failed, but not everything could be verified",
}
SUMMARY_WORDS = (
    (Status.PASS, "passed", "passed"),
    (Status.FAIL, "failed", "failed"),
    (Status.ERROR, "error", "errors"),
    (Status.WARN, "warning", "warnings"),
    (Status.SKIP, "skipped", "skipped"),
)


def marker(status: Status, options: RenderOptions) -> str:
    """The one-character marker of a status, coloured when allowed."""
    symbol = (UNICODE_MARKERS if options.unicode else ASCII_MARKERS)[status]
    return click.style(symbol, fg=COLORS[status], bold=True) if options.color else symbol


def _style(text: str, options: RenderOptions, **style: Any) -> str:
    return click.style(text, **style) if options.color else text


def _dash(options: RenderOptions) -> str:
    return "—" if options.unicode else "-"


def render_table(reports: Sequence[Report], options: RenderOptions) -> str:
    """The whole human report as text: one section per environment, then, for several, a line
    that names the environments with problems."""
    sections = [_render_one(report, options) for report in reports]
    if len(reports) == 1:
        return sections[0]
    verdicts = []
    for report in reports:
        status = Status.PASS if report.ok else Status.FAIL
        verdicts.append(f"{marker(status, options)} {report.name}")
    broken = [report.name for report in reports if not report.ok]
    verdict = f"problems found in {', '.join(broken)}" if broken else "no problems found"
    unverified = [r.name for r in reports if r.verdict(Severity.ERROR) is Verdict.UNVERIFIED]
    if unverified and len(unverified) == len(broken):
        verdict = f"nothing failed, but not everything could be verified in {', '.join(broken)}"
    separator = " · " if options.unicode else " | "
    return "\n".join(sections) + f"\n{separator.join(verdicts)}  ({verdict})\n"


def _render_one(report: Report, options: RenderOptions) -> str:
    lines = [_header(report, options), ""]
    id_width = max((len(r.spec.id) for r in report.results), default=10)
    message_width = max(30, options.width - id_width - 8)
    for group, results in _grouped(_shown(report.results, options)):
        lines.append(_style(group, options, bold=True))
        rows = []
        for result in results:
            rows.append(
                [
                    marker(result.status, options),
                    result.spec.id,
                    _wrap(_line(result), message_width),
                ]
            )
            if options.verbose and result.outcome.evidence:
                rows.extend(["", "", line] for line in _evidence_lines(result.outcome.evidence))
        table = tabulate(rows, tablefmt="plain", disable_numparse=True)
        lines.extend("  " + line.rstrip() for line in table.splitlines())
        lines.append("")
    if not options.verbose:
        for root in report.root_causes:
            lines.extend(_collapsed_line(report, root, options))
            lines.append("")
    fixes = [r for r in report.results if r.status in (Status.FAIL, Status.WARN, Status.ERROR)]
    if fixes:
        lines.append(_style("How to fix", options, bold=True))
        for result in fixes:
            lines.extend(_fix_block(result, options))
        lines.append("")
    lines.append(_summary(report, options))
    return "\n".join(lines) + "\n"


def _shown(results: Iterable[CheckResult], options: RenderOptions) -> list[CheckResult]:
    """The results listed one per line: not those skipped onto a root cause (one line says
    them all, unless -v), and with --quiet only the problems."""
    shown = []
    for result in results:
        if result.outcome.root and not options.verbose:
            continue
        if options.quiet and result.status in (Status.PASS, Status.SKIP):
            continue
        shown.append(result)
    return shown


def _line(result: CheckResult) -> str:
    message = result.outcome.message
    if result.status is Status.ERROR:
        message = f"couldn't verify: {message}"
    if result.outcome.location and result.status is not Status.PASS:
        message = f"{message} ({result.outcome.location})"
    return message


def _collapsed_line(report: Report, root: RootCause, options: RenderOptions) -> list[str]:
    """One line for every check a root cause kept from verifying, counted by group."""
    groups: dict[str, int] = {}
    group_of = {r.spec.id: r.spec.group for r in report.results}
    for check_id in root.dependents:
        groups[group_of[check_id]] = groups.get(group_of[check_id], 0) + 1
    counted = ", ".join(f"{group} ({count})" for group, count in groups.items())
    text = (
        f"{len(root.dependents)} more checks couldn't be verified for the same reason (see "
        f"{root.check_id}): {counted}; -v lists them"
    )
    head = f"  {marker(Status.SKIP, options)} "
    return fill(text, options.width, head, " " * 4).splitlines()


def _header(report: Report, options: RenderOptions) -> str:
    target = report.target
    env = report.name
    if env != report.rules.value:
        env += f" ({report.rules.value} rules)"
    parts = [f"cognito-doctor {report.tool_version}", f"env {env}"]
    if target.user_pool_id:
        parts.append(
            f"pool {target.user_pool_id}" + (f" ({target.region})" if target.region else "")
        )
    parts.append(f"root {target.root}")
    if target.endpoint_url:
        parts.append(f"endpoint {target.endpoint_url}")
    return _style(f" {_dash(options)} ".join(parts), options, bold=True)


def _grouped(results: Iterable[CheckResult]) -> list[tuple[str, list[CheckResult]]]:
    groups: dict[str, list[CheckResult]] = {}
    for result in results:
        groups.setdefault(result.spec.group, []).append(result)
    return list(groups.items())


def _wrap(text: str, width: int) -> str:
    # Never split inside a word: ids, ARNs and URLs must stay whole to be copied.
    return "\n".join(fill(paragraph, width) for paragraph in text.splitlines())


def _evidence_lines(evidence: Any) -> list[str]:
    lines = []
    for key, value in evidence.items():
        shown = value if isinstance(value, str) else json.dumps(value, default=str)
        lines.append(f"{key}: {shown}")
    return lines


def _fix_block(result: CheckResult, options: RenderOptions) -> list[str]:
    outcome = result.outcome
    head = f"  {marker(result.status, options)} {_style(result.spec.id, options, bold=True)}"
    if outcome.location:
        head += f"  {outcome.location}"
    lines = [head]
    wrap_width = max(40, options.width - 6)
    command_shown = False
    for paragraph in (outcome.fix or "").splitlines() or [""]:
        if _is_command(paragraph, outcome.fix_command):
            # Commands are printed whole, on one line, so they paste as they are.
            lines.append("      " + _style(f"$ {paragraph.strip()}", options, fg="cyan"))
            command_shown = command_shown or paragraph.strip() == outcome.fix_command
            continue
        if _is_preformatted(paragraph):
            lines.append("      " + paragraph)
            continue
        lines.extend("      " + line for line in _wrap(paragraph, wrap_width).splitlines() or [""])
    if outcome.fix_command and not command_shown:
        lines.append("      " + _style(f"$ {outcome.fix_command}", options, fg="cyan"))
    return lines


def _is_command(paragraph: str, fix_command: str | None) -> bool:
    text = paragraph.strip()
    return bool(text) and (text == fix_command or text.startswith(COMMAND_PREFIXES))


def _is_preformatted(paragraph: str) -> bool:
    # Indented lines and JSON (a policy statement to paste) keep their layout.
    return paragraph[:1].isspace() or paragraph.lstrip()[:1] in ("{", "}", "[", "]", '"')


def _summary(report: Report, options: RenderOptions) -> str:
    counts = report.summary
    parts = [
        f"{marker(status, options)} {counts[status.value]} "
        f"{one if counts[status.value] == 1 else many}"
        for status, one, many in SUMMARY_WORDS
        if counts[status.value] or status in (Status.PASS, Status.FAIL)
    ]
    verdict = VERDICT_WORDS[report.verdict(Severity.ERROR)]
    return f"{' · ' if options.unicode else ' | '}".join(parts) + f"  ({verdict})"
