"""The knowledge base: valid against its schema, every entry reachable, the runbook and the
issue's list covered, and what it says about AWS's documented behaviour."""

from __future__ import annotations

import re

import jsonschema
import pytest

from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.knowledge import (
    knowledge_data,
    knowledge_schema,
    load_knowledge,
    phrase_regex,
)
from cognito_doctor.oncall.triage import emails_in, mask, match_text

ENTRIES = load_knowledge()
BY_ID = {entry.id: entry for entry in ENTRIES}

# The runbook's "Things that bite" table, symptom column, as the runbook words it.
RUNBOOK_ROWS = {
    "Promote succeeds but no email arrives": "invite-default-sender",
    'Email arrives, link returns "User not found"': "user-not-found",
    "Promote 500s with AccessDeniedException": "access-denied-resource-arn",
    "Promote 500s with NotAuthorizedException": "service-keys-not-accepted",
    "User created in Cognito but later promote fails with 409": "user-row-conflict",
    "Auth tokens minted by Cognito rejected by services/auth": "token-audience",
}

# What the issue lists besides the runbook's rows, as people paste it: input → entry.
ISSUE_ITEMS = {
    "[MOCK] Created user mock-1b2c3d4e-0000-4000-8000-000000000000 for ann@clinic.test": (
        "invite-mock-provider"
    ),
    "An error occurred (UnrecognizedClientException) when calling the AdminCreateUser "
    "operation: The security token included in the request is invalid.": "aws-key-unknown",
    "botocore.exceptions.ClientError: An error occurred (InvalidClientTokenId) when calling "
    "the GetCallerIdentity operation": "aws-key-unknown",
    "SignatureDoesNotMatch": "aws-secret-mismatch",
    "ExpiredToken: The security token included in the request is expired": (
        "aws-credentials-expired"
    ),
    "NotAuthorizedException: Unable to verify secret hash for client 5ab3c": "client-secret-hash",
    "UsernameExistsException: An account with the given email already exists.": ("username-exists"),
    "NotAuthorizedException: User is disabled.": "user-disabled",
    "NotAuthorizedException: Password attempts exceeded": "password-attempts-exceeded",
    "InvalidParameterException: Username should be an email.": "username-not-email",
    "LimitExceededException on AdminCreateUser when inviting": "invite-daily-limit",
    "CodeDeliveryFailureException when inviting a patient": "invite-code-delivery-failure",
    "JsonWebTokenError: jwt audience invalid. expected: 5ab3c": "token-audience",
    "JsonWebTokenError: jwt issuer invalid. expected: https://cognito-idp.eu-west-2."
    "amazonaws.com/eu-west-2_AbCdEf123/": "token-issuer",
    "Token use not allowed: id. Expected: access": "token-use",
    "TokenExpiredError: jwt expired": "token-expired",
    "unknown kid: no matching key in the JWKS": "token-signing-key",
    "NotAuthorizedException: Temporary password has expired and must be reset by an "
    "administrator.": "invitation-expired",
}

LOG_EXCERPT = "\n".join(
    [
        "2024-05-02T10:11:10.001Z INFO  [UsersController] POST /users/promote 201 12ms",
        "2024-05-02T10:11:12.409Z INFO  [MOCK] Created user "
        "mock-3f0c2a4e-9b1d-4c55-8f00-0c1d2e3f4a5b for ann@clinic.test",
        "2024-05-02T10:11:12.410Z INFO  [UsersService] promoted patient 4411 to platform user",
        "2024-05-02T10:11:13.001Z DEBUG [Http] GET /health 200 1ms",
    ]
)


def test_knowledge_base_is_valid_against_its_schema() -> None:
    schema = knowledge_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(knowledge_data(), schema)


def test_schema_rejects_an_entry_without_cause_or_with_a_bad_check_id() -> None:
    schema = knowledge_schema()
    entry = dict(knowledge_data()["entries"][0])
    del entry["cause"]
    with pytest.raises(jsonschema.ValidationError, match="'cause' is a required property"):
        jsonschema.validate({"schema_version": 1, "entries": [entry]}, schema)
    entry = dict(knowledge_data()["entries"][0], checks=["Pool Email"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"schema_version": 1, "entries": [entry]}, schema)


def test_schema_requires_a_manual_check_when_nothing_can_confirm_an_entry() -> None:
    entry = dict(BY_ID_RAW["user-row-conflict"])
    del entry["manual_check"]
    with pytest.raises(jsonschema.ValidationError, match="manual_check"):
        jsonschema.validate({"schema_version": 1, "entries": [entry]}, knowledge_schema())


BY_ID_RAW = {raw["id"]: raw for raw in knowledge_data()["entries"]}


def test_ids_are_unique() -> None:
    ids = [entry.id for entry in ENTRIES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_every_example_matches_its_entry_first(entry: object) -> None:
    from cognito_doctor.oncall.knowledge import Entry

    assert isinstance(entry, Entry)
    for example in entry.examples:
        matches = match_text(example)
        assert matches, f"{example!r} matches nothing"
        assert matches[0].entry.id == entry.id, (
            f"{example!r} matched {[(m.entry.id, m.score) for m in matches]}"
        )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_causes_are_one_sentence_and_fixes_say_what_to_do(entry: object) -> None:
    from cognito_doctor.oncall.knowledge import Entry

    assert isinstance(entry, Entry)
    assert entry.cause.endswith(".")
    assert not re.search(r"[.!?]\s+[A-Z]", entry.cause), entry.cause
    assert len(entry.fix) > 40


def test_every_check_an_entry_names_exists(registry: Registry) -> None:
    for entry in ENTRIES:
        for ref in entry.checks:
            assert ref.id in registry.checks, f"{entry.id} names unknown check {ref.id}"


@pytest.mark.parametrize(("symptom", "entry_id"), RUNBOOK_ROWS.items())
def test_each_runbook_row_has_its_entry_and_names_it_first(symptom: str, entry_id: str) -> None:
    assert BY_ID[entry_id].runbook == symptom
    assert match_text(symptom)[0].entry.id == entry_id


def test_a_whole_runbook_row_pasted_from_the_page_names_its_cause_first() -> None:
    row = (
        "| Promote 500s with AccessDeniedException |\n"
        "IAM policy's Resource ARN doesn't match the actual pool |\n"
        "Re-check arn:aws:cognito-idp:<REGION>:<ACCOUNT_ID>:userpool/<USER_POOL_ID>. Region + "
        "account id + pool id must all match. |"
    )
    assert match_text(row)[0].entry.id == "access-denied-resource-arn"


@pytest.mark.parametrize(("text", "entry_id"), ISSUE_ITEMS.items())
def test_each_item_the_issue_lists_is_matched_first(text: str, entry_id: str) -> None:
    matches = match_text(text)
    assert matches[0].entry.id == entry_id, [(m.entry.id, m.score) for m in matches]


def test_a_log_excerpt_points_at_the_mock_provider() -> None:
    matches = match_text(LOG_EXCERPT)
    assert matches[0].entry.id == "invite-mock-provider"
    assert any("[MOCK] Created user" in m for m in matches[0].matched)


def test_plain_words_symptoms_match() -> None:
    assert match_text("the invite never arrived")[0].entry.id == "invite-default-sender"
    assert match_text("services/auth rejects every token")[0].entry.id == "token-audience"
    assert match_text("the link says User not found")[0].entry.id == "user-not-found"


def test_no_email_symptom_also_names_the_other_causes_of_a_missing_invitation() -> None:
    ids = [m.entry.id for m in match_text("Promote succeeds but no email arrives")]
    assert ids[0] == "invite-default-sender"
    assert {"invite-mock-provider", "invite-ses-sandbox", "invite-ses-identity"} <= set(ids)


def test_aws_security_token_errors_are_not_taken_for_jwt_rejections() -> None:
    ids = {m.entry.id for m in match_text("The security token included in the request is invalid")}
    assert ids == {"aws-key-unknown"}
    ids = {m.entry.id for m in match_text("The security token included in the request is expired")}
    assert ids == {"aws-credentials-expired"}


def test_a_409_inside_a_timestamp_is_not_a_conflict() -> None:
    ids = {m.entry.id for m in match_text("2024-05-02T10:11:12.409Z GET /health 200")}
    assert "user-row-conflict" not in ids


def test_text_matching_nothing_gives_no_match() -> None:
    assert match_text("the coffee machine is broken") == []


def test_phrases_match_across_whitespace_and_case_and_only_whole_words() -> None:
    pattern = re.compile(phrase_regex("User is disabled"), re.IGNORECASE)
    assert pattern.search("NotAuthorizedException: user  is\nDISABLED.")
    assert not pattern.search("the superuser isdisabled")
    assert not re.compile(phrase_regex("User not found"), re.I).search("SuperUser not founder")


def test_the_deleted_username_entry_says_what_aws_documents() -> None:
    entry = BY_ID["user-not-found"]
    assert entry.documented is not None
    # The runbook's claim, and AWS's two documented facts it conflates.
    assert "14 days" in entry.documented
    assert "A username can be reused, but only after it has been deleted" in entry.documented
    assert "deleted user pool" in entry.documented
    assert "DeleteUserPool" in entry.documented
    # ...and how to check, with commands.
    assert "cognito-doctor user <EMAIL>" in entry.documented
    assert "describe-user-pool" in entry.documented
    assert "no cool-off to wait out" in entry.fix


def test_matched_excerpts_never_show_a_token_or_a_key() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    masked = mask(f"Bearer {jwt} with key AKIAABCDEFGHIJKLMNOP and {'x' * 40}")
    assert jwt not in masked and "<jwt>" in masked
    assert "AKIAABCDEFGHIJKLMNOP" not in masked and "…MNOP" in masked
    assert "x" * 40 not in masked
    matches = match_text(f"jwt expired {jwt}")
    assert all(jwt not in excerpt for m in matches for excerpt in m.matched)


def test_emails_in_text_skip_cognitos_own_sender() -> None:
    text = "from no-reply@verificationemail.com to Ann.Lee@clinic.test and ann.lee@clinic.test."
    assert emails_in(text) == ["Ann.Lee@clinic.test"]
