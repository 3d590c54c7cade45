"""The real npm packages the platform's services run, installed once per test session: the
oracles the doctor's readers are held to."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

NODE = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
PACKAGES = ("dotenv@16", "aws-jwt-verify@5")


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with dotenv 16 and aws-jwt-verify 5 installed from the npm registry."""
    if NODE is None:
        pytest.skip("node is not installed: the differential tests need it to run the npm oracles")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: the differential tests need it to fetch the oracles")
    prefix = tmp_path_factory.mktemp("npm-oracles")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), *PACKAGES],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"npm install {' '.join(PACKAGES)} failed:\n{done.stderr}"
    return prefix / "node_modules"


def run_node(script: str, node_modules: Path, payload: Sequence[Any]) -> list[Any]:
    """Run `script` with node (NODE_PATH at the oracles), `payload` as JSON on stdin; its
    stdout is JSON."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "-e", script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"NODE_PATH": str(node_modules), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    result: list[Any] = json.loads(done.stdout)
    return result
