"""The loopback cluster of `make cluster` (harness/cluster.py), started once for these tests on free ports."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest

from harness.cluster import Cluster


@contextlib.contextmanager
def started(prefix: str, **options: Any) -> Iterator[Cluster]:
    """A Cluster in a folder of its own, stopped and removed after; if it does not start, the test fails
    with the end of every log."""
    # PostgreSQL runs as its own user: its folders must be reachable by it, which pytest's 0700 tmp is not.
    root = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(root, 0o755)
    if "schools" in options:
        (root / "schools.yml").write_text(options.pop("schools"), encoding="utf-8")
        options["schools_file"] = root / "schools.yml"
    running = Cluster(root, say=lambda line: print(f"[{prefix.strip('-')}] {line}", flush=True), **options)
    try:
        running.start()
    except Exception as error:  # the logs say why: show them before failing
        logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                         for p in sorted((root / "logs").glob("*.log")))
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"the cluster did not start: {error}\n{logs}")
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    # Every simulated student comes from 127.0.0.1, and these tests send about a thousand turns in two
    # minutes: the per-address limits (600 a minute, one school's students) would answer "please wait".
    with started("career-cluster-", replicas=2, extra_env={"RATE_LIMIT_PER_IP": "100000",
                                                          "RATE_LIMIT_CONVERSATIONS_PER_IP": "100000"}) as running:
        yield running
