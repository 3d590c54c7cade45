"""Triage online: the facts an error text names compared with AWS itself, not only with the
.env files. Every AWS call goes through the facts layer (the run's own facts `pool_ref`,
`pool_lookup`, `service_identity`, and facts/text_names.py for the ids the text names).

- the principal an AccessDenied names, and the account of each ARN, against who the keys in
  services/user-management/.env are (sts:GetCallerIdentity: "Returns details about the IAM
  user or role whose credentials are used to call the operation", Account and Arn; STS API
  reference, botocore's sts 2011-06-15 model);
- each pool id: does DescribeUserPool find it in the region its id names;
- each client id: is it a client of the pool COGNITO_USER_POOL_ID names
  (DescribeUserPoolClient), asked only once that pool is known to exist, since the same
  ResourceNotFoundException answers for a missing pool.

An answer that could not be had (no permission, throttled, a timeout, no keys) is Unverified:
it never agrees or differs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cognito_doctor.engine.model import FactUnavailable
from cognito_doctor.engine.registry import Registry
from cognito_doctor.oncall.error_facts import ErrorFacts
from cognito_doctor.oncall.triage_facts import (
    Bearing,
    TextFinding,
    Unverified,
    account_of,
    text_pools,
)
from cognito_doctor.platform.regions import pool_id_region
from cognito_doctor.platform.settings import RunConfig

MAX_LOOKUPS = 3  # ids of each kind looked up: a log can name many


@dataclass(frozen=True)
class AwsComparison:
    """What AWS said of the text's facts, and what it could not say."""

    findings: tuple[TextFinding, ...] = ()
    unverified: tuple[Unverified, ...] = ()


def compare_with_aws(facts: ErrorFacts, config: RunConfig, registry: Registry) -> AwsComparison:
    """The text's principals, accounts, pools and clients compared with AWS (read-only)."""
    from cognito_doctor.engine.resolve import resolve_facts
    from cognito_doctor.facts.context import CheckContext

    pools = text_pools(facts)[:MAX_LOOKUPS]
    clients = facts.client_ids[:MAX_LOOKUPS]
    wanted = []
    if facts.arns or facts.denials:
        wanted.append("service_identity")
    if clients:
        wanted.append("pool_lookup")
    wanted = [name for name in wanted if name in registry.facts]
    if not (wanted or pools):
        return AwsComparison()
    ctx = CheckContext(config)
    deadline = time.perf_counter() + config.timeout
    known = resolve_facts(ctx, registry, wanted, deadline, timeout_s=config.timeout)
    findings: list[TextFinding] = []
    unverified: list[Unverified] = []
    if "service_identity" in known:
        _identity(facts, known["service_identity"], findings, unverified)
    _pools(ctx, pools, findings, unverified)
    if clients and "pool_lookup" in known:
        _clients(ctx, clients, known["pool_lookup"], findings, unverified)
    return AwsComparison(tuple(findings), tuple(unverified))


def _identity_problem(lookup: Any) -> str | None:
    """Why the keys' identity is not known, or None when it is."""
    if isinstance(lookup, FactUnavailable):
        return lookup.reason
    if lookup is None:
        return "services/user-management/.env holds no static AWS keys to compare with"
    if lookup.failure is not None:
        return str(lookup.failure[0])
    if lookup.identity is None:
        return (
            f"sts:GetCallerIdentity refused the keys in services/user-management/.env "
            f"({lookup.key_hint}: {lookup.error_code})"
        )
    return None


def _role_of(arn: str) -> str:
    """An ARN to compare principals by: an assumed-role session as its role (the session
    name changes with every session)."""
    parts = arn.split(":", 5)
    if len(parts) == 6 and parts[5].startswith("assumed-role/"):
        return ":".join([*parts[:5], "/".join(parts[5].split("/")[:2])])
    return arn


def _identity(
    facts: ErrorFacts, lookup: Any, findings: list[TextFinding], unverified: list[Unverified]
) -> None:
    principals = list(dict.fromkeys(d.principal for d in facts.denials))
    resources = [a for a in facts.arns if a not in principals and account_of(a)]
    problem = _identity_problem(lookup)
    if problem is not None:
        if principals:
            unverified.append(
                Unverified("principal", f"couldn't check the principal the text names: {problem}")
            )
        elif resources:
            unverified.append(
                Unverified("caller_account", f"couldn't check the text's accounts: {problem}")
            )
        return
    mine_arn, mine_account = lookup.identity.get("Arn", ""), lookup.identity.get("Account", "")
    keys = f"the keys in services/user-management/.env ({lookup.key_hint})"
    for principal in principals:
        if _role_of(principal) == _role_of(mine_arn):
            findings.append(
                TextFinding(
                    "principal",
                    Bearing.AGREES,
                    f"the text names {principal}, the identity of {keys} (sts:GetCallerIdentity)",
                )
            )
        else:
            findings.append(
                TextFinding(
                    "principal",
                    Bearing.DIFFERS,
                    f"the text names {principal} but {keys} are {mine_arn} "
                    "(sts:GetCallerIdentity): the process that failed runs with other keys",
                )
            )
    for arn in resources:
        account = account_of(arn)
        if account and mine_account and account != mine_account:
            findings.append(
                TextFinding(
                    "caller_account",
                    Bearing.DIFFERS,
                    f"the text's {arn} is in account {account} but {keys} belong to account "
                    f"{mine_account} (sts:GetCallerIdentity)",
                )
            )


def _pools(
    ctx: Any, pools: Sequence[str], findings: list[TextFinding], unverified: list[Unverified]
) -> None:
    from cognito_doctor.facts.text_names import Existence, named_pool

    for pool in pools:
        region = pool_id_region(pool) or pool
        lookup = named_pool(ctx, pool)
        match lookup.answer:
            case Existence.EXISTS:
                findings.append(
                    TextFinding(
                        "pool_in_aws",
                        Bearing.AGREES,
                        f"pool {pool} exists in {region} (DescribeUserPool found it)",
                    )
                )
            case Existence.MISSING:
                findings.append(
                    TextFinding(
                        "pool_in_aws",
                        Bearing.INVALID,
                        f"AWS has no user pool {pool} in {region} (DescribeUserPool: "
                        "ResourceNotFoundException): it was deleted, or the id is mistyped",
                    )
                )
            case Existence.UNKNOWN:
                unverified.append(
                    Unverified(
                        "pool_in_aws",
                        f"couldn't check whether pool {pool} exists: {lookup.problem}",
                    )
                )


def _clients(
    ctx: Any,
    clients: Sequence[str],
    pool_lookup: Any,
    findings: list[TextFinding],
    unverified: list[Unverified],
) -> None:
    from cognito_doctor.facts.text_names import Existence, named_client

    if isinstance(pool_lookup, FactUnavailable) or pool_lookup.pool is None:
        why = (
            pool_lookup.reason
            if isinstance(pool_lookup, FactUnavailable)
            else f"pool {pool_lookup.ref.pool_id} does not exist in {pool_lookup.ref.region}"
        )
        for client in clients:
            unverified.append(
                Unverified(
                    "client_in_pool",
                    f"couldn't check whether {client} is a client of the configured pool: {why}",
                )
            )
        return
    pool, region = pool_lookup.ref.pool_id, pool_lookup.ref.region
    for client in clients:
        lookup = named_client(ctx, pool, region, client)
        match lookup.answer:
            case Existence.EXISTS:
                findings.append(
                    TextFinding(
                        "client_in_pool",
                        Bearing.AGREES,
                        f"{client} is an app client of pool {pool} (DescribeUserPoolClient)",
                    )
                )
            case Existence.MISSING:
                findings.append(
                    TextFinding(
                        "client_in_pool",
                        Bearing.INVALID,
                        f"{client} is not an app client of pool {pool}, the one "
                        "COGNITO_USER_POOL_ID names (DescribeUserPoolClient: "
                        "ResourceNotFoundException)",
                    )
                )
            case Existence.UNKNOWN:
                unverified.append(
                    Unverified(
                        "client_in_pool",
                        f"couldn't check whether {client} is a client of pool {pool}: "
                        f"{lookup.problem}",
                    )
                )
