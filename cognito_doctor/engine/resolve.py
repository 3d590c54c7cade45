"""Producing the facts a run needs: each once, on its own daemon thread as soon as the facts it
needs are ready (independent ones concurrently), and all of them given up at the deadline,
each naming what it still waited for."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from cognito_doctor.engine.model import FactUnavailable, Status
from cognito_doctor.engine.registry import Registry

# Each fact is produced on a thread of this name plus the fact's, so that what the thread waits
# for (an AWS call) can be named if it times out.
FACT_THREAD_PREFIX = "fact-"
WaitingFor = Callable[[str], Sequence[str]]


class FactObserver(Protocol):
    """Told when each fact starts and finishes (e.g. a progress line); called from any thread."""

    def fact_started(self, name: str) -> None: ...
    def fact_finished(self, name: str) -> None: ...


def resolve_facts(
    ctx: object,
    registry: Registry,
    wanted: Iterable[str],
    deadline: float | None = None,
    ready_at: dict[str, float] | None = None,
    timeout_s: float | None = None,
    observer: FactObserver | None = None,
    waiting_for: WaitingFor | None = None,
) -> dict[str, Any | FactUnavailable]:
    """Produce every wanted fact and what it depends on, each once, independent ones at once.

    A fact's value is either what its provider returned or the FactUnavailable it raised (or
    inherited from a fact it needed). Facts still unfinished at `deadline` (a perf_counter
    time) are given up as timed out; their threads are daemons, so they never hold up exit.
    """
    needed = registry.facts_behind(wanted)
    done: dict[str, Any | FactUnavailable] = {}
    running: set[str] = set()
    finished: queue.SimpleQueue[tuple[str, Any | FactUnavailable]] = queue.SimpleQueue()
    order = _critical_first(registry, needed)
    while len(done) < len(needed):
        progressed = False
        for name in sorted(needed - done.keys() - running, key=order.__getitem__):
            spec = registry.facts[name]
            if not all(dep in done for dep in spec.needs):
                continue
            progressed = True
            failed_dep = next(
                (done[d] for d in spec.needs if isinstance(done[d], FactUnavailable)), None
            )
            if failed_dep is not None:
                done[name] = failed_dep
                continue
            kwargs = {dep: done[dep] for dep in spec.needs}
            running.add(name)
            if observer is not None and spec.network:
                observer.fact_started(name)
            threading.Thread(
                target=_produce,
                args=(spec.function, ctx if spec.takes_context else None, kwargs, name, finished),
                name=f"{FACT_THREAD_PREFIX}{name}",
                daemon=True,
            ).start()
        if running:
            timeout = None if deadline is None else max(0.0, deadline - time.perf_counter())
            try:
                name, value = finished.get(timeout=timeout)
            except queue.Empty:
                limit = "the time allowed" if timeout_s is None else f"--timeout {timeout_s:g} s"
                _give_up(registry, needed - done.keys(), done, limit, waiting_for)
                break
            running.discard(name)
            done[name] = value
            if observer is not None and registry.facts[name].network:
                observer.fact_finished(name)
            if ready_at is not None:
                ready_at[name] = time.perf_counter()
        elif not progressed:
            for name in needed - done.keys():
                done[name] = FactUnavailable(
                    Status.ERROR, f"fact {name!r} depends on itself through other facts"
                )
    return done


def _give_up(
    registry: Registry,
    unfinished: set[str],
    done: dict[str, Any | FactUnavailable],
    limit: str,
    waiting_for: WaitingFor | None,
) -> None:
    """Mark every unfinished fact timed out, naming what it (or a fact it needs) still
    waited for, when `waiting_for` can tell."""
    for name in unfinished:
        waits = _still_waiting(registry, name, unfinished, waiting_for)
        detail = f": still waiting for {'; '.join(waits)}" if waits else ""
        done[name] = FactUnavailable(
            Status.ERROR,
            f"timed out: {name} was not ready within {limit}{detail}",
            "Run again, or with a larger --timeout; check the network and the endpoint if it "
            "keeps happening.",
        )


def _still_waiting(
    registry: Registry, name: str, unfinished: set[str], waiting_for: WaitingFor | None
) -> list[str]:
    """What `name` and the unfinished facts it needs were waiting for."""
    if waiting_for is None:
        return []
    seen: set[str] = set()
    stack = [name]
    found: list[str] = []
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            found += waiting_for(current)
            stack += [d for d in registry.facts[current].needs if d in unfinished]
    return list(dict.fromkeys(found))


def _critical_first(registry: Registry, needed: set[str]) -> dict[str, tuple[int, str]]:
    """A start order for facts that are ready at the same time: the ones with the longest
    chain of network facts still waiting on them first (their first request goes out before
    the others' clients are even created), then by name."""
    dependents: dict[str, list[str]] = {name: [] for name in needed}
    for name in needed:
        for dep in registry.facts[name].needs:
            dependents.setdefault(dep, []).append(name)
    height: dict[str, int] = {}

    def visit(name: str, path: frozenset[str]) -> int:
        if name not in height:
            after = [visit(d, path | {name}) for d in dependents.get(name, ()) if d not in path]
            height[name] = int(registry.facts[name].network) + max(after, default=0)
        return height[name]

    return {name: (-visit(name, frozenset()), name) for name in needed}


def _produce(
    provider: Any,
    ctx: object,
    kwargs: dict[str, Any],
    name: str,
    finished: queue.SimpleQueue[tuple[str, Any | FactUnavailable]],
) -> None:
    try:
        value = provider(ctx, **kwargs) if ctx is not None else provider(**kwargs)
    except FactUnavailable as exc:
        value = exc
    except BaseException as exc:  # a provider bug (even sys.exit) must not stop the run
        value = FactUnavailable(Status.ERROR, f"could not produce fact {name!r}: {described(exc)}")
    finished.put((name, value))


def described(exc: BaseException) -> str:
    """What a provider or check that raised `exc` did, in words (sys.exit, Ctrl-C, an error)."""
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    if isinstance(exc, KeyboardInterrupt):
        return "it raised KeyboardInterrupt"
    return f"{type(exc).__name__}: {exc}"
