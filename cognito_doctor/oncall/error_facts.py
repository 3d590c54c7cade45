"""The facts an error text names: ARNs, pool and client ids, regions, account ids, access key
ids (their last four characters only), emails, hostnames, exception names and HTTP statuses.

Every regex here runs in linear time on any input: each greedy run is anchored by a
lookbehind that fails inside the run, and no group repeats a sub-pattern that can match the
same characters two ways (triage reads logs of up to 5 MB).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cognito_doctor.platform.regions import is_region, pool_id_region

_ARN = re.compile(r"(?<![\w:/-])arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[^\s\"',;()<>\[\]]+")
_DENIED = re.compile(
    r"User:\s+(arn:\S+)\s+is\s+not\s+authorized\s+to\s+perform:\s+([\w-]+:\w+)"
    r"(?:\s+on\s+resource:\s+(arn:[^\s\"',;()]+))?"
)
_POOL_ID = re.compile(r"(?<![\w-])([a-z]{2,4}(?:-[a-z]{2,4})?-[a-z]+-\d{1,2}_[0-9A-Za-z]{1,55})\b")
_REGION = re.compile(
    r"(?<![\w-])([a-z]{2,4}(?:-[a-z]{2,4})?-(?:north|south|east|west|central|northeast|"
    r"northwest|southeast|southwest)-\d{1,3})(?![\w-]*_)(?![\w])"
)
# A client id is only taken where the text says it is one (ids are bare alphanumerics).
_CLIENT_ID = re.compile(
    r"(?:\bUser\s+pool\s+client\s+|\bfor\s+client\s+|\bClient\s+|\bclient[_ ]?id\b[\"'\s:=]{1,4}"
    r"|\baudience\s+invalid\.\s+expected:\s+|\bExpected:\s+)"
    r"(?=[a-z0-9]*\d)([a-z0-9]{6,128})\b",
    re.IGNORECASE,
)
_ACCOUNT = re.compile(r"\baccount(?:\s+id)?[\s:=#]{1,3}(\d{12})\b", re.IGNORECASE)
_KEY_ID = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{12}([A-Z0-9]{4})(?![A-Z0-9])")
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_HOST_CONTEXT = re.compile(
    r"(?:https?://|\bENOTFOUND\s+|\bEAI_AGAIN\s+|\bECONNREFUSED\s+|\bhost(?:name)?[\"'\s:=]{1,4})"
    r"([A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63}){1,10})"
)
_AWS_HOST = re.compile(
    r"(?<![\w.-])([a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,4}\.amazonaws\.com(?:\.cn)?)\b"
)
_EXCEPTION = re.compile(r"\b([A-Z][A-Za-z0-9]{2,80}(?:Exception|Error|Fault))\b")
_BOTO_CODE = re.compile(r"An\s+error\s+occurred\s+\((\w{3,80})\)")
_AWS_CODES = re.compile(
    r"\b(AccessDenied|ExpiredToken|SignatureDoesNotMatch|InvalidClientTokenId|RequestExpired"
    r"|Throttling|UnrecognizedClient)\b"
)
_HTTP_STATUS = re.compile(
    r"(?:\bHTTP/\d(?:\.\d)?\s+|\b(?:http)?status(?:[\s_]?code)?[\"'\s:=]{1,4}|\bStatus\s+code\s+is\s+)"
    r"([1-5]\d\d)\b",
    re.IGNORECASE,
)
_REGION_IN_HOST = re.compile(r"^[a-z0-9-]+\.([a-z]{2,4}(?:-[a-z]{2,4})?-[a-z]+-\d{1,3})\.")
_NOT_A_USER = re.compile(r"@verificationemail\.com$|^no-?reply@", re.IGNORECASE)
_TRAILING = ".,;:)]}'\""


@dataclass(frozen=True)
class Denial:
    """What an AccessDenied message names: who, doing what, on which resource."""

    principal: str
    action: str
    resource: str | None


@dataclass(frozen=True)
class ErrorFacts:
    """Everything the text names, each list in order of first appearance, without repeats."""

    arns: tuple[str, ...] = ()
    denials: tuple[Denial, ...] = ()
    pool_ids: tuple[str, ...] = ()
    client_ids: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    account_ids: tuple[str, ...] = ()
    key_ids: tuple[str, ...] = ()  # "…WXYZ": the last four characters only
    emails: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()
    http_statuses: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether the text names nothing triage can work with."""
        named = (self.arns, self.pool_ids, self.client_ids, self.regions, self.account_ids)
        return not any(named) and not any(
            (self.key_ids, self.emails, self.hosts, self.exceptions, self.http_statuses)
        )

    def region_shaped(self) -> tuple[str, ...]:
        """Regions named anywhere: alone, in a pool id, an ARN or a hostname."""
        found = list(self.regions)
        found += [region for p in self.pool_ids if (region := pool_id_region(p))]
        found += [a.split(":")[3] for a in self.arns if len(a.split(":")) > 4 and a.split(":")[3]]
        for host in self.hosts:
            hit = _REGION_IN_HOST.match(host)
            if hit:
                found.append(hit.group(1))
        return _unique(found)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _clean(value: str) -> str:
    return value.rstrip(_TRAILING)


def user_emails(text: str) -> list[str]:
    """The distinct email addresses in `text` that could be a user's, in order (Cognito's
    own sender and no-reply addresses are left out; case-insensitively distinct)."""
    seen: dict[str, str] = {}
    for found in _EMAIL.findall(text):
        address = found.strip(".")
        if not _NOT_A_USER.search(address):
            seen.setdefault(address.lower(), address)
    return list(seen.values())


def extract(text: str) -> ErrorFacts:
    """The facts `text` names (see ErrorFacts)."""
    arns = _unique(_clean(m.group(0)) for m in _ARN.finditer(text))
    denials = tuple(
        dict.fromkeys(
            Denial(_clean(m.group(1)), m.group(2), _clean(m.group(3)) if m.group(3) else None)
            for m in _DENIED.finditer(text)
        )
    )
    accounts = [a.split(":")[4] for a in arns if len(a.split(":")) > 4 and a.split(":")[4]]
    accounts += _ACCOUNT.findall(text)
    hosts = [_clean(m.group(1)).lower() for m in _HOST_CONTEXT.finditer(text)]
    hosts += [m.group(1).lower() for m in _AWS_HOST.finditer(text)]
    exceptions = [m.group(1) for m in _BOTO_CODE.finditer(text)]
    exceptions += _EXCEPTION.findall(text) + _AWS_CODES.findall(text)
    return ErrorFacts(
        arns=arns,
        denials=denials,
        pool_ids=_unique(_POOL_ID.findall(text)),
        client_ids=_unique(_CLIENT_ID.findall(text)),
        regions=_unique(_REGION.findall(text)),
        account_ids=_unique(accounts),
        key_ids=_unique(f"…{last}" for last in _KEY_ID.findall(text)),
        emails=tuple(user_emails(text)),
        hosts=_unique(h for h in hosts if "." in h),
        exceptions=_unique(exceptions),
        http_statuses=tuple(dict.fromkeys(int(s) for s in _HTTP_STATUS.findall(text))),
    )


def facts_dict(facts: ErrorFacts) -> dict[str, object]:
    """The JSON form of `facts` (key ids are already only their last four characters)."""
    return {
        "arns": list(facts.arns),
        "denials": [
            {"principal": d.principal, "action": d.action, "resource": d.resource}
            for d in facts.denials
        ],
        "pool_ids": list(facts.pool_ids),
        "client_ids": list(facts.client_ids),
        "regions": list(facts.region_shaped()),
        "account_ids": list(facts.account_ids),
        "key_ids": list(facts.key_ids),
        "emails": list(facts.emails),
        "hosts": list(facts.hosts),
        "exceptions": list(facts.exceptions),
        "http_statuses": list(facts.http_statuses),
    }


def region_exists(region: str) -> bool:
    """Whether `region` is an AWS region (platform.regions' table)."""
    return is_region(region)
