"""deploy/run_local.py builds the same two command lines scripts/serve.sh ran before the supervisor."""

from __future__ import annotations

from pathlib import Path

from deploy.run_local import services_from_env


def test_the_two_services_from_serve_sh_s_environment() -> None:
    actions, rasa = services_from_env({
        "ACTION_HOST": "127.0.0.1", "ACTION_PORT": "5055", "RASA_HOST": "0.0.0.0", "RASA_PORT": "5005",
        "MODEL": "models/current.tar.gz", "ENDPOINTS": "endpoints.redis.yml", "LOG_DIR": "build/logs",
        "CORS_ORIGINS": "https://a.example\nhttps://b.example  http://127.0.0.1:5005", "START_TIMEOUT": "90"})
    assert actions.name == "action server" and rasa.name == "Rasa server"
    assert actions.argv == [".venv/bin/python", "-m", "actions", "--port", "5055"]
    assert rasa.argv == [".venv/bin/rasa", "run", "--model", "models/current.tar.gz", "--endpoints",
                         "endpoints.redis.yml", "--credentials", "credentials.yml", "--interface", "0.0.0.0",
                         "--port", "5005"]
    assert "--cors" not in rasa.argv  # it would grant the insights routes to the schools' pages
    assert actions.health_url == "http://127.0.0.1:5055/health"
    assert rasa.health_url == "http://0.0.0.0:5005/webhooks/health/"  # the model loaded, not just the port
    assert (actions.log, rasa.log) == (Path("build/logs/actions.log"), Path("build/logs/rasa.log"))
    assert actions.ready_timeout == rasa.ready_timeout == 90


def test_defaults_are_serve_sh_s() -> None:
    actions, rasa = services_from_env({})
    assert actions.argv[-1] == "5055" and rasa.argv[rasa.argv.index("--port") + 1] == "5005"
    assert rasa.argv[rasa.argv.index("--endpoints") + 1] == "endpoints.yml"
    assert actions.ready_timeout == 240
