"""harness/cluster.py without starting anything: what each replica is given, and how it is started."""

from __future__ import annotations

from pathlib import Path

from deploy.command import actions_run
from harness.cluster import Cluster, Ports


def test_the_replicas_share_postgres_and_redis_and_start_as_every_starter_does(tmp_path: Path) -> None:
    cluster = Cluster(tmp_path, replicas=2, ports=Ports(8443, 5155, 5433, 6380, [5105, 5106], [5160, 5161]),
                      say=lambda _: None)
    (tmp_path / "postgres").mkdir()
    (tmp_path / "postgres" / "password").write_text("pw\n")
    services = cluster.services()
    assert [s.name for s in services] == ["actions-1", "actions-2", "rasa-1", "rasa-2"]
    assert services[0].argv[1:] == actions_run(port=5160)[1:] and services[0].env["SANIC_HOST"] == "127.0.0.1"
    rasa = services[2]
    assert rasa.argv[1:3] == ["run", "--model"] and "endpoints.redis.yml" in rasa.argv
    assert rasa.argv[rasa.argv.index("--port") + 1] == "5105" and "--cors" not in rasa.argv
    assert rasa.health_url == "http://127.0.0.1:5105/webhooks/health/"
    assert rasa.env["TRACKER_STORE_URL"] == "postgresql://rasa:pw@127.0.0.1:5433/rasa"
    assert rasa.env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5155/webhook"
    assert rasa.env["REDIS_URL"].endswith("@127.0.0.1:6380/0") and rasa.env["TRUST_PROXY"] == "1"
