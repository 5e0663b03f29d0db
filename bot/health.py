"""`HealthInput`: GET /webhooks/health/ says whether this Rasa server can answer students.

Rasa's own `GET /` answers as soon as the port is open, before the model is loaded, and its
`/status` needs the HTTP API, which stays off. nginx, systemd and Kubernetes probes need one
answer: 200 when the model is loaded, 503 (with the reason) while it is not. The database is
left out on purpose: when it is down every replica would fail together, and the channels already
answer "please try again in a minute" meanwhile.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels import PageChannel


class HealthInput(PageChannel):
    """One route, GET only; it takes no messages."""

    @classmethod
    def name(cls) -> Text:
        """The URL prefix: the probes of deploy/ and the supervisor ask /webhooks/health/."""
        return "health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The one GET route; `on_new_message` is never used, as no message comes this way."""
        health = Blueprint("health_webhook", __name__)

        @health.route("/", methods=["GET"], strict_slashes=False)
        async def ready(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            loaded = bool(agent is not None and agent.is_ready())
            body = {"status": "ok" if loaded else "loading", "model_loaded": loaded}
            return response.json(body, status=200 if loaded else 503, headers={"Cache-Control": "no-store"})

        return health
