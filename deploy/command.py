"""The command lines of the two servers, built in one place for every starter.

`make run` (deploy/run_local.py), the Docker image and the systemd unit (deploy/docker/rasa-entrypoint.sh,
through `python -m deploy.command`), the e2e servers (harness/servers.py), the loopback cluster
(harness/cluster.py) and the benchmarks all start `rasa run` from `rasa_run`, so that a flag added or
dropped here is added or dropped everywhere. Never `--cors`: Rasa's would answer CORS on every route,
the insights page's too; the channels answer it themselves for the schools' origins.

`python -m deploy.command --model M --endpoints E --interface I --port P [-- EXTRA...]` replaces itself
(exec) with that `rasa run`, EXTRA appended, so that Rasa keeps the process and gets its signals.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import List, Optional, Sequence

CREDENTIALS = "credentials.yml"


def rasa_run(*, model: str, endpoints: str, interface: str, port: int | str, rasa: str = "rasa",
             extra: Sequence[str] = ()) -> List[str]:
    """`rasa run` with the model, endpoints, the channels of credentials.yml and where to listen."""
    return [rasa, "run", "--model", str(model), "--endpoints", str(endpoints), "--credentials", CREDENTIALS,
            "--interface", str(interface), "--port", str(port), *extra]


def actions_run(*, port: int | str, python: str = "python") -> List[str]:
    """The action server (`python -m actions`, which checks the knowledge base first) on a port."""
    return [python, "-m", "actions", "--port", str(port)]


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Exec `rasa run` as `rasa_run` builds it (the entrypoint's last step); returns only when it cannot."""
    args = list(sys.argv[1:] if argv is None else argv)
    extra = args[args.index("--") + 1:] if "--" in args else []
    own = args[:args.index("--")] if "--" in args else args
    parser = argparse.ArgumentParser(prog="python -m deploy.command", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--interface", required=True)
    parser.add_argument("--port", required=True)
    parser.add_argument("--rasa", default="rasa", help="the rasa executable (default: rasa, from PATH)")
    parser.add_argument("--print", action="store_true", help="print the command line instead of running it")
    found = parser.parse_args(own)
    command = rasa_run(model=found.model, endpoints=found.endpoints, interface=found.interface, port=found.port,
                       rasa=found.rasa, extra=extra)
    if found.print:
        print(shlex.join(command))
        return 0
    try:
        os.execvp(command[0], command)
    except OSError as error:
        print(f"cannot start {command[0]}: {error}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
