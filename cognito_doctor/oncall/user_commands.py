"""The `aws cognito-idp` commands the user verdicts print, and the pool's required attributes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cognito_doctor.platform.awscli import AwsTarget, aws_command


def idp_command(
    target: AwsTarget,
    operation: str,
    region: str,
    pool_id: str,
    username: str,
    **options: str | Sequence[str],
) -> str:
    """`aws cognito-idp OPERATION` for one user of one pool, every value quoted."""
    return aws_command(
        target, "cognito-idp", operation, region, user_pool_id=pool_id, username=username, **options
    )


# AdminCreateUserRequest.DesiredDeliveryMediums (botocore's model): "The default value is
# SMS." The platform's users have no phone number: every invitation names EMAIL.
EMAIL_DELIVERY = ("EMAIL",)
# Attributes Cognito sets itself, which a user never lacks in a way anyone can fix.
MANAGED_ATTRIBUTES = frozenset({"sub", "identities"})


def resend_command(target: AwsTarget, region: str, pool_id: str, username: str) -> str:
    """The invitation resend: AdminCreateUser with MessageAction RESEND, by email."""
    return idp_command(
        target,
        "admin-create-user",
        region,
        pool_id,
        username,
        message_action="RESEND",
        desired_delivery_mediums=EMAIL_DELIVERY,
    )


def invite_command(target: AwsTarget, region: str, pool_id: str, email: str) -> str:
    """A fresh invitation for `email` in a pool whose usernames are email addresses."""
    return idp_command(
        target,
        "admin-create-user",
        region,
        pool_id,
        email,
        user_attributes=(
            f"Name=email,Value={email}",
            "Name=email_verified,Value=true",
            "Name=name,Value=<display name>",
        ),
        desired_delivery_mediums=EMAIL_DELIVERY,
    )


def required_attributes(pool: Mapping[str, Any]) -> list[str]:
    """The attributes the pool's schema marks Required (without those Cognito manages)."""
    schema = pool.get("SchemaAttributes") or []
    return sorted(
        str(a["Name"])
        for a in schema
        if isinstance(a, Mapping) and a.get("Required") and a.get("Name") not in MANAGED_ATTRIBUTES
    )


__all__ = [
    "EMAIL_DELIVERY",
    "idp_command",
    "invite_command",
    "required_attributes",
    "resend_command",
]
