"""JUnit XML: one testsuite per environment, one testcase per check.

fail and error are failures (error results say they could not verify); warn is skipped with
its message, as is skip. CI systems render this as a test report.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from cognito_doctor.engine.model import CheckResult, Report, Status


def render_junit(reports: Sequence[Report]) -> str:
    suites = ET.Element("testsuites", name="cognito-doctor")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for report in reports:
        suite = ET.SubElement(suites, "testsuite", name=f"cognito-doctor ({report.name})")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
        properties = ET.SubElement(suite, "properties")
        for name, shown in (
            ("environment", report.name),
            ("rules", report.rules.value),
            ("user_pool_id", report.target.user_pool_id),
            ("region", report.target.region),
        ):
            if shown:
                ET.SubElement(properties, "property", name=name, value=shown)
        for result in report.results:
            _testcase(suite, report, result)
            counts["tests"] += 1
            counts["time"] += result.duration_ms / 1000
            if result.status in (Status.FAIL, Status.ERROR):
                counts["failures"] += 1
            elif result.status in (Status.WARN, Status.SKIP):
                counts["skipped"] += 1
        for key, value in counts.items():
            suite.set(key, f"{value:.3f}" if key == "time" else str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, f"{value:.3f}" if key == "time" else str(int(value)))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _testcase(suite: ET.Element, report: Report, result: CheckResult) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"{report.name}.{result.spec.group}",
        name=result.spec.id,
        time=f"{result.duration_ms / 1000:.3f}",
    )
    outcome = result.outcome
    if outcome.location:
        case.set("file", outcome.location.file)
        if outcome.location.line:
            case.set("line", str(outcome.location.line))
    text = outcome.message
    if outcome.fix:
        text += f"\n\nHow to fix:\n{outcome.fix}"
    if outcome.fix_command:
        text += f"\n\n$ {outcome.fix_command}"
    match result.status:
        case Status.FAIL:
            ET.SubElement(case, "failure", message=outcome.message, type="fail").text = text
        case Status.ERROR:
            message = f"couldn't verify: {outcome.message}"
            ET.SubElement(case, "failure", message=message, type="error").text = text
        case Status.WARN:
            ET.SubElement(case, "skipped", message=f"warning: {outcome.message}").text = text
        case Status.SKIP:
            ET.SubElement(case, "skipped", message=outcome.message)
        case Status.PASS:
            ET.SubElement(case, "system-out").text = outcome.message
