"""Checks come from three places (built in, an installed entry point, --checks-dir) and every
one is first-class: same report, same --only/--skip selection, same docs. Badly declared
plugins are refused with a message that says what is wrong and where."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cognito_doctor.cli import main
from cognito_doctor.engine.model import DOC_HEADINGS, Location, Report, Status
from cognito_doctor.engine.registry import ENTRY_POINT_GROUP, RegistryError, load_registry
from cognito_doctor.facts.context import run_checks
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.settings import RunConfig
from tests.conftest import result_of, statuses

PLUGINS = Path(__file__).parents[1] / "plugins"
CHECKS_DIR = PLUGINS / "checks_dir"
ENV_CHECKS = (
    "env.files",
    "env.provider",
    "env.pool-id",
    "env.region",
    "env.issuer",
    "env.app-client-id",
    "env.aws-credentials",
)
POOL_ID = "eu-west-2_Xy7Pq9Rst"


def write_envs(root: Path, *, um_extra: str = "") -> Path:
    um = root / UM_ENV
    um.parent.mkdir(parents=True, exist_ok=True)
    um.write_text(
        "COGNITO_PROVIDER=cognito\n"
        f"COGNITO_USER_POOL_ID={POOL_ID}\n"
        "COGNITO_REGION=eu-west-2\n"
        "AWS_ACCESS_KEY_ID=AKIAQ3JH5Z2M7XW4KP6D\n"
        "AWS_SECRET_ACCESS_KEY=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\n" + um_extra,
        encoding="utf-8",
    )
    auth = root / AUTH_ENV
    auth.parent.mkdir(parents=True, exist_ok=True)
    auth.write_text(
        f"COGNITO_USER_POOL_ID={POOL_ID}\nCOGNITO_REGION=eu-west-2\n"
        "COGNITO_APP_CLIENT_ID=4k2j9d8s7f6g5h4j3k2l1m0n9p\n",
        encoding="utf-8",
    )
    return root


def install_plugin(site: Path, monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    """A real installed distribution: a dist-info on sys.path declaring `entry` in our group."""
    dist_info = site / "acme_cognito_checks-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-cognito-checks\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\n{entry}\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(PLUGINS / "entry_point"))


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write_plugin(directory: Path, name: str, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def documented_check(check_id: str, needs: tuple[str, ...] = ()) -> str:
    """Source of a plugin module with one properly documented check."""
    return f'''from cognito_doctor.engine.model import passed
from cognito_doctor.engine.registry import check


@check({check_id!r}, title="A plugin check", severity="info", needs={list(needs)!r})
def plugin_check({", ".join(needs)}):
    """
    ## What it checks
    Something.

    ## Why it matters
    Reasons.

    ## How to fix
    Steps.
    """
    return passed("ok")
'''


# --- (a) built in ----------------------------------------------------------------------


def test_builtin_checks_are_registered_with_their_three_doc_sections() -> None:
    registry = load_registry(plugins=False)
    for check_id in ENV_CHECKS:
        spec = registry.checks[check_id]
        assert spec.origin == "builtin"
        assert spec.group == "env"
        for heading in DOC_HEADINGS:
            assert spec.doc_section(heading), f"{check_id} lacks '## {heading}'"


# --- (b) an installed entry point ------------------------------------------------------


def test_installed_entry_point_is_loaded_and_runs_in_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "acme.issuer-pinned" not in load_registry().checks
    install_plugin(tmp_path / "site", monkeypatch, "acme = acme_cognito_checks")

    registry = load_registry()
    spec = registry.checks["acme.issuer-pinned"]
    assert spec.origin == "plugin acme (acme_cognito_checks)"
    assert spec.doc_section("Why it matters").startswith("ACME's auditors")
    assert list(registry.checks)[: len(ENV_CHECKS)] == list(ENV_CHECKS)  # built-ins first

    root = write_envs(tmp_path / "repo")
    report = run_checks(RunConfig(root=root, offline=True), registry)
    found = result_of(report, "acme.issuer-pinned")
    assert found.status is Status.WARN
    assert found.outcome.message == "COGNITO_ISSUER is not pinned (ACME policy)"
    assert found.outcome.location == Location(AUTH_ENV)
    assert statuses(report)["env.provider"] is Status.PASS


def test_entry_point_naming_an_attribute_registers_its_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(tmp_path / "site", monkeypatch, "acme = acme_cognito_checks:issuer_pinned")
    assert "acme.issuer-pinned" in load_registry().checks


def test_installed_plugin_through_the_cli_selection_and_docs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(tmp_path / "site", monkeypatch, "acme = acme_cognito_checks")
    root = write_envs(tmp_path / "repo")

    code, out, _ = cli(
        "check", "--root", str(root), "--offline", "--only", "acme.*", "--format", "json"
    )
    assert code == 0  # a warning alone
    results = json.loads(out)["results"]
    assert [(r["id"], r["status"]) for r in results] == [("acme.issuer-pinned", "warn")]
    assert results[0]["location"] == {"file": AUTH_ENV, "line": None}

    code, out, _ = cli(
        "check", "--root", str(root), "--offline", "--skip", "acme*", "--format", "json"
    )
    assert "acme.issuer-pinned" not in {r["id"] for r in json.loads(out)["results"]}

    code, out, _ = cli("explain", "acme.issuer-pinned")
    assert code == 0
    assert "plugin acme (acme_cognito_checks)" in out
    for heading in DOC_HEADINGS:
        assert f"## {heading}" in out

    code, out, _ = cli("list-checks", "--format", "json")
    listed = {entry["id"]: entry for entry in json.loads(out)}
    assert listed["acme.issuer-pinned"]["doc"]["How to fix"].startswith("Add `COGNITO_ISSUER")
    assert listed["acme.issuer-pinned"]["offline"] is True


def test_entry_point_that_fails_to_import_is_a_registry_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_plugin(tmp_path / "site", monkeypatch, "broken = acme_no_such_module")
    with pytest.raises(RegistryError, match=r"plugin broken \(acme_no_such_module\) failed"):
        load_registry()
    code, _, err = cli("list-checks")
    assert code == 2
    assert "acme_no_such_module" in err


# --- (c) --checks-dir ------------------------------------------------------------------


def test_checks_dir_plugins_run_beside_builtins_with_their_own_fact(tmp_path: Path) -> None:
    registry = load_registry([CHECKS_DIR], plugins=False)
    assert registry.checks["team.log-level"].origin.startswith("checks-dir ")
    assert registry.facts["team_log_level"].origin.startswith("checks-dir ")

    root = write_envs(tmp_path, um_extra="LOG_LEVEL=debug\n")  # line 6
    report = run_checks(RunConfig(root=root, offline=True), registry)
    ids = [r.spec.id for r in report.results]
    assert ids[: len(ENV_CHECKS)] == list(ENV_CHECKS)
    assert {"team.log-level", "team.provider-noted"} <= set(ids)
    found = result_of(report, "team.log-level")
    assert found.status is Status.FAIL
    assert found.outcome.message == "LOG_LEVEL=debug logs every Cognito request body"
    assert found.outcome.fix == f"Set LOG_LEVEL=info in {UM_ENV}."
    assert found.outcome.location == Location(UM_ENV, 6)
    assert not report.ok


@pytest.mark.parametrize(
    ("only", "skip", "expected"),
    [
        (("team.*",), (), {"team.log-level", "team.provider-noted"}),
        (("team",), (), {"team.log-level", "team.provider-noted"}),
        (("team.*", "env.provider"), ("team.provider-*",), {"team.log-level", "env.provider"}),
        (("*.log-level",), (), {"team.log-level"}),
        (("env.*", "team.*"), ("env.*",), {"team.log-level", "team.provider-noted"}),
    ],
)
def test_only_and_skip_globs_select_plugin_checks_like_builtins(
    tmp_path: Path, only: tuple[str, ...], skip: tuple[str, ...], expected: set[str]
) -> None:
    registry = load_registry([CHECKS_DIR], plugins=False)
    root = write_envs(tmp_path)
    report = run_checks(RunConfig(root=root, offline=True, only=only, skip=skip), registry)
    assert {r.spec.id for r in report.results} == expected


def test_checks_dir_through_the_cli(tmp_path: Path) -> None:
    root = write_envs(tmp_path / "repo", um_extra="LOG_LEVEL=debug\n")
    code, out, _ = cli(
        "check",
        "--root",
        str(root),
        "--offline",
        "--checks-dir",
        str(CHECKS_DIR),
        "--only",
        "team.*",
        "--format",
        "json",
    )
    assert code == 1
    results = {r["id"]: r for r in json.loads(out)["results"]}
    assert set(results) == {"team.log-level", "team.provider-noted"}
    assert results["team.log-level"]["status"] == "fail"
    assert results["team.log-level"]["location"] == {"file": UM_ENV, "line": 6}
    assert results["team.log-level"]["group"] == "team"

    code, out, _ = cli("check", "--root", str(root), "--offline", "--checks-dir", str(CHECKS_DIR))
    assert "team.log-level" in out and "env.provider" in out  # one table, both kinds

    code, out, _ = cli("explain", "team.log-level", "--checks-dir", str(CHECKS_DIR))
    assert code == 0
    assert "At debug level the AWS SDK logs request bodies" in out

    code, out, _ = cli("list-checks", "--format", "json", "--checks-dir", str(CHECKS_DIR))
    listed = {entry["id"]: entry for entry in json.loads(out)}
    assert listed["team.log-level"]["severity"] == "warning"
    assert listed["team.log-level"]["needs"] == ["team_log_level", "um_env"]
    assert listed["team.log-level"]["doc"]["What it checks"].startswith("That `LOG_LEVEL`")


def test_the_same_checks_dir_twice_loads_once(tmp_path: Path) -> None:
    registry = load_registry([CHECKS_DIR, CHECKS_DIR / ".." / "checks_dir"], plugins=False)
    assert "team.log-level" in registry.checks


# --- rejected plugins ------------------------------------------------------------------


def test_check_without_the_three_doc_sections_is_rejected(tmp_path: Path) -> None:
    path = write_plugin(
        tmp_path / "d",
        "undocumented.py",
        '''
        from cognito_doctor.engine.model import passed
        from cognito_doctor.engine.registry import check

        @check("team.undocumented", title="No docs", severity="info")
        def undocumented():
            """
            ## What it checks
            Something, but not why or how to fix it.
            """
            return passed("ok")
        ''',
    )
    with pytest.raises(RegistryError) as caught:
        load_registry([path.parent], plugins=False)
    message = str(caught.value)
    assert message.startswith("check team.undocumented (checks-dir ")
    assert "undocumented.py" in message
    assert "has no doc section(s) '## Why it matters', '## How to fix'" in message

    code, _, err = cli("list-checks", "--checks-dir", str(path.parent))
    assert code == 2
    assert "'## Why it matters'" in err


def test_check_with_no_docstring_is_rejected(tmp_path: Path) -> None:
    path = write_plugin(
        tmp_path / "d",
        "bare.py",
        """
        from cognito_doctor.engine.model import passed
        from cognito_doctor.engine.registry import check

        @check("team.bare", title="No docstring", severity="info")
        def bare():
            return passed("ok")
        """,
    )
    with pytest.raises(RegistryError, match="'## What it checks', '## Why it matters'"):
        load_registry([path.parent], plugins=False)


def test_duplicate_of_a_builtin_id_is_rejected(tmp_path: Path) -> None:
    path = write_plugin(tmp_path / "d", "clash.py", documented_check("env.provider"))
    with pytest.raises(RegistryError) as caught:
        load_registry([path.parent], plugins=False)
    assert "check id 'env.provider' from checks-dir" in str(caught.value)
    assert "clash.py is already defined by builtin" in str(caught.value)


def test_duplicate_between_two_plugin_files_is_rejected(tmp_path: Path) -> None:
    source = documented_check("team.twice")
    write_plugin(tmp_path / "d", "a_first.py", source)
    write_plugin(tmp_path / "d", "b_second.py", source)
    with pytest.raises(RegistryError, match=r"'team\.twice' from checks-dir .*b_second\.py is "):
        load_registry([tmp_path / "d"], plugins=False)


def test_check_needing_an_unknown_fact_is_rejected_naming_it(tmp_path: Path) -> None:
    path = write_plugin(
        tmp_path / "d", "needy.py", documented_check("team.needy", ("um_env", "user_poool"))
    )
    with pytest.raises(RegistryError) as caught:
        load_registry([path.parent], plugins=False)
    message = str(caught.value)
    assert "check team.needy (checks-dir " in message
    assert "needs fact 'user_poool', which nothing provides" in message
    assert "user_pool" in message.split("known facts:")[1]  # lists what does exist


def test_plugin_fact_needing_an_unknown_fact_is_rejected(tmp_path: Path) -> None:
    path = write_plugin(
        tmp_path / "d",
        "facts.py",
        """
        from cognito_doctor.engine.registry import fact

        @fact("team_thing", needs=["nothing_here"])
        def team_thing(ctx, nothing_here):
            return 1
        """,
    )
    with pytest.raises(RegistryError, match="fact 'team_thing' needs unknown fact 'nothing_here'"):
        load_registry([path.parent], plugins=False)


def test_plugin_fact_shadowing_a_builtin_fact_is_rejected(tmp_path: Path) -> None:
    path = write_plugin(
        tmp_path / "d",
        "shadow.py",
        """
        from cognito_doctor.engine.registry import fact

        @fact("um_env")
        def um_env(ctx):
            return None
        """,
    )
    with pytest.raises(RegistryError, match=r"fact 'um_env' from checks-dir .* already provided"):
        load_registry([path.parent], plugins=False)


@pytest.mark.parametrize("bad_id", ["Team.Upper", "nogroup", "team.", ".name", "team.under_score"])
def test_badly_formed_check_id_is_rejected(tmp_path: Path, bad_id: str) -> None:
    path = write_plugin(tmp_path / "d", "ids.py", documented_check(bad_id))
    with pytest.raises(RegistryError, match=r"must look like 'group\.name'"):
        load_registry([path.parent], plugins=False)


def test_plugin_that_fails_to_import_names_the_file(tmp_path: Path) -> None:
    path = write_plugin(tmp_path / "d", "typo.py", "import no_such_module_for_cognito_doctor\n")
    with pytest.raises(RegistryError) as caught:
        load_registry([path.parent], plugins=False)
    assert str(caught.value).startswith(f"{path} failed to import: ModuleNotFoundError")


def test_plugin_importing_a_builtin_check_does_not_duplicate_it(tmp_path: Path) -> None:
    path = write_plugin(
        tmp_path / "d",
        "reexport.py",
        """
        from cognito_doctor.checks.env import provider_is_cognito  # noqa: F401
        """,
    )
    registry = load_registry([path.parent], plugins=False)
    assert registry.checks["env.provider"].origin == "builtin"


def test_plugin_check_in_the_same_report_as_json_schema_wants(tmp_path: Path) -> None:
    """A plugin result serialises like any other (the schema the CLI ships validates it)."""
    import jsonschema

    from cognito_doctor.output.json import report_schema, report_to_dict

    registry = load_registry([CHECKS_DIR], plugins=False)
    report: Report = run_checks(RunConfig(root=write_envs(tmp_path), offline=True), registry)
    document = report_to_dict(report)
    jsonschema.validate(document, report_schema())
    assert "team.log-level" in {r["id"] for r in document["results"]}


DOC = r'"""\n## What it checks\nx\n## Why it matters\ny\n## How to fix\nz\n"""'


def test_a_check_needs_the_facts_its_parameters_name(tmp_path: Path) -> None:
    write_plugin(
        tmp_path / "d",
        "team.py",
        f"""
        from cognito_doctor.plugin import check, passed

        @check("team.reads", title="Reads two facts", severity="info")
        def reads(um_env, pool_ref):
            {DOC}
            return passed("ok")
        """,
    )
    registry = load_registry([tmp_path / "d"], plugins=False)
    assert registry.checks["team.reads"].needs == ("um_env", "pool_ref")


def test_a_check_that_asks_for_ctx_is_refused(tmp_path: Path) -> None:
    write_plugin(
        tmp_path / "d",
        "team.py",
        f"""
        from cognito_doctor.plugin import check, passed

        @check("team.ctx", title="Wants the context", severity="info")
        def wants(ctx, um_env):
            {DOC}
            return passed("ok")
        """,
    )
    with pytest.raises(RegistryError, match="checks take facts only"):
        load_registry([tmp_path / "d"], plugins=False)


def test_a_needs_list_that_disagrees_with_the_signature_is_refused(tmp_path: Path) -> None:
    write_plugin(
        tmp_path / "d",
        "team.py",
        f"""
        from cognito_doctor.plugin import check, passed

        @check("team.needs", title="Says one thing", severity="info", needs=["auth_env"])
        def says(um_env):
            {DOC}
            return passed("ok")
        """,
    )
    with pytest.raises(RegistryError, match=r"declares needs=\['auth_env'\] but its parameters"):
        load_registry([tmp_path / "d"], plugins=False)


def test_facts_that_need_each_other_in_a_cycle_are_refused_at_load(tmp_path: Path) -> None:
    write_plugin(
        tmp_path / "d",
        "team.py",
        """
        from cognito_doctor.plugin import fact

        @fact("team_a")
        def team_a(team_b):
            return 1

        @fact("team_b")
        def team_b(team_a):
            return 2
        """,
    )
    with pytest.raises(RegistryError, match="cycle: team_a -> team_b -> team_a"):
        load_registry([tmp_path / "d"], plugins=False)


def test_built_ins_come_through_the_entry_point_group_in_report_order() -> None:
    registry = load_registry(plugins=False)
    groups = list(dict.fromkeys(spec.group for spec in registry.checks.values()))
    assert groups == ["env", "creds", "pool", "client", "issuer", "iam", "email"]
    assert all(spec.origin == "builtin" for spec in registry.checks.values())
