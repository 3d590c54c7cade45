"""How fast is `cognito-doctor check`, against the floor the network sets?

    python bench/run.py [--runs 5] [--latency 0.1] [--envs 10] [--compare-ref REF] [--json FILE]

Starts moto's server on 127.0.0.1 behind tests.support.net's middleware (which delays
every request by --latency and counts requests per operation), builds a healthy setup (and one
with --envs environments in a cognito-doctor.toml), then runs the real command line as a
subprocess, --runs times each, and reports:

- the median wall time of `check` over the healthy setup, its peak memory (the child's maximum
  resident set size, from wait4's resource usage), the AWS requests per run, and any request
  made twice with the same identity, operation and body;
- the floor: the longest chain of requests that must wait for each other, times the latency,
  plus the run's offline part (the median wall time of `check --offline`, which starts the same
  interpreter, loads the same checks, reads the same files and renders the same report, but
  makes no request). The chain is derived from the fact graph: every fact waits for the facts
  it needs, and a network fact weighs its number of sequential requests, as the middleware saw
  them in a traced run (each request tagged with the fact thread that made it; requests of one
  fact that overlapped in time count once). It is the floor of this fact graph: a request a fact
  makes only after another one it could have made at the same time still counts as a wait;
- `check --all-envs` over --envs environments against one of them alone, and the wall time of
  `check --offline` and of `--help`.

Targets: no identical request twice; median <= 1.5 x floor + 0.5 s; --envs environments in
under 2 x the time of one; `check --offline` and `--help` under 0.3 s each.

--compare-ref REF also measures the tree of git revision REF (unpacked with `git archive`, the
repository is not touched), its runs taking turns with this tree's, for side-by-side figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

TARGET_RATIO = 1.5
TARGET_SLACK = 0.5
TARGET_ENVS_RATIO = 2.0
TARGET_STARTUP = 0.3

# Run in the traced subprocess: tag every HTTP request with the thread that makes it (the
# runner names each fact's thread `fact-<name>`), run the CLI, then dump the fact graph.
_TRACED = """
import http.client, json, os, sys, threading
_put = http.client.HTTPConnection.putrequest
def putrequest(self, *args, **kwargs):
    _put(self, *args, **kwargs)
    self.putheader({header!r}, threading.current_thread().name)
http.client.HTTPConnection.putrequest = putrequest
from cognito_doctor.engine.registry import load_registry
registry = load_registry()
graph = {{
    "facts": {{n: list(f.needs) for n, f in registry.facts.items()}},
    "network": sorted(n for n, f in registry.facts.items() if f.network),
    "checks": {{c.id: list(c.needs) for c in registry.checks.values()}},
}}
with open(os.environ["BENCH_GRAPH_OUT"], "w") as out:
    json.dump(graph, out)
from cognito_doctor.cli import main
sys.argv = ["cognito-doctor", *sys.argv[1:]]
main()
"""


@dataclass
class Run:
    seconds: float
    exit_code: int
    max_rss_kb: int
    stdout: str
    stderr: str
    requests: list[Any] = field(default_factory=list)


@dataclass
class Tree:
    """A runnable copy of one source tree, laid out as the installed package is."""

    label: str
    path: Path

    def env(self, base: dict[str, str]) -> dict[str, str]:
        return {**base, "PYTHONPATH": str(self.path)}


def runnable_copy(source: Path, dest: Path, label: str) -> Tree:
    """cognito_doctor/ of `source` (and, before the layered layout, its top-level checks/)."""
    shutil.copytree(source / "cognito_doctor", dest / "cognito_doctor", dirs_exist_ok=True)
    if (source / "checks").is_dir():
        shutil.copytree(source / "checks", dest / "cognito_doctor" / "checks", dirs_exist_ok=True)
    return Tree(label, dest)


def tree_at_ref(ref: str, dest: Path) -> Tree:
    """The tree of git revision `ref`, unpacked with `git archive` (read-only)."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    unpacked = dest / "src"
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(unpacked, filter="data")
    return runnable_copy(unpacked, dest / "tree", ref)


def child_env(home: Path) -> dict[str, str]:
    """The sandbox's throwaway operator keys; no profile, config or metadata service."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # As after `pip install` (which compiles the package): the warm-up runs write the bytecode
    # cache of the copied trees, and every measured run reads it.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_CONFIG_FILE": str(home / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "NO_COLOR": "1",
        }
    )
    return env


def run_cli(
    tree: Tree, args: Sequence[str], env: dict[str, str], middleware: Any, traced: bool = False
) -> Run:
    """One `python -m cognito_doctor ARGS` as a subprocess: wall time, exit code, peak memory
    (wait4's rusage of this child alone) and the requests the middleware saw meanwhile."""
    command = [sys.executable, "-m", "cognito_doctor", *args]
    if traced:
        from tests.support.net import TRACE_HEADER

        command = [sys.executable, "-c", _TRACED.format(header=TRACE_HEADER), *args]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        middleware.reset()
        started = time.perf_counter()
        # cwd: `python -m` puts it first on sys.path, before PYTHONPATH.
        process = subprocess.Popen(
            command, stdout=out, stderr=err, env=tree.env(env), cwd=tree.path
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        requests = middleware.requests
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            process.returncode,
            int(usage.ru_maxrss),
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            requests,
        )


def median(runs: Sequence[Run]) -> float:
    return statistics.median(r.seconds for r in runs)


def build_setups(sandbox: Any, work: Path, envs: int) -> tuple[Path, Path]:
    """A healthy setup in work/one, and `envs` healthy setups in work/many with a
    cognito-doctor.toml naming one environment each."""
    one = work / "one"
    sandbox.create_setup(one)
    many = work / "many"
    lines = ['default_environment = "env01"', ""]
    for index in range(1, envs + 1):
        name = f"env{index:02d}"
        sandbox.create_setup(many / name)
        lines += [
            f"[environments.{name}]",
            'rules = "dev"',
            f'paths = {{ user_management = "{name}/services/user-management/.env", '
            f'auth = "{name}/services/auth/.env" }}',
            "",
        ]
    (many / "cognito-doctor.toml").write_text("\n".join(lines), encoding="utf-8")
    return one, many


def floor_from_trace(run: Run, graph: dict[str, Any], latency: float) -> dict[str, Any]:
    """The longest chain of requests that wait for each other through the fact graph."""
    from tests.support.net import longest_chain, sequential_depth

    by_fact: dict[str, list[Any]] = {}
    unattributed: list[Any] = []
    for request in run.requests:
        # A fact's thread is `fact-NAME`; threads it starts for parallel calls `fact-NAME/…`.
        trace = (request.trace or "").split("/", 1)[0]
        if trace.startswith("fact-"):
            by_fact.setdefault(trace.removeprefix("fact-"), []).append(request)
        else:
            unattributed.append(request)
    weight = {name: sequential_depth(requests) for name, requests in by_fact.items()}
    wanted = {need for needs in graph["checks"].values() for need in needs}
    chain = longest_chain(graph["facts"], weight, wanted)
    # Requests made outside any fact's thread wait for (or hold up) everything else.
    outside = sequential_depth(unattributed)
    return {
        "requests_per_fact": {name: len(requests) for name, requests in sorted(by_fact.items())},
        "sequential_per_fact": dict(sorted(weight.items())),
        "chain": [(name, n) for name, n in chain.path if n],
        "chain_requests": chain.length + outside,
        "unattributed_requests": len(unattributed),
        "network_floor_s": (chain.length + outside) * latency,
    }


def fmt_ops(counter: Counter[str]) -> str:
    return ", ".join(f"{op} x{n}" for op, n in sorted(counter.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument(
        "--latency", type=float, default=0.1, help="seconds added to every request (0.1)"
    )
    parser.add_argument("--envs", type=int, default=10, help="environments in the multi run")
    parser.add_argument("--compare-ref", metavar="REF", help="also measure git revision REF")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the figures here")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="cognito-doctor-bench-"))
    try:
        current = runnable_copy(REPO, work / "current", "working tree")
        sys.path.insert(0, str(current.path))
        sys.path.insert(1, str(REPO))  # tests.support, the network middleware
        from cognito_doctor.demo.sandbox import Sandbox
        from tests.support.net import NetworkMiddleware

        trees = [current]
        if args.compare_ref:
            trees.insert(0, tree_at_ref(args.compare_ref, work / "ref"))
        middleware = NetworkMiddleware(latency=0.0)
        sandbox = Sandbox(middleware).start()
        try:
            env = child_env(work)
            for key, value in env.items():
                if key.startswith("AWS_"):
                    os.environ[key] = value
            one, many = build_setups(sandbox, work, args.envs)
            middleware.latency = args.latency
            endpoint = ["--endpoint-url", sandbox.endpoint_url]
            results = measure(trees, args, env, middleware, endpoint, one, many)
        finally:
            sandbox.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ok = report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return 0 if ok else 1


def measure(
    trees: Sequence[Tree],
    args: argparse.Namespace,
    env: dict[str, str],
    middleware: Any,
    endpoint: list[str],
    one: Path,
    many: Path,
) -> dict[str, dict[str, Any]]:
    """Every figure for every tree. Each kind of run is repeated --runs times, and runs of
    every kind and tree take turns, so that a slow moment of the machine spreads over all."""
    check = ["check", "--root", str(one), *endpoint, "--format", "json"]
    commands = {
        "check": check,
        "offline": ["check", "--root", str(one), "--offline", "--format", "json"],
        "help": ["--help"],
        "one": ["check", "--root", str(many), "--env", "env01", *endpoint, "--format", "json"],
        "all": ["check", "--root", str(many), "--all-envs", *endpoint, "--format", "json"],
    }
    # Warm the disk cache and Python's bytecode cache: the first run of a tree compiles it.
    for tree in trees:
        for warm in (check, commands["one"], ["--help"]):
            run_cli(tree, warm, env, middleware)
    kinds: dict[str, dict[str, list[Run]]] = {t.label: {k: [] for k in commands} for t in trees}
    for _ in range(args.runs):
        for kind, command in commands.items():
            for tree in trees:
                kinds[tree.label][kind].append(run_cli(tree, command, env, middleware))
    return {
        tree.label: figures(tree, kinds[tree.label], args, env, middleware, check) for tree in trees
    }


def figures(
    tree: Tree,
    kinds: dict[str, list[Run]],
    args: argparse.Namespace,
    env: dict[str, str],
    middleware: Any,
    check: list[str],
) -> dict[str, Any]:
    graph_file = Path(tempfile.mkstemp(suffix=".json")[1])
    try:
        traced = run_cli(
            tree, check, {**env, "BENCH_GRAPH_OUT": str(graph_file)}, middleware, traced=True
        )
        graph = json.loads(graph_file.read_text())
    finally:
        graph_file.unlink(missing_ok=True)
    floor = floor_from_trace(traced, graph, args.latency)

    problems = []
    for kind, runs in kinds.items():
        for run in runs:
            if run.exit_code != 0:
                problems.append(f"{kind}: exit {run.exit_code}: {run.stderr.strip()[-300:]}")
    aws_counts = [Counter(r.operation for r in run.requests if r.is_aws) for run in kinds["check"]]
    # Identical requests (same identity, operation and body) within one run, per operation.
    repeated: Counter[str] = Counter()
    repeated_per_run = []
    for run in kinds["check"]:
        seen = Counter(r.canonical for r in run.requests if r.fault is None)
        operation_of = {r.canonical: r.operation for r in run.requests}
        extra = {operation_of[c]: n - 1 for c, n in seen.items() if n > 1}
        repeated_per_run.append(sum(extra.values()))
        repeated.update(extra)
    offline_s = median(kinds["offline"])
    floor_s = floor["network_floor_s"] + offline_s
    return {
        "median_s": median(kinds["check"]),
        "runs_s": [round(r.seconds, 3) for r in kinds["check"]],
        "peak_rss_mb": max(r.max_rss_kb for r in kinds["check"]) / 1024,
        "aws_requests_per_run": statistics.median(sum(c.values()) for c in aws_counts),
        "operations": dict(aws_counts[0]) if aws_counts else {},
        "repeated_requests": dict(repeated),
        "repeated_per_run": max(repeated_per_run, default=0),
        "offline_s": offline_s,
        "help_s": median(kinds["help"]),
        "one_env_s": median(kinds["one"]),
        "all_envs_s": median(kinds["all"]),
        "all_envs_peak_rss_mb": max(r.max_rss_kb for r in kinds["all"]) / 1024,
        "floor": floor,
        "floor_s": floor_s,
        "target_s": TARGET_RATIO * floor_s + TARGET_SLACK,
        "traced_requests": len([r for r in traced.requests if r.is_aws]),
        "problems": problems,
    }


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> bool:
    labels = list(results)
    width = max(14, *(len(label) for label in labels))

    def row(name: str, values: Sequence[str]) -> None:
        print(f"  {name:<44}" + "".join(f"{v:>{width + 2}}" for v in values))

    print(
        f"cognito-doctor check against moto on 127.0.0.1, {args.latency * 1000:.0f} ms per "
        f"request, {args.runs} runs each (medians), python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs"
    )
    row("", labels)
    get = [results[label] for label in labels]
    row("check: wall time (median)", [f"{r['median_s']:.2f} s" for r in get])
    row(
        "check: fastest - slowest run",
        [f"{min(r['runs_s']):.2f}-{max(r['runs_s']):.2f} s" for r in get],
    )
    row("check: peak memory (max RSS)", [f"{r['peak_rss_mb']:.0f} MB" for r in get])
    row("check: AWS requests per run", [f"{r['aws_requests_per_run']:g}" for r in get])
    row(
        "check: identical requests repeated per run",
        [str(r["repeated_per_run"]) for r in get],
    )
    row("floor: requests in the longest chain", [str(r["floor"]["chain_requests"]) for r in get])
    row("floor: x latency", [f"{r['floor']['network_floor_s']:.2f} s" for r in get])
    row("floor: + offline part (check --offline)", [f"{r['offline_s']:.2f} s" for r in get])
    row("floor", [f"{r['floor_s']:.2f} s" for r in get])
    row("target: 1.5 x floor + 0.5 s", [f"{r['target_s']:.2f} s" for r in get])
    row("check --env env01 (1 environment)", [f"{r['one_env_s']:.2f} s" for r in get])
    row(f"check --all-envs ({args.envs} environments)", [f"{r['all_envs_s']:.2f} s" for r in get])
    row("  ratio (target < 2)", [f"{r['all_envs_s'] / r['one_env_s']:.2f}" for r in get])
    row(
        f"  peak memory, {args.envs} environments",
        [f"{r['all_envs_peak_rss_mb']:.0f} MB" for r in get],
    )
    row("check --offline", [f"{r['offline_s']:.3f} s" for r in get])
    row("--help", [f"{r['help_s']:.3f} s" for r in get])
    print()
    for label, result in results.items():
        floor = result["floor"]
        chain = " -> ".join(f"{name} ({n})" for name, n in floor["chain"]) or "(none)"
        print(f"[{label}]")
        print(f"  requests: {fmt_ops(Counter(result['operations']))}")
        if result["repeated_requests"]:
            print(
                f"  repeated (over all {args.runs} runs): "
                f"{fmt_ops(Counter(result['repeated_requests']))}"
            )
        print(f"  sequential requests per fact (traced run): {floor['sequential_per_fact']}")
        print(f"  longest chain: {chain}")
        if floor["unattributed_requests"]:
            print(f"  requests made outside any fact: {floor['unattributed_requests']}")
        for problem in result["problems"]:
            print(f"  PROBLEM {problem}")
    current = results[labels[-1]]
    checks = {
        "no identical request twice": not current["repeated_requests"],
        "median <= 1.5 x floor + 0.5 s": current["median_s"] <= current["target_s"],
        f"{args.envs} environments < 2 x one": current["all_envs_s"]
        < TARGET_ENVS_RATIO * current["one_env_s"],
        "check --offline < 0.3 s": current["offline_s"] < TARGET_STARTUP,
        "--help < 0.3 s": current["help_s"] < TARGET_STARTUP,
        "every run exited 0": not current["problems"],
    }
    print()
    print(f"targets ({labels[-1]}):")
    for name, met in checks.items():
        print(f"  {'met ' if met else 'MISS'}  {name}")
    print(
        "\nThe floor counts a fact's requests as the middleware saw them in one traced run: "
        "requests of one fact\nthat overlapped in time count once, and a fact waits for every "
        "fact it needs (the registry's `needs`)."
    )
    return all(checks.values())


if __name__ == "__main__":
    sys.exit(main())
