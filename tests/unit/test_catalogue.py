"""`list-facts`: the catalogue a plugin author picks a check's parameters from."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cognito_doctor.cli import main


def test_every_fact_is_listed_with_what_it_needs_and_whether_it_reaches_aws() -> None:
    result = CliRunner().invoke(main, ["list-facts", "--format", "json"])
    assert result.exit_code == 0, result.output
    facts = {entry["name"]: entry for entry in json.loads(result.output)}
    assert {"settings", "env_files", "env_target", "pool_ref", "user_pool", "app_client"} <= set(
        facts
    )
    assert facts["env_files"]["network"] is False
    # app_client makes no call itself, but it needs client_lookup, which does.
    assert facts["app_client"]["network"] is True
    assert facts["app_client"]["needs"] == ["client_lookup"]
    assert all(entry["doc"] for entry in facts.values())


def test_the_table_names_each_fact_once() -> None:
    result = CliRunner().invoke(main, ["list-facts"])
    assert result.exit_code == 0
    first_words = [line.split()[0] for line in result.output.splitlines()[2:] if line[:1].strip()]
    assert len(first_words) == len(set(first_words)) > 15
