"""The only package that imports botocore: clients for the two identities, explanations of
AWS errors, and botocore's service models.

Import it lazily (from inside fact providers), so that `--offline` and `--help` never pay for
importing botocore.
"""

from __future__ import annotations

from cognito_doctor.aws.clients import (
    ACCESS_DENIED,
    BAD_SIGNATURE,
    EXPIRED,
    THROTTLED,
    UNKNOWN_KEY,
    AwsAccess,
    ServiceKeys,
    error_code,
    error_message,
    explain,
    http_status,
    is_aws_error,
    service_model,
)

__all__ = [
    "ACCESS_DENIED",
    "BAD_SIGNATURE",
    "EXPIRED",
    "THROTTLED",
    "UNKNOWN_KEY",
    "AwsAccess",
    "ServiceKeys",
    "error_code",
    "error_message",
    "explain",
    "http_status",
    "is_aws_error",
    "service_model",
]
