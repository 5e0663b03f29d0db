"""The loopback cluster of `make cluster` (deploy/cluster.py), started once for these tests on free ports."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from deploy.cluster import Cluster


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    # PostgreSQL runs as its own user: its folders must be reachable by it, which pytest's 0700 tmp is not.
    root = Path(tempfile.mkdtemp(prefix="career-cluster-"))
    os.chmod(root, 0o755)
    # Every simulated student comes from 127.0.0.1, and these tests send about a thousand turns in two
    # minutes: the per-address limit (600 a minute, one school's students) would answer "please wait".
    running = Cluster(root, replicas=2, extra_env={"RATE_LIMIT_PER_IP": "100000",
                                                    "RATE_LIMIT_CONVERSATIONS_PER_IP": "100000"},
                      say=lambda line: print(f"[cluster] {line}", flush=True))
    try:
        running.start()
    except Exception as error:  # the logs say why: show them before failing
        logs = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                         for p in sorted((root / "logs").glob("*.log")))
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"the cluster did not start: {error}\n{logs}")
    yield running
    running.stop()
    shutil.rmtree(root, ignore_errors=True)
