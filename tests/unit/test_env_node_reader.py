"""The issue's .env cases, read as dotenv for Node reads them: the false alarms are gone, the
misses are caught, and `env_reader = "python"` in the config file switches to python-dotenv."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cognito_doctor.engine.model import Report, Status
from cognito_doctor.platform.configfile import load_config, run_config_for
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV, EnvReader, read_env_file
from cognito_doctor.platform.settings import RunConfig
from tests.unit.test_envfiles import HEALTHY_AUTH, HEALTHY_UM, POOL_ID, setup_files


def run(run_report: Callable[..., Report], root: Path, **options: object) -> dict[str, Status]:
    report = run_report(root, offline=True, only=("env.*",), **options)
    return {r.spec.id: r.status for r in report.results}


def test_a_hash_after_the_region_is_a_comment(
    tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    setup_files(tmp_path, um=HEALTHY_UM.replace("eu-west-2\n", "eu-west-2#London\n"))
    assert read_env_file(tmp_path, UM_ENV).get("COGNITO_REGION") == "eu-west-2"
    assert run(run_report, tmp_path)["env.region"] is Status.PASS


def test_backticks_are_quotes(tmp_path: Path, run_report: Callable[..., Report]) -> None:
    um = HEALTHY_UM.replace(POOL_ID, f"`{POOL_ID}`").replace("=eu-west-2", "=`eu-west-2`")
    auth = HEALTHY_AUTH.replace("=4k2j9d8s7f6g5h4j3k2l1m0n9p", "=`4k2j9d8s7f6g5h4j3k2l1m0n9p`")
    setup_files(tmp_path, um=um, auth=auth)
    found = run(run_report, tmp_path)
    for check_id in ("env.pool-id", "env.region", "env.app-client-id", "env.issuer"):
        assert found[check_id] is Status.PASS, check_id


def test_a_space_inside_quotes_is_kept_and_reported(
    tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    um = HEALTHY_UM.replace(f"={POOL_ID}", f'="{POOL_ID} "')
    auth = HEALTHY_AUTH.replace(f"={POOL_ID}", f'="{POOL_ID} "')
    setup_files(tmp_path, um=um, auth=auth)
    assert read_env_file(tmp_path, UM_ENV).get("COGNITO_USER_POOL_ID") == f"{POOL_ID} "
    assert run(run_report, tmp_path)["env.pool-id"] is Status.FAIL


def test_references_expand_only_under_the_python_reader(
    tmp_path: Path, run_report: Callable[..., Report]
) -> None:
    auth = HEALTHY_AUTH + (
        "COGNITO_ISSUER=https://cognito-idp.${COGNITO_REGION}.amazonaws.com/"
        "${COGNITO_USER_POOL_ID}\n"
    )
    setup_files(tmp_path, auth=auth)
    assert run(run_report, tmp_path)["env.issuer"] is Status.FAIL
    assert run(run_report, tmp_path, env_reader=EnvReader.PYTHON)["env.issuer"] is Status.PASS


def test_the_config_file_chooses_the_reader(tmp_path: Path) -> None:
    config = tmp_path / "cognito-doctor.toml"
    config.write_text('[environments.dev]\nenv_reader = "python"\n[environments.prod]\n')
    loaded = load_config(config, [])
    base = RunConfig(root=tmp_path)
    assert run_config_for(base, loaded, "dev").env_reader is EnvReader.PYTHON
    assert run_config_for(base, loaded, "prod").env_reader is EnvReader.NODE
    setup_files(tmp_path, auth='A="x\n' + HEALTHY_AUTH)
    assert read_env_file(tmp_path, AUTH_ENV, EnvReader.PYTHON).malformed_lines == (1,)
    assert read_env_file(tmp_path, AUTH_ENV).malformed_lines == ()
