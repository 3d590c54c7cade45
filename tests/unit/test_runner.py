"""The runner keeps each check's trouble to that check, produces every fact once (independent
ones at the same time), and with --offline touches neither the network nor boto3."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cognito_doctor.engine.model import Report, Rules, Status
from cognito_doctor.engine.registry import Registry, load_registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.settings import RunConfig
from tests.conftest import result_of, statuses

PROBES = Path(__file__).parents[1] / "plugins" / "probes"


def probe_module(registry: Registry) -> dict[str, object]:
    """The globals of the loaded probe module (its call counter lives there)."""
    return registry.facts["probe_counted"].function.__globals__


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for label, text in (
        (UM_ENV, "COGNITO_PROVIDER=cognito\nCOGNITO_USER_POOL_ID=eu-west-2_Xy7Pq9Rst\n"),
        (AUTH_ENV, "COGNITO_USER_POOL_ID=eu-west-2_Xy7Pq9Rst\nCOGNITO_REGION=eu-west-2\n"),
    ):
        path = tmp_path / label
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def run(root: Path, registry: Registry, *only: str, **options: object) -> Report:
    return run_checks(RunConfig(root=root, only=only, **options), registry)  # type: ignore[arg-type]


def test_a_crashing_check_errors_alone_with_the_exception_text(root: Path) -> None:
    registry = load_registry([PROBES], plugins=False)
    report = run(root, registry, "probe.crashes", "probe.steady", "env.provider")
    crashed = result_of(report, "probe.crashes")
    assert crashed.status is Status.ERROR
    assert crashed.outcome.message == (
        "check probe.crashes crashed: RuntimeError: probe exploded on purpose"
    )
    assert "This is a bug in checks-dir" in crashed.outcome.fix
    assert statuses(report)["probe.steady"] is Status.PASS
    assert statuses(report)["env.provider"] is Status.PASS
    assert not report.ok


def test_unavailable_fact_errors_exactly_the_checks_that_depend_on_it(root: Path) -> None:
    registry = load_registry([PROBES], plugins=False)
    globals_ = probe_module(registry)
    report = run(
        root,
        registry,
        "probe.denied-*",
        "probe.steady",
        "probe.counted-*",
        "env.*",
    )
    for check_id in ("probe.denied-a", "probe.denied-b"):  # b needs it through another fact
        found = result_of(report, check_id)
        assert found.status is Status.ERROR, check_id
        assert found.outcome.message == globals_["DENIED_REASON"]
        assert found.outcome.fix == globals_["DENIED_FIX"]
    errored = {r.spec.id for r in report.results if r.status is Status.ERROR}
    assert errored == {"probe.denied-a", "probe.denied-b"}
    assert statuses(report)["probe.steady"] is Status.PASS
    assert statuses(report)["probe.counted-a"] is Status.PASS


def test_a_fact_is_produced_once_however_many_checks_need_it(root: Path) -> None:
    registry = load_registry([PROBES], plugins=False)
    calls = probe_module(registry)["CALLS"]
    assert calls == {"counted": 0}
    report = run(root, registry, "probe.counted-*")
    assert [r.outcome.evidence["calls"] for r in report.results] == [1, 1, 1]
    assert calls == {"counted": 1}
    run(root, registry, "probe.counted-*")
    assert calls == {"counted": 2}  # once per run, not cached across runs


def test_independent_facts_are_produced_concurrently(root: Path) -> None:
    registry = load_registry([PROBES], plugins=False)  # a fresh barrier
    report = run(root, registry, "probe.concurrent")
    found = result_of(report, "probe.concurrent")
    assert found.status is Status.PASS, found.outcome.message
    assert found.outcome.message == "left and right met"


def test_check_for_another_environment_is_skipped_saying_which(root: Path) -> None:
    plugin_dir = root / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "prod_only.py").write_text(
        textwrap.dedent(
            '''
            from cognito_doctor.engine.model import passed
            from cognito_doctor.engine.registry import check

            @check("team.prod-only", title="Prod only", severity="info", environments=["prod"])
            def prod_only():
                """
                ## What it checks
                A prod rule.

                ## Why it matters
                Prod is stricter.

                ## How to fix
                Nothing.
                """
                return passed("prod rule holds")
            '''
        ),
        encoding="utf-8",
    )
    registry = load_registry([plugin_dir], plugins=False)
    dev = result_of(run(root, registry, "team.*"), "team.prod-only")
    prod = result_of(run(root, registry, "team.*", rules=Rules.PROD), "team.prod-only")
    assert dev.status is Status.SKIP
    assert dev.outcome.message == "applies only with --env prod"
    assert prod.status is Status.PASS


def test_offline_skips_network_checks_without_importing_boto3(root: Path) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        from cognito_doctor.platform.settings import RunConfig
        from cognito_doctor.engine.registry import load_registry
        from cognito_doctor.facts.context import run_checks

        registry = load_registry([Path(sys.argv[2])])
        report = run_checks(RunConfig(root=Path(sys.argv[1]), offline=True), registry)
        assert "boto3" not in sys.modules, "boto3 was imported"
        assert "botocore" not in sys.modules, "botocore was imported"
        print(json.dumps({
            r.spec.id: [r.status.value, r.outcome.message, registry.needs_network(r.spec)]
            for r in report.results
        }))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(root), str(PROBES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    network = {cid: r for cid, r in results.items() if r[2]}
    assert {"probe.remote", "probe.pool"} <= network.keys()
    for check_id, (status, message, _) in network.items():
        assert status == "skip", check_id
        assert message in (
            "needs AWS; not run with --offline",
            "applies only with --env prod",
        ), check_id
    assert results["probe.remote"][1] == "needs AWS; not run with --offline"
    assert results["env.provider"][0] == "pass"
    assert results["probe.steady"][0] == "pass"


def test_a_check_returning_something_else_is_an_error(root: Path) -> None:
    plugin_dir = root / "plugins"
    plugin_dir.mkdir()
    (plugin_dir / "sloppy.py").write_text(
        textwrap.dedent(
            '''
            from cognito_doctor.engine.registry import check

            @check("team.sloppy", title="Returns a string", severity="info")
            def sloppy():
                """
                ## What it checks
                Nothing.

                ## Why it matters
                Nothing.

                ## How to fix
                Nothing.
                """
                return "all good"
            '''
        ),
        encoding="utf-8",
    )
    report = run(root, load_registry([plugin_dir], plugins=False), "team.*", "env.provider")
    found = result_of(report, "team.sloppy")
    assert found.status is Status.ERROR
    assert found.outcome.message == "check team.sloppy returned str, not an Outcome"
    assert statuses(report)["env.provider"] is Status.PASS
