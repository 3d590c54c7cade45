"""What triage reads out of an error text (error_facts) and how it compares those facts with
the .env files (triage_facts), on the real texts AWS, the SDKs and the verifiers print."""

from __future__ import annotations

from pathlib import Path

from cognito_doctor.demo.sandbox import write_env_file
from cognito_doctor.oncall.error_facts import extract
from cognito_doctor.oncall.triage_facts import Bearing, compare
from cognito_doctor.oncall.triage_text import Lines
from cognito_doctor.platform.envfiles import EnvFiles, read_env_file
from cognito_doctor.platform.target import read_target

DENIED = (
    "AccessDeniedException: User: arn:aws:iam::123456789012:user/clinical-platform-user-mgmt-dev "
    "is not authorized to perform: cognito-idp:AdminCreateUser on resource: "
    "arn:aws:cognito-idp:eu-west-2:210987654321:userpool/eu-west-2_Abc because no "
    "identity-based policy allows the cognito-idp:AdminCreateUser action"
)


def test_an_access_denied_names_principal_action_resource_and_accounts() -> None:
    facts = extract(DENIED)
    (denial,) = facts.denials
    assert denial.principal == "arn:aws:iam::123456789012:user/clinical-platform-user-mgmt-dev"
    assert denial.action == "cognito-idp:AdminCreateUser"
    assert denial.resource == "arn:aws:cognito-idp:eu-west-2:210987654321:userpool/eu-west-2_Abc"
    assert facts.pool_ids == ("eu-west-2_Abc",)
    assert facts.account_ids == ("123456789012", "210987654321")
    assert "eu-west-2" in facts.region_shaped()
    assert "AccessDeniedException" in facts.exceptions


def test_boto_and_sdk_errors_give_their_exception_and_status() -> None:
    facts = extract(
        "botocore.exceptions.ClientError: An error occurred (InvalidClientTokenId) when calling "
        "the GetCallerIdentity operation; $metadata: { httpStatusCode: 403, requestId: 'x' }"
    )
    assert facts.exceptions[0] == "InvalidClientTokenId"
    assert facts.http_statuses == (403,)
    assert extract("POST /users/promote HTTP/1.1 500").http_statuses == (500,)


def test_client_ids_are_taken_only_where_the_text_says_they_are_one() -> None:
    assert extract(
        "ResourceNotFoundException: User pool client 4r2c1e9bq7mnnt8d2kqv3ltd5m does not exist."
    ).client_ids == ("4r2c1e9bq7mnnt8d2kqv3ltd5m",)
    assert extract(
        "NotAuthorizedException: Unable to verify secret hash for client 5ab3c1de9f"
    ).client_ids == ("5ab3c1de9f",)
    # A bare alphanumeric word is not a client id, nor is "invalid" after "client id".
    assert extract("client id invalid for request 4r2c1e9bq7").client_ids == ()


def test_key_ids_keep_only_their_last_four_characters() -> None:
    facts = extract("The access key AKIAIOSFODNN7EXAMPLE is not valid")
    assert facts.key_ids == ("…MPLE",)
    assert "IOSFODNN7" not in repr(facts)


def test_hosts_and_the_regions_they_name() -> None:
    facts = extract(
        "FetchError: Failed to fetch https://cognito-idp.eu-west-22.amazonaws.com/eu-west-22_Abc"
        "/.well-known/jwks.json: getaddrinfo ENOTFOUND cognito-idp.eu-west-22.amazonaws.com"
    )
    assert facts.hosts == ("cognito-idp.eu-west-22.amazonaws.com",)
    assert "eu-west-22" in facts.region_shaped()
    assert "FetchError" in facts.exceptions


def test_cognitos_own_sender_is_not_a_user() -> None:
    facts = extract(
        "from no-reply@verificationemail.com to Ann.Lee@clinic.test, ann.lee@clinic.test"
    )
    assert facts.emails == ("Ann.Lee@clinic.test",)


def test_words_alone_name_nothing() -> None:
    assert extract("the coffee machine is broken").empty
    assert not extract("UserNotConfirmedException").empty


def _files(tmp_path: Path) -> EnvFiles:
    pool, client = "eu-west-2_Xyz", "1example23client45id67"
    write_env_file(
        tmp_path / "services/user-management/.env",
        {
            "COGNITO_PROVIDER": "cognito",
            "COGNITO_USER_POOL_ID": pool,
            "COGNITO_REGION": "eu-west-2",
            "AWS_ACCESS_KEY_ID": "AKIAABCDEFGHIJKLWXYZ",
        },
    )
    write_env_file(
        tmp_path / "services/auth/.env",
        {
            "COGNITO_USER_POOL_ID": pool,
            "COGNITO_REGION": "eu-west-2",
            "COGNITO_APP_CLIENT_ID": client,
        },
    )
    return EnvFiles(
        read_env_file(tmp_path, "services/user-management/.env"),
        read_env_file(tmp_path, "services/auth/.env"),
    )


def _compare(text: str, tmp_path: Path) -> list[tuple[str, str, str]]:
    files = _files(tmp_path)
    found = compare(extract(text), read_target(files), files)
    return [(f.subject, f.bearing.value, f.message) for f in found]


def test_a_pool_in_the_error_that_is_not_the_env_files_pool_is_named_with_the_file_line(
    tmp_path: Path,
) -> None:
    found = _compare(DENIED, tmp_path)
    pool = next(f for f in found if f[0] == "pool_id")
    assert pool[1] == Bearing.DIFFERS
    assert (
        "names pool eu-west-2_Abc but COGNITO_USER_POOL_ID (services/user-management/.env:2)"
        in pool[2]
    )
    assert "names eu-west-2_Xyz" in pool[2]
    account = next(f for f in found if f[0] == "account_id")
    assert "123456789012" in account[2] and "210987654321" in account[2]


def test_a_client_id_that_is_not_cognito_app_client_id(tmp_path: Path) -> None:
    found = _compare("User pool client 9other9client9id9 does not exist.", tmp_path)
    assert found == [
        (
            "client_id",
            "differs",
            "the client id in the text (9other9client9id9) is not COGNITO_APP_CLIENT_ID "
            "(services/auth/.env:3), which is 1example23client45id67",
        )
    ]


def test_a_region_that_does_not_exist_and_one_that_is_not_cognito_region(tmp_path: Path) -> None:
    found = _compare("getaddrinfo ENOTFOUND cognito-idp.eu-west-22.amazonaws.com", tmp_path)
    assert found[0][:2] == ("region", "invalid")
    assert "names region eu-west-22, which doesn't exist" in found[0][2]
    found = _compare("https://cognito-idp.us-east-1.amazonaws.com/", tmp_path)
    assert found[0][:2] == ("region", "differs")
    assert "COGNITO_REGION (services/user-management/.env:3) is eu-west-2" in found[0][2]


def test_a_key_id_is_compared_by_its_last_four_only(tmp_path: Path) -> None:
    (other,) = _compare("key AKIAQQQQQQQQQQQQABCD refused", tmp_path)
    assert other[1] == "differs" and "…ABCD" in other[2] and "(…WXYZ)" in other[2]
    assert "AKIAABCDEFGHIJKLWXYZ" not in other[2]
    (same,) = _compare("key AKIAABCDEFGHIJKLWXYZ refused", tmp_path)
    assert same[1] == "agrees"


def test_a_log_cause_uses_its_own_lines_and_its_requests_lines() -> None:
    log = Lines(
        "10:00 [req 0f8e4c1a-1111-4222-8333-944455556666] POST /users/promote ann@clinic.test\n"
        "10:00 [req 0f8e4c1a-1111-4222-8333-944455556666] NotAuthorizedException: disabled\n"
        "10:01 [req 7a7a7a7a-1111-4222-8333-944455556666] POST /users/promote bob@clinic.test 201\n"
    )
    assert log.is_log
    assert log.emails([1]) == ["ann@clinic.test"]
    assert "bob@clinic.test" not in log.scope([1])
