"""The public API for plugin authors: everything a check or fact module needs, in one import.

    from cognito_doctor.plugin import check, fact, passed, failed

A check is a function whose parameters are facts (see `cognito-doctor list-facts`); a fact
provider may also take `ctx`. Register the module under the entry point group
`cognito_doctor.checks`, or put it in a `--checks-dir`. Names here stay stable across minor
versions; anything else in the package may move.
"""

from __future__ import annotations

from cognito_doctor.engine.model import (
    FactUnavailable,
    Location,
    Outcome,
    Rules,
    Severity,
    Status,
    errored,
    failed,
    passed,
    skipped,
    warned,
)
from cognito_doctor.engine.registry import ENTRY_POINT_GROUP, check, fact
from cognito_doctor.facts.records import (
    ClientLookup,
    Discovery,
    IdentityLookup,
    PoolLookup,
    SesAccount,
    SesIdentityLookup,
    SesSending,
)
from cognito_doctor.platform.envfiles import EnvFile, EnvFiles
from cognito_doctor.platform.settings import RunConfig
from cognito_doctor.platform.target import EnvTarget, PoolRef

# The dev/prod rules were called Environment before 0.2 (an environment is now what a config
# file names, e.g. staging, judged by one of the two sets of rules): kept for older plugins.
Environment = Rules

__all__ = [
    "ENTRY_POINT_GROUP",
    "ClientLookup",
    "Discovery",
    "EnvFile",
    "EnvFiles",
    "EnvTarget",
    "Environment",
    "FactUnavailable",
    "IdentityLookup",
    "Location",
    "Outcome",
    "PoolLookup",
    "PoolRef",
    "Rules",
    "RunConfig",
    "SesAccount",
    "SesIdentityLookup",
    "SesSending",
    "Severity",
    "Status",
    "check",
    "errored",
    "fact",
    "failed",
    "passed",
    "skipped",
    "warned",
]
