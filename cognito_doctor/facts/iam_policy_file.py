"""The --policy-file (the `policy_file` fact, offline): the file read and parsed with the line
of every JSON value, and the pool the `.env` files name to compare it with."""

from __future__ import annotations

import json
from pathlib import Path

from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import fact
from cognito_doctor.facts.context import CheckContext
from cognito_doctor.iam.policy_file import PolicyFile, json_lines
from cognito_doctor.platform.files import TooDeep, check_nesting, read_capped

MAX_POLICY_FILE_BYTES = 1_000_000


def read_policy_file(path: Path, root: Path) -> PolicyFile:
    """Read and parse a policy file; problems (unreadable, not JSON) are kept, not raised."""
    try:
        display = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        display = str(path)
    raw = read_capped(path, display, MAX_POLICY_FILE_BYTES)
    if isinstance(raw, str):
        return PolicyFile(path, display, problem=f"cannot read {raw}")
    if len(raw) > MAX_POLICY_FILE_BYTES:
        return PolicyFile(path, display, problem=f"{display} is larger than 1 MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return PolicyFile(path, display, problem=f"{display} is not UTF-8 text ({exc.reason})")
    try:
        check_nesting(text)
        document = json.loads(text)
    except TooDeep as exc:
        return PolicyFile(path, display, text, problem=f"{display} is not a policy: {exc}")
    except json.JSONDecodeError as exc:
        return PolicyFile(
            path,
            display,
            text,
            problem=f"{display} is not valid JSON: {exc.msg} (line {exc.lineno}, column "
            f"{exc.colno})",
            line=exc.lineno,
        )
    return PolicyFile(path, display, text, document, lines=json_lines(text))


@fact("policy_file")
def policy_file(ctx: CheckContext) -> PolicyFile:
    """The JSON policy given with --policy-file, read and parsed (offline)."""
    path = ctx.config.policy_file
    if path is None:
        raise FactUnavailable(
            Status.SKIP,
            "no --policy-file given (run with --policy-file PATH to check a policy file "
            "offline, before you paste it)",
        )
    return read_policy_file(path, ctx.config.root)
