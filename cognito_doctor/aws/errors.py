"""Turning botocore's exceptions into the one AwsError every AWS call raises."""

from __future__ import annotations

import botocore.exceptions
import botocore.parsers

from cognito_doctor.aws.failure import AwsError, ErrorKind, kind_of_code

# botocore's errors for a call that got no AWS answer, most specific first.
_NO_ANSWER: tuple[tuple[type[Exception], ErrorKind], ...] = (
    (botocore.exceptions.NoCredentialsError, ErrorKind.NO_CREDENTIALS),
    (botocore.exceptions.ProfileNotFound, ErrorKind.NO_PROFILE),
    (botocore.exceptions.ReadTimeoutError, ErrorKind.READ_TIMEOUT),
    (botocore.exceptions.ConnectionClosedError, ErrorKind.CONNECTION_CLOSED),
    (botocore.exceptions.EndpointConnectionError, ErrorKind.CANNOT_CONNECT),
    (botocore.exceptions.ConnectionError, ErrorKind.CANNOT_CONNECT),
    (botocore.exceptions.HTTPClientError, ErrorKind.HTTP_FAILED),
)


def to_aws_error(exc: BaseException) -> AwsError | None:
    """The AwsError for a botocore exception, None for anything else (a bug, not AWS)."""
    if isinstance(exc, botocore.exceptions.ClientError):
        return _from_answer(exc)
    if isinstance(exc, botocore.parsers.ResponseParserError):
        # An answer that is not AWS's (an emulator's or a proxy's HTML page): botocore's parser
        # error is not a BotoCoreError. "Unable to parse response …" is its message.
        return AwsError(ErrorKind.CLIENT_FAILED, str(exc).split("\n", 1)[0])
    if not isinstance(exc, botocore.exceptions.BotoCoreError):
        return None
    url = getattr(exc, "kwargs", {}).get("endpoint_url")
    endpoint = str(url) if url else None
    for exc_type, kind in _NO_ANSWER:
        if isinstance(exc, exc_type):
            return AwsError(kind, str(exc), endpoint=endpoint)
    return AwsError(ErrorKind.CLIENT_FAILED, str(exc), endpoint=endpoint)


def _from_answer(exc: botocore.exceptions.ClientError) -> AwsError:
    """The AwsError for an answer AWS gave: its code, message, status and attempts."""
    error = exc.response.get("Error", {})
    metadata = exc.response.get("ResponseMetadata", {})
    code = str(error["Code"]) if error.get("Code") else None
    status = metadata.get("HTTPStatusCode")
    status = status if isinstance(status, int) else None
    retries = metadata.get("RetryAttempts")
    attempts = retries + 1 if isinstance(retries, int) else None
    return AwsError(
        kind_of_code(code, status),
        str(error.get("Message", "")).strip(),
        code=code,
        http_status=status,
        attempts=attempts,
    )
