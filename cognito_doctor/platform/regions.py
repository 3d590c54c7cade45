"""AWS region names and their partitions, kept offline so env checks never import botocore.

tests/integration/test_regions_and_fixes.py keeps this table in step with the installed
botocore's endpoints.
"""

from __future__ import annotations

from enum import StrEnum

REGION_PARTITIONS: dict[str, str] = {
    # aws (DNS suffix amazonaws.com)
    "af-south-1": "aws",
    "ap-east-1": "aws",
    "ap-east-2": "aws",
    "ap-northeast-1": "aws",
    "ap-northeast-2": "aws",
    "ap-northeast-3": "aws",
    "ap-south-1": "aws",
    "ap-south-2": "aws",
    "ap-southeast-1": "aws",
    "ap-southeast-2": "aws",
    "ap-southeast-3": "aws",
    "ap-southeast-4": "aws",
    "ap-southeast-5": "aws",
    "ap-southeast-6": "aws",
    "ap-southeast-7": "aws",
    "ca-central-1": "aws",
    "ca-west-1": "aws",
    "eu-central-1": "aws",
    "eu-central-2": "aws",
    "eu-north-1": "aws",
    "eu-south-1": "aws",
    "eu-south-2": "aws",
    "eu-west-1": "aws",
    "eu-west-2": "aws",
    "eu-west-3": "aws",
    "il-central-1": "aws",
    "me-central-1": "aws",
    "me-south-1": "aws",
    "mx-central-1": "aws",
    "sa-east-1": "aws",
    "us-east-1": "aws",
    "us-east-2": "aws",
    "us-west-1": "aws",
    "us-west-2": "aws",
    # aws-cn (DNS suffix amazonaws.com.cn)
    "cn-north-1": "aws-cn",
    "cn-northwest-1": "aws-cn",
    # aws-us-gov (DNS suffix amazonaws.com)
    "us-gov-east-1": "aws-us-gov",
    "us-gov-west-1": "aws-us-gov",
    # aws-iso (DNS suffix c2s.ic.gov)
    "us-iso-east-1": "aws-iso",
    "us-iso-west-1": "aws-iso",
    # aws-iso-b (DNS suffix sc2s.sgov.gov)
    "us-isob-east-1": "aws-iso-b",
    "us-isob-west-1": "aws-iso-b",
    # aws-iso-e (DNS suffix cloud.adc-e.uk)
    "eu-isoe-west-1": "aws-iso-e",
    # aws-iso-f (DNS suffix csp.hci.ic.gov)
    "us-isof-east-1": "aws-iso-f",
    "us-isof-south-1": "aws-iso-f",
    # aws-eusc (DNS suffix amazonaws.eu)
    "eusc-de-east-1": "aws-eusc",
}

PARTITION_DNS_SUFFIX: dict[str, str] = {
    "aws": "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
    "aws-iso": "c2s.ic.gov",
    "aws-iso-b": "sc2s.sgov.gov",
    "aws-iso-e": "cloud.adc-e.uk",
    "aws-iso-f": "csp.hci.ic.gov",
    "aws-eusc": "amazonaws.eu",
}


def pool_id_region(pool_id: str | None) -> str | None:
    """The region a user pool id starts with (`eu-west-2` of `eu-west-2_AbC`, the id's
    format per botocore's UserPoolIdType, `[\\w-]+_[0-9a-zA-Z]+`); None without an underscore."""
    if not pool_id or "_" not in pool_id:
        return None
    return pool_id.split("_", 1)[0]


def is_region(name: str) -> bool:
    """Whether `name` is a region AWS has."""
    return name in REGION_PARTITIONS


def partition_of(region: str) -> str:
    """The partition of a region (`aws`, `aws-cn`, …); `aws` for unknown names."""
    return REGION_PARTITIONS.get(region, "aws")


class IssuerType(StrEnum):
    """A pool's issuer format (botocore's IssuerConfigurationType.Type, UserPoolType member
    IssuerConfiguration): ORIGINAL `https://cognito-idp.<region>.amazonaws.com/<poolId>`, UPDATED
    `https://issuer-cognito-idp.<region>.amazonaws.com/<poolId>` (region: the pool's primary)."""

    ORIGINAL = "ORIGINAL"
    UPDATED = "UPDATED"

    @property
    def host_prefix(self) -> str:
        match self:
            case IssuerType.ORIGINAL:
                return "cognito-idp"
            case IssuerType.UPDATED:
                return "issuer-cognito-idp"


def issuer_of(region: str, pool_id: str, kind: IssuerType = IssuerType.ORIGINAL) -> str:
    """The `iss` a pool of this issuer type puts in its tokens (the one place it is built)."""
    suffix = PARTITION_DNS_SUFFIX.get(partition_of(region), "amazonaws.com")
    return f"https://{kind.host_prefix}.{region}.{suffix}/{pool_id}"


def pool_issuers(region: str, pool_id: str) -> dict[IssuerType, str]:
    """Both issuers a pool can sign with; aws-jwt-verify's CognitoJwtVerifier accepts either
    for the pool it is given (it configures one issuer of each format per userPoolId)."""
    return {kind: issuer_of(region, pool_id, kind) for kind in IssuerType}


def issuer_type_of(issuer: str, region: str, pool_id: str) -> IssuerType | None:
    """Which of the pool's two issuers `issuer` is exactly, or None for neither."""
    return next((k for k, v in pool_issuers(region, pool_id).items() if v == issuer), None)


def expected_issuer(region: str, pool_id: str) -> str:
    """The ORIGINAL issuer: what services/auth derives from pool + region, and the discovery
    document's URL base (Cognito serves it at that host for either issuer type)."""
    return issuer_of(region, pool_id, IssuerType.ORIGINAL)
