"""bot/health.py: one GET route that says whether this server can answer students, for probes to read.

tests/unit/deploy/test_deploy_files.py checks that the probes of the deployment files ask this route's path;
here the route's answers are checked with Rasa's own Agent and Sanic's own request, without a server.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Callable, Optional

import pytest
from rasa.core.agent import Agent
from sanic import Sanic
from sanic.compat import Header
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.health import HealthInput

NO_AGENT = object()  # an app on which Rasa has not set `ctx.agent` yet


class LoadedAgent:
    """Stands for an Agent whose model is loaded: training one is not a unit test's business."""

    def is_ready(self) -> bool:
        """A loaded model is what `Agent.is_ready` reports."""
        return True


def route() -> Callable[[Request], Any]:
    """The channel's only route handler, as `rasa run` mounts it."""
    routes = HealthInput().blueprint(lambda message: None)._future_routes
    assert len(routes) == 1
    return next(iter(routes)).handler


async def ask(agent: Any) -> HTTPResponse:
    """GET /webhooks/health/ on an app whose agent is this one."""
    app = Sanic(f"test_health_{uuid.uuid4().hex[:12]}")
    if agent is not NO_AGENT:
        app.ctx.agent = agent
    request = Request(b"/webhooks/health/", Header({}), "1.1", "GET", None, app)  # type: ignore[arg-type]
    return await route()(request)


def test_it_is_a_get_only_page_channel_that_takes_no_messages() -> None:
    channel = HealthInput.from_credentials(None)
    assert isinstance(channel, HealthInput) and HealthInput.name() == "health"
    assert channel.get_output_channel() is None
    (only,) = channel.blueprint(lambda message: None)._future_routes
    assert only.uri == "/" and set(only.methods) == {"GET"}
    assert only.strict_slashes is False  # /webhooks/health and /webhooks/health/ alike


@pytest.mark.parametrize("agent", [NO_AGENT, None, Agent()], ids=["before rasa sets it", "none", "no model yet"])
async def test_a_server_without_a_loaded_model_answers_503_loading(agent: Optional[Any]) -> None:
    answer = await ask(agent)
    assert answer.status == 503
    assert json.loads(answer.body) == {"status": "loading", "model_loaded": False}
    assert answer.headers["Cache-Control"] == "no-store"


async def test_a_server_with_its_model_loaded_answers_200_ok() -> None:
    answer = await ask(LoadedAgent())
    assert answer.status == 200
    assert json.loads(answer.body) == {"status": "ok", "model_loaded": True}
    assert answer.headers["Cache-Control"] == "no-store"  # a probe never reads a cached "ok"
