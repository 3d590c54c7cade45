"""AWS region names and their partitions, kept offline so env checks never import botocore.

tests/integration/test_regions_and_fixes.py keeps this table in step with the installed
botocore's endpoints.
"""

from __future__ import annotations

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


def is_region(name: str) -> bool:
    """Whether `name` is a region AWS has."""
    return name in REGION_PARTITIONS


def partition_of(region: str) -> str:
    """The partition of a region (`aws`, `aws-cn`, …); `aws` for unknown names."""
    return REGION_PARTITIONS.get(region, "aws")


def expected_issuer(region: str, pool_id: str) -> str:
    """The `iss` Cognito puts in a pool's tokens, and services/auth derives from pool + region."""
    suffix = PARTITION_DNS_SUFFIX.get(partition_of(region), "amazonaws.com")
    return f"https://cognito-idp.{region}.{suffix}/{pool_id}"
