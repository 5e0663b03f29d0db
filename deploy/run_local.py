"""`make run`'s two servers under the supervisor (deploy/supervise.py); scripts/serve.sh execs this.

serve.sh handles the settings and exports them; this builds the action server and the Rasa server
from them, with the command lines of deploy/command.py (every starter's), starts both, prints serve.sh's ready
message (READY_MESSAGE, with @SECONDS@ the seconds since serve.sh started), then restarts either
server when it exits, saying why on stdout (the terminal of `make run`), until SIGINT (Ctrl-C),
SIGTERM or SIGHUP stops both.

Read from the environment: ACTION_HOST, ACTION_PORT, RASA_HOST, RASA_PORT, MODEL, ENDPOINTS,
CORS_ORIGINS (space-separated, read by the channels), LOG_DIR, START_TIMEOUT (240 s), READY_MESSAGE, SERVE_SECONDS.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import List, Mapping, Optional

from deploy.command import actions_run, rasa_run
from deploy.supervise import Service, ServiceDidNotStart, Supervisor

BIN = ".venv/bin"  # relative, as serve.sh runs from the project's directory
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def services_from_env(env: Mapping[str, str]) -> List[Service]:
    """The action server, then the Rasa server, as serve.sh starts them."""
    action_host, action_port = env.get("ACTION_HOST", "127.0.0.1"), env.get("ACTION_PORT", "5055")
    rasa_host, rasa_port = env.get("RASA_HOST", "127.0.0.1"), env.get("RASA_PORT", "5005")
    log_dir = Path(env.get("LOG_DIR", "build/logs"))
    timeout = float(env.get("START_TIMEOUT", "240"))
    return [
        Service("action server", actions_run(port=action_port, python=f"{BIN}/python"),
                f"http://{action_host}:{action_port}/health", log_dir / "actions.log", ready_timeout=timeout),
        Service("Rasa server",
                # No --cors: Rasa's would grant every route, the insights page too; the channels answer
                # CORS themselves for the schools' origins (CORS_ORIGINS, or the schools file).
                rasa_run(model=env.get("MODEL", "models/current.tar.gz"),
                         endpoints=env.get("ENDPOINTS", "endpoints.yml"), interface=rasa_host, port=rasa_port,
                         rasa=f"{BIN}/rasa"),
                # 200 once the model is loaded (bot/health.py); Rasa's own `/` answers before that.
                f"http://{rasa_host}:{rasa_port}/webhooks/health/", log_dir / "rasa.log", ready_timeout=timeout),
    ]


def main() -> int:
    """`make run`: keep both servers up until a stop signal; exit 128 + the signal, or 1 when one failed."""
    begun = time.monotonic()
    offset = int(os.environ.pop("SERVE_SECONDS", "0") or 0)  # not passed on to the servers
    ready_message = os.environ.pop("READY_MESSAGE", "The assistant is ready (@SECONDS@ s).")
    ready = threading.Event()

    def say(message: str) -> None:
        prefix = time.strftime("%H:%M:%S ") if ready.is_set() else ""
        print(prefix + message, flush=True)

    supervisor = Supervisor(services_from_env(os.environ), say=say)
    stop = threading.Event()
    caught: List[int] = []
    failed: List[BaseException] = []

    def on_signal(signum: int, _: Optional[FrameType]) -> None:
        caught.append(signum)
        stop.set()

    for signum in STOP_SIGNALS:
        signal.signal(signum, on_signal)

    def run() -> None:
        try:
            supervisor.start()
            print(ready_message.replace("@SECONDS@", str(offset + round(time.monotonic() - begun))), flush=True)
            ready.set()
            supervisor.watch(stop)
        except BaseException as error:  # reported by the main thread, which stops everything
            failed.append(error)
        finally:
            stop.set()

    worker = threading.Thread(target=run, name="supervisor", daemon=True)
    worker.start()
    while not stop.wait(1.0):  # the main thread takes the signals
        pass
    if caught:
        print("Stopping the assistant...", flush=True)
    supervisor.stop()
    worker.join(timeout=30)
    if caught:
        return 128 + caught[0]
    for error in failed:
        if isinstance(error, ServiceDidNotStart):
            print(error, file=sys.stderr, flush=True)
        else:
            traceback.print_exception(type(error), error, error.__traceback__)
    return 1


if __name__ == "__main__":
    sys.exit(main())
