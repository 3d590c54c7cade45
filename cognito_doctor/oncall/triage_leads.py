"""Which causes the facts of an error text bear on: a comparison of the text with the setup
(triage_facts, triage_aws) is evidence for or against knowledge-base entries.

The table LEADS is the whole of that knowledge, as data: for each subject of a finding, the
entries a disagreement ("differs", "invalid") confirms or suggests and the entries an
agreement rules out. A comparison that could not be made (AWS did not answer) is "unknown"
for every entry it could have decided, so it never lets a cause be ruled out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from cognito_doctor.oncall.triage_evidence import (
    CONFIRMS,
    RULES_OUT,
    SUGGESTS,
    UNKNOWN,
    Evidence,
)
from cognito_doctor.oncall.triage_facts import Bearing, TextFinding, Unverified

OTHER_CONFIG = "service-runs-other-config"
OTHER_KEYS = "process-runs-other-keys"
REGION_TYPO = "region-does-not-exist"
POOL_NOT_FOUND = "pool-not-found"
CLIENT_NOT_FOUND = "app-client-not-found"
TOKEN_ISSUER = "token-issuer"

Roles = tuple[tuple[str, str], ...]  # (entry id, role)


@dataclass(frozen=True)
class Leads:
    """What a finding on one subject says about the entries, for each bearing it can have."""

    differs: Roles = ()
    invalid: Roles = ()
    agrees: Roles = ()
    # Entries whose texts name the id for another reason: with one of them matched, a
    # finding on this subject bears on nothing.
    unless_matched: frozenset[str] = frozenset()

    def entries(self) -> tuple[str, ...]:
        """Every entry a finding on this subject can decide."""
        return tuple(dict.fromkeys(e for e, _ in (*self.differs, *self.invalid, *self.agrees)))


LEADS: dict[str, Leads] = {
    # The text's pool or client is not the .env files': the failing process runs other
    # settings than the files hold (an old configuration). The same id rules that out.
    # A rejected token's issuer names the pool that issued the token, not the one the service
    # is configured with (aws-jwt-verify: "issuer not configured: <iss>").
    "pool_id": Leads(
        differs=((OTHER_CONFIG, CONFIRMS),),
        agrees=((OTHER_CONFIG, RULES_OUT),),
        unless_matched=frozenset({TOKEN_ISSUER}),
    ),
    "client_id": Leads(differs=((OTHER_CONFIG, CONFIRMS),), agrees=((OTHER_CONFIG, RULES_OUT),)),
    # Another region is named for many reasons (an SES identity may live in another region):
    # only a region that doesn't exist decides anything.
    "region": Leads(invalid=((REGION_TYPO, CONFIRMS),)),
    # The caller and the resource in different accounts: keys of another account, likely.
    "account_id": Leads(differs=((OTHER_KEYS, SUGGESTS),)),
    "key_id": Leads(differs=((OTHER_KEYS, CONFIRMS),), agrees=((OTHER_KEYS, RULES_OUT),)),
    # Online, from AWS's own answers (triage_aws).
    "principal": Leads(differs=((OTHER_KEYS, CONFIRMS),), agrees=((OTHER_KEYS, RULES_OUT),)),
    "caller_account": Leads(differs=((OTHER_KEYS, SUGGESTS),)),
    # A missing pool or client only suggests those causes: when the id is the .env files',
    # pool.exists / client.exists confirm them; when it isn't, the lead is the old
    # configuration (pool_id / client_id differs), and the files need no new id.
    "pool_in_aws": Leads(
        invalid=((POOL_NOT_FOUND, SUGGESTS),), agrees=((POOL_NOT_FOUND, RULES_OUT),)
    ),
    "client_in_pool": Leads(
        invalid=((CLIENT_NOT_FOUND, SUGGESTS),), agrees=((CLIENT_NOT_FOUND, RULES_OUT),)
    ),
}


def _roles(finding: TextFinding, matched: frozenset[str]) -> Roles:
    leads = LEADS.get(finding.subject, Leads())
    if leads.unless_matched & matched:
        return ()
    match finding.bearing:
        case Bearing.DIFFERS:
            return leads.differs
        case Bearing.INVALID:
            return leads.invalid
        case Bearing.AGREES:
            return leads.agrees
        case _:
            assert_never(finding.bearing)


def fact_evidence(
    entry_id: str,
    findings: Sequence[TextFinding],
    unverified: Sequence[Unverified] = (),
    matched: frozenset[str] = frozenset(),
) -> list[Evidence]:
    """What the text's findings (and the comparisons that could not be made) say of
    `entry_id`, when the text matched the entries `matched`."""
    evidence: list[Evidence] = []
    for finding in findings:
        for entry, role in _roles(finding, matched):
            if entry == entry_id:
                evidence.append(
                    Evidence("fact", finding.subject, finding.bearing.value, role, finding.message)
                )
    for missing in unverified:
        if entry_id in LEADS.get(missing.subject, Leads()).entries():
            evidence.append(
                Evidence("fact", missing.subject, "unverified", UNKNOWN, missing.message)
            )
    return evidence


def confirmed_entries(
    findings: Sequence[TextFinding], matched: frozenset[str] = frozenset()
) -> dict[str, TextFinding]:
    """The entries some finding confirms (the text having matched `matched`), each with the
    first finding that does."""
    found: dict[str, TextFinding] = {}
    for finding in findings:
        for entry, role in _roles(finding, matched):
            if role == CONFIRMS:
                found.setdefault(entry, finding)
    return found


def led_by_facts(evidence: Sequence[Evidence]) -> bool:
    """Whether a fact of the text itself confirms the cause (such a cause leads its verdict)."""
    return any(e.kind == "fact" and e.role == CONFIRMS for e in evidence)
