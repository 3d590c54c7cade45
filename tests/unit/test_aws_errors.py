"""Every botocore failure becomes one AwsError, with the kind, code, status and attempts a
person's next step depends on, and the words for it."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from cognito_doctor.aws.errors import to_aws_error
from cognito_doctor.aws.failure import AwsError, ErrorKind


def client_error(code: str, message: str, status: int, retries: int = 0) -> Exception:
    """A ClientError shaped as botocore builds it from AWS's JSON error answer."""
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": retries},
    }
    return botocore.exceptions.ClientError(response, "DescribeUserPool")


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("AccessDeniedException", 400, ErrorKind.ACCESS_DENIED),
        ("ExpiredTokenException", 400, ErrorKind.EXPIRED),
        ("UnrecognizedClientException", 400, ErrorKind.UNKNOWN_KEY),
        ("InvalidSignatureException", 400, ErrorKind.BAD_SIGNATURE),
        ("TooManyRequestsException", 400, ErrorKind.THROTTLED),
        ("InternalErrorException", 500, ErrorKind.SERVER),
        ("ResourceNotFoundException", 400, ErrorKind.OTHER_ANSWER),
    ],
)
def test_an_aws_answer_keeps_its_code_status_and_kind(
    code: str, status: int, kind: ErrorKind
) -> None:
    error = to_aws_error(client_error(code, " the message ", status))
    assert error is not None
    assert (error.kind, error.code, error.http_status, error.message) == (
        kind,
        code,
        status,
        "the message",
    )


def test_attempts_are_counted_and_named_for_throttling() -> None:
    error = to_aws_error(client_error("ThrottlingException", "Rate exceeded", 400, retries=2))
    assert error is not None and error.attempts == 3
    message, fix = error.explain(action="cognito-idp:DescribeUserPool")
    assert (
        message
        == "AWS throttled cognito-idp:DescribeUserPool (ThrottlingException) on all 3 attempts"
    )
    assert fix.startswith("Wait a minute")


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (botocore.exceptions.NoCredentialsError(), ErrorKind.NO_CREDENTIALS, "no AWS credentials"),
        (
            botocore.exceptions.ProfileNotFound(profile="sandbox"),
            ErrorKind.NO_PROFILE,
            "The config profile (sandbox) could not be found",
        ),
        (
            botocore.exceptions.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"),
            ErrorKind.CANNOT_CONNECT,
            "cannot connect to the endpoint (http://127.0.0.1:9)",
        ),
        (
            botocore.exceptions.ReadTimeoutError(endpoint_url="http://127.0.0.1:9"),
            ErrorKind.READ_TIMEOUT,
            "did not answer within the read timeout",
        ),
        (
            botocore.exceptions.ConnectionClosedError(endpoint_url="http://127.0.0.1:9"),
            ErrorKind.CONNECTION_CLOSED,
            "was reset or closed",
        ),
        (
            botocore.exceptions.ParamValidationError(report="bad UserPoolId"),
            ErrorKind.CLIENT_FAILED,
            "bad UserPoolId",
        ),
    ],
)
def test_a_call_without_an_answer_names_what_failed(
    exc: Exception, kind: ErrorKind, words: str
) -> None:
    error = to_aws_error(exc)
    assert error is not None and error.kind is kind
    message, fix = error.explain(action="cognito-idp:DescribeUserPool")
    assert words in message
    assert fix


def test_anything_else_is_not_an_aws_error() -> None:
    assert to_aws_error(KeyError("UserPool")) is None


def test_every_kind_has_words() -> None:
    for kind in ErrorKind:
        message, _ = AwsError(kind, "m", code="C", http_status=500).explain(action="x:Y")
        assert message
