"""Markdown for a pull-request comment, a job summary or an incident ticket."""

from __future__ import annotations

from collections.abc import Sequence

from cognito_doctor.engine.model import Report, Severity, Status, Verdict

ICONS = {
    Status.PASS: "✅",
    Status.FAIL: "❌",
    Status.WARN: "⚠️",
    Status.SKIP: "⏭️",
    Status.ERROR: "❗",
}


VERDICTS = {
    Verdict.OK: "no problems found",
    Verdict.PROBLEMS: "**problems found**",
    Verdict.UNVERIFIED: "**nothing failed, but not everything could be verified**",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def render_markdown(reports: Sequence[Report]) -> str:
    out = ["## cognito-doctor", ""]
    for report in reports:
        counts = report.summary
        verdict = VERDICTS[report.verdict(Severity.ERROR)]
        pool = f" · pool `{report.target.user_pool_id}`" if report.target.user_pool_id else ""
        out += [
            f"### {report.name} ({report.rules.value} rules){pool}",
            "",
            f"{counts['pass']} passed · {counts['fail']} failed · {counts['error']} errors · "
            f"{counts['warn']} warnings · {counts['skip']} skipped — {verdict}",
            "",
            "| | check | result |",
            "| --- | --- | --- |",
        ]
        for result in report.results:
            where = f" (`{result.outcome.location}`)" if result.outcome.location else ""
            out.append(
                f"| {ICONS[result.status]} | `{result.spec.id}` | "
                f"{_cell(result.outcome.message)}{_cell(where)} |"
            )
        problems = [
            r for r in report.results if r.status in (Status.FAIL, Status.WARN, Status.ERROR)
        ]
        if problems:
            out += ["", "<details open><summary>How to fix</summary>", ""]
            for result in problems:
                out.append(f"- {ICONS[result.status]} **`{result.spec.id}`** {result.outcome.fix}")
                if result.outcome.fix_command:
                    out += ["", "  ```sh", f"  {result.outcome.fix_command}", "  ```"]
            out += ["", "</details>"]
        out.append("")
    return "\n".join(out) + "\n"
