"""The table of what the text's findings bear on (oncall/triage_leads.py), and its effect on
offline verdicts: a comparison with the .env files needs no AWS, so it confirms offline too."""

from __future__ import annotations

from pathlib import Path

from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.knowledge import load_knowledge
from cognito_doctor.oncall.triage import CONFIRMED, RULED_OUT, UNCHECKED, triage
from cognito_doctor.oncall.triage_evidence import judge
from cognito_doctor.oncall.triage_facts import Bearing, TextFinding, Unverified
from cognito_doctor.oncall.triage_leads import LEADS, fact_evidence
from cognito_doctor.oncall.triage_report import triage_schema
from cognito_doctor.platform.envfiles import AUTH_ENV, UM_ENV
from cognito_doctor.platform.settings import RunConfig

POOL, CLIENT, KEY = "eu-west-2_Xyz", "1example23client45id67", "AKIAABCDEFGHIJKLWXYZ"


def _root(tmp_path: Path) -> Path:
    common = {"COGNITO_USER_POOL_ID": POOL, "COGNITO_REGION": "eu-west-2"}
    write_env_file(
        tmp_path / UM_ENV,
        {"COGNITO_PROVIDER": "cognito", **common, "AWS_ACCESS_KEY_ID": KEY},
    )
    write_env_file(tmp_path / AUTH_ENV, {**common, "COGNITO_APP_CLIENT_ID": CLIENT})
    return tmp_path


def _offline(text: str, tmp_path: Path, registry: Registry) -> list[tuple[str, str]]:
    config = RunConfig(root=_root(tmp_path), offline=True, endpoint_url="http://127.0.0.1:9")
    return [(d.entry.id, d.verdict) for d in triage(text, config, registry).diagnoses]


def test_every_entry_the_table_names_exists_and_every_subject_is_in_the_schema() -> None:
    ids = {entry.id for entry in load_knowledge()}
    for subject, leads in LEADS.items():
        assert set(leads.entries()) <= ids, subject
    finding = triage_schema()["properties"]["findings"]["items"]["properties"]
    assert set(finding["subject"]["enum"]) == set(LEADS)
    assert set(finding["bearing"]["enum"]) == {b.value for b in Bearing}


def test_a_key_id_that_is_not_the_env_files_confirms_other_keys_offline(
    tmp_path: Path, registry: Registry
) -> None:
    found = _offline(
        "UnrecognizedClientException: The security token included in the request is invalid. "
        "(key AKIAQQQQQQQQQQQQABCD)",
        tmp_path,
        registry,
    )
    assert found[0] == ("process-runs-other-keys", CONFIRMED)
    assert ("aws-key-unknown", UNCHECKED) in found


def test_the_env_files_key_rules_other_keys_out(tmp_path: Path, registry: Registry) -> None:
    config = RunConfig(root=_root(tmp_path), offline=True)
    result = triage(f"a different access key? {KEY} was refused", config, registry)
    (other_keys,) = [d for d in result.diagnoses if d.entry.id == "process-runs-other-keys"]
    assert [(e.kind, e.subject, e.role) for e in other_keys.evidence] == [
        ("fact", "key_id", "rules_out")
    ]
    # The cause has no check to wait for: the .env files' own key rules it out, offline too.
    assert other_keys.verdict == RULED_OUT
    # The .env files' pool rules the old configuration out; "pool not found" needs AWS.
    text = f"old configuration? ResourceNotFoundException: User pool {POOL} does not exist."
    verdicts = {d.entry.id: d.verdict for d in triage(text, config, registry).diagnoses}
    assert verdicts["service-runs-other-config"] == RULED_OUT
    assert verdicts["pool-not-found"] == UNCHECKED


def test_a_region_that_does_not_exist_leads_offline(tmp_path: Path, registry: Registry) -> None:
    found = _offline(
        "FetchError: Failed to fetch https://cognito-idp.eu-west-22.amazonaws.com/eu-west-22_Abc/"
        ".well-known/jwks.json: getaddrinfo ENOTFOUND cognito-idp.eu-west-22.amazonaws.com",
        tmp_path,
        registry,
    )
    assert found[0] == ("region-does-not-exist", CONFIRMED)
    assert ("jwks-fetch-failed", UNCHECKED) in found


def test_a_client_id_the_verifier_expects_that_is_not_the_env_files_leads(
    tmp_path: Path, registry: Registry
) -> None:
    found = _offline(
        "JwtInvalidClaimError: Client ID not allowed: 9zz8yy7xx6. Expected: 5other5client5id5",
        tmp_path,
        registry,
    )
    assert found[0] == ("service-runs-other-config", CONFIRMED)


def test_a_comparison_aws_could_not_answer_never_rules_a_cause_out() -> None:
    agrees = TextFinding("pool_in_aws", Bearing.AGREES, "pool eu-west-2_Xyz exists in eu-west-2")
    assert judge(fact_evidence("pool-not-found", [agrees]))[0] == RULED_OUT
    refused = Unverified("pool_in_aws", "couldn't check whether pool eu-west-2_Abc exists")
    evidence = fact_evidence("pool-not-found", [agrees], [refused])
    assert [e.role for e in evidence] == ["rules_out", "unknown"]
    assert judge(evidence)[0] == UNCHECKED
    # A finding on another subject says nothing of this cause.
    assert fact_evidence("pool-not-found", [], [Unverified("principal", "no keys")]) == []


def test_a_rejected_tokens_pool_is_the_tokens_not_the_services_config(
    tmp_path: Path, registry: Registry
) -> None:
    # aws-jwt-verify's CognitoJwtVerifier for a token of another pool (tests/oracles has the
    # package print it): the pool named is the token's issuer's.
    found = _offline(
        "Error: issuer not configured: https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_0ther9",
        tmp_path,
        registry,
    )
    assert found[0][0] == "token-issuer"
    assert "service-runs-other-config" not in {entry for entry, _ in found}
    # The same pool in an AWS call's error is the call's: the old configuration leads.
    found = _offline(
        "ResourceNotFoundException: User pool eu-west-2_0ther9 does not exist.", tmp_path, registry
    )
    assert found[0] == ("service-runs-other-config", CONFIRMED)
