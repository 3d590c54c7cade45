"""Saying one root cause once: the checks that could not verify for the same cause (a Cause
key their facts share, e.g. an endpoint nothing answers at) are reported on the first of them,
and the others are skipped "see <that check>"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from cognito_doctor.engine.model import Cause, CheckResult, Outcome, RootCause, Status


def collapse(
    results: Sequence[CheckResult], causes: Mapping[str, Cause]
) -> tuple[list[CheckResult], tuple[RootCause, ...]]:
    """The results with every cause shared by two or more errors said once, and those causes.

    `causes` maps each Cause key met in the run to its Cause. A cause that only one check met
    stays that check's error: there is nothing to collapse.
    """
    by_key: dict[str, list[int]] = {}
    for index, result in enumerate(results):
        key = result.outcome.cause
        if result.status is Status.ERROR and key is not None and key in causes:
            by_key.setdefault(key, []).append(index)
    collapsed = list(results)
    roots = []
    for key, indexes in by_key.items():
        if len(indexes) < 2:
            continue
        root = results[indexes[0]]
        cause = causes[key]
        dependents = []
        for index in indexes[1:]:
            result = collapsed[index]
            collapsed[index] = replace(result, outcome=_see(root.spec.id, result.outcome))
            dependents.append(result.spec.id)
        roots.append(RootCause(root.spec.id, cause, tuple(dependents)))
    return collapsed, tuple(roots)


def _see(root_id: str, outcome: Outcome) -> Outcome:
    # The evidence keeps what the check itself would have said, for -v and the JSON report.
    return Outcome(
        Status.SKIP,
        f"couldn't verify: see {root_id}",
        cause=outcome.cause,
        root=root_id,
        evidence={"reason": outcome.message},
    )
