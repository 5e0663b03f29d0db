"""`make cluster`: a real multi-replica deployment on this machine, from Debian's packages, on loopback.

PostgreSQL holds the conversations, Redis the locks and the shared rate limit; N Rasa servers
(`REPLICAS`, default 2), each its own `rasa run`, and two action servers run under the supervisor
(deploy/supervise.py), which restarts a crashed one with a backoff; nginx in front terminates TLS on
a self-signed certificate, upgrades WebSockets, spreads REST over the replicas and keeps socket.io
clients on one (deploy/nginx/). The tests (`make cluster-test`) and the benchmark (`make bench`)
start the same `Cluster` on free ports. It lives in harness/, not deploy/: it ships nowhere, it is what
the tests and benchmarks stand on; it takes what ships (the supervisor, the nginx templates, the
command lines of deploy/command.py) from deploy/.
"""

from __future__ import annotations

import argparse
import glob
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Callable, Dict, List, Optional

from deploy.command import actions_run, rasa_run
from deploy.supervise import Service, Supervisor, healthy
from schools.file import SchoolsError
from schools.file import load as load_schools
from store.events import user_events_by_sender

PROJECT_DIR = Path(__file__).resolve().parent.parent
BIN = PROJECT_DIR / ".venv" / "bin"
NGINX_DIR = PROJECT_DIR / "deploy" / "nginx"
PG_USER = "postgres"  # Debian's: PostgreSQL refuses to run as root
NGINX_WORKERS = 2  # nginx's worker processes: each may try a replica that is down once its fail_timeout is over


def free_port() -> int:
    """A port free on loopback now, so that tests and benchmarks never collide with make cluster's."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Ports:
    """Where each part listens; `Ports.free(n)` for tests, `Ports.default(n)` for `make cluster`."""

    https: int
    actions_lb: int
    postgres: int
    redis: int
    rasa: List[int]
    actions: List[int]

    @classmethod
    def free(cls, replicas: int, action_servers: int = 2) -> "Ports":
        """Every port free, for tests and benchmarks that run beside other work."""
        return cls(free_port(), free_port(), free_port(), free_port(), [free_port() for _ in range(replicas)],
                   [free_port() for _ in range(action_servers)])

    @classmethod
    def default(cls, replicas: int, action_servers: int = 2) -> "Ports":
        """Fixed ports, so that make cluster's demo URL stays the same between runs."""
        return cls(8443, 5155, 5433, 6380, [5105 + n for n in range(replicas)],
                   [5160 + n for n in range(action_servers)])


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql (make cluster does)")
    return found[-1]


def _as_postgres(*argv: str) -> List[str]:
    return ["setpriv", f"--reuid={PG_USER}", f"--regid={PG_USER}", "--init-groups", "--", *argv]


def _wait_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def _upstream(ports: List[int]) -> str:
    return "\n    ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in ports)


@dataclass
class Cluster:
    """Everything `make cluster` runs, with handles for the fault tests."""

    root: Path
    replicas: int = 2
    action_servers: int = 2
    ports: Optional[Ports] = None
    schools_file: Optional[Path] = None
    extra_env: Dict[str, str] = field(default_factory=dict)
    say: Callable[[str], None] = print
    supervisor: Optional[Supervisor] = None

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.ports = self.ports or Ports.free(self.replicas, self.action_servers)
        self.logs = self.root / "logs"
        self.pg_data, self.pg_socket = self.root / "postgres" / "data", self.root / "postgres" / "run"
        self.nginx_dir = self.root / "nginx"
        self._stop = threading.Event()
        self._watcher: Optional[threading.Thread] = None

    # --- addresses -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """nginx's HTTPS address: the cluster's one public door."""
        assert self.ports is not None
        return f"https://127.0.0.1:{self.ports.https}"

    @property
    def database_url(self) -> str:
        """The PostgreSQL tracker store every replica shares."""
        assert self.ports is not None
        password = (self.root / "postgres" / "password").read_text().strip()
        return f"postgresql://rasa:{password}@127.0.0.1:{self.ports.postgres}/rasa"

    def replica_url(self, index: int) -> str:
        """One Rasa server directly, past nginx, for the fault tests."""
        assert self.ports is not None
        return f"http://127.0.0.1:{self.ports.rasa[index]}"

    # --- PostgreSQL ----------------------------------------------------------------------------

    def _postgres_init(self) -> None:
        base = self.root / "postgres"
        base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(base, 0o755)
        self.pg_socket.mkdir(exist_ok=True)
        shutil.chown(self.pg_socket, PG_USER, PG_USER)
        if (self.pg_data / "PG_VERSION").exists():
            return
        self.pg_data.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.pg_data, PG_USER, PG_USER)
        os.chmod(self.pg_data, 0o700)
        password = base / "password"
        password.write_text(secrets.token_urlsafe(18))
        os.chmod(password, 0o600)
        subprocess.run(_as_postgres(_pg_bin("initdb"), "-D", str(self.pg_data), "-U", PG_USER, "-E", "UTF8",
                                    "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256"),
                       check=True, capture_output=True, cwd="/tmp")
        self.start_postgres()
        pw = password.read_text().strip()
        self._psql(f"CREATE ROLE rasa LOGIN PASSWORD '{pw}';")
        self._psql("CREATE DATABASE rasa OWNER rasa;")

    def _psql(self, sql: str) -> None:
        assert self.ports is not None
        subprocess.run(_as_postgres(_pg_bin("psql"), "-h", str(self.pg_socket), "-p", str(self.ports.postgres),
                                    "-U", PG_USER, "-v", "ON_ERROR_STOP=1", "-qc", sql),
                       check=True, capture_output=True, cwd="/tmp")

    def postgres_running(self) -> bool:
        """Whether PostgreSQL answers pg_ctl status (a run that was killed may have left it running)."""
        return subprocess.run(_as_postgres(_pg_bin("pg_ctl"), "-D", str(self.pg_data), "status"),
                              capture_output=True, cwd="/tmp").returncode == 0

    def start_postgres(self) -> None:
        """Start PostgreSQL as its own user on this cluster's port, unless it already runs."""
        assert self.ports is not None
        if self.postgres_running():  # left from a run that was killed
            return
        log = self.root / "postgres" / "postgres.log"
        log.touch()
        shutil.chown(log, PG_USER, PG_USER)
        options = f"-p {self.ports.postgres} -k {self.pg_socket} -c listen_addresses=127.0.0.1 -c max_connections=200"
        subprocess.run(_as_postgres(_pg_bin("pg_ctl"), "-D", str(self.pg_data), "-o", options, "-l", str(log),
                                    "-w", "-t", "60", "start"), check=True, capture_output=True, cwd="/tmp")

    def stop_postgres(self, mode: str = "fast") -> None:
        """Stop PostgreSQL (the restart test uses it too)."""
        subprocess.run(_as_postgres(_pg_bin("pg_ctl"), "-D", str(self.pg_data), "-m", mode, "-w", "stop"),
                       capture_output=True, cwd="/tmp")

    def count_user_events(self, sender_prefix: str) -> Dict[str, int]:
        """User events per conversation whose sender id starts with the prefix, read from PostgreSQL."""
        return user_events_by_sender(self.database_url, sender_prefix)

    # --- Redis ---------------------------------------------------------------------------------

    @property
    def redis_password(self) -> str:
        """Made once per cluster folder, as the Secret's REDIS_PASSWORD is in a real deployment."""
        path = self.root / "redis.password"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(18))
            os.chmod(path, 0o600)
        return path.read_text().strip()

    def start_redis(self) -> None:
        """Redis for the lock store and the shared rate limit, with a password, nothing written to disk."""
        assert self.ports is not None
        # The password from a config on stdin, so that it is not on the command line for `ps` to show.
        self._redis = subprocess.Popen(
            ["redis-server", "-", "--port", str(self.ports.redis), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdin=subprocess.PIPE,
            stdout=open(self.logs / "redis.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
        assert self._redis.stdin is not None
        self._redis.stdin.write(f"requirepass {self.redis_password}\n".encode())
        self._redis.stdin.close()
        _wait_port(self.ports.redis, 20, "Redis")

    def stop_redis(self) -> None:
        """Stop Redis (the Redis-down test uses it too)."""
        process = getattr(self, "_redis", None)
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=20)

    # --- TLS and nginx -------------------------------------------------------------------------

    def _certificate(self) -> None:
        cert, key = self.root / "tls" / "cert.pem", self.root / "tls" / "key.pem"
        if cert.exists() and key.exists():
            return
        cert.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-sha256", "-days", "365", "-nodes",
                        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
        os.chmod(key, 0o600)

    @property
    def certificate(self) -> Path:
        """The self-signed certificate the clients must trust."""
        return self.root / "tls" / "cert.pem"

    def _nginx_config(self) -> Path:
        assert self.ports is not None
        self.nginx_dir.mkdir(parents=True, exist_ok=True)
        fill = {"LISTEN": f"127.0.0.1:{self.ports.https}", "SERVER_NAME": "localhost",
                "TLS_CERT": str(self.root / "tls" / "cert.pem"), "TLS_KEY": str(self.root / "tls" / "key.pem"),
                "RASA_SERVERS": _upstream(self.ports.rasa), "ACTION_LISTEN": f"127.0.0.1:{self.ports.actions_lb}",
                "ACTION_SERVERS": _upstream(self.ports.actions), "INCLUDE_DIR": str(NGINX_DIR),
                "ACCESS_LOG": str(self.logs / "nginx-access.log")}
        for name in ("assistant", "actions"):
            text = Template((NGINX_DIR / f"{name}.conf.template").read_text()).safe_substitute(fill)
            (self.nginx_dir / f"{name}.conf").write_text(text)
        temp = self.nginx_dir / "temp"
        temp.mkdir(exist_ok=True)
        main = self.nginx_dir / "nginx.conf"
        main.write_text(f"""# Written by harness/cluster.py; the server blocks come from deploy/nginx/*.template.
worker_processes {NGINX_WORKERS};
pid {self.nginx_dir / 'nginx.pid'};
error_log {self.logs / 'nginx-error.log'} warn;
events {{ worker_connections 4096; }}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    default_type application/octet-stream;
    include {self.nginx_dir / 'assistant.conf'};
    include {self.nginx_dir / 'actions.conf'};
}}
""")
        return main

    def start_nginx(self) -> None:
        """Check the filled templates with nginx -t, then start nginx in front of the replicas."""
        assert self.ports is not None
        main = self._nginx_config()
        check = subprocess.run(["nginx", "-t", "-q", "-c", str(main), "-p", str(self.nginx_dir)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration: {check.stderr.strip()[-500:]}")
        self._nginx = subprocess.Popen(["nginx", "-c", str(main), "-p", str(self.nginx_dir), "-g", "daemon off;"],
                                       stdout=open(self.logs / "nginx.log", "ab"), stderr=subprocess.STDOUT,
                                       start_new_session=True)
        _wait_port(self.ports.https, 20, "nginx")

    def stop_nginx(self) -> None:
        """Stop nginx gracefully, so that requests in flight finish."""
        process = getattr(self, "_nginx", None)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGQUIT)  # graceful: finish the requests in flight
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    # --- the servers ---------------------------------------------------------------------------

    def environment(self) -> Dict[str, str]:
        """What every Rasa replica and action server is given."""
        assert self.ports is not None
        env = {
            "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
            "TRACKER_STORE_URL": self.database_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.actions_lb}/webhook",
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.ports.redis), "REDIS_PASSWORD": self.redis_password,
            "REDIS_URL": f"redis://:{self.redis_password}@127.0.0.1:{self.ports.redis}/0",
            "TRUST_PROXY": "1", "SANIC_BACKLOG": "1024",
            # A replica that dies holding a conversation's lock frees it after this, not Rasa's 60 s.
            "TICKET_LOCK_LIFETIME": "30",
            "INSIGHTS_SECRET_FILE": str(self.root / "insights.secret"),
            "CORS_ORIGINS": f"{self.url} https://localhost:{self.ports.https}",
        }
        if self.schools_file:
            env["SCHOOLS_FILE"] = str(self.schools_file)
            env["CORS_ORIGINS"] = " ".join(load_schools(self.schools_file).origins)  # a wrong file stops here
        return {**env, **self.extra_env}

    def services(self) -> List[Service]:
        """The action servers, then the Rasa replicas, with the command lines every starter uses."""
        assert self.ports is not None
        env = self.environment()
        found = [Service(name=f"actions-{n + 1}", argv=actions_run(port=port, python=str(BIN / "python")),
                         health_url=f"http://127.0.0.1:{port}/health", log=self.logs / f"actions-{n + 1}.log",
                         env={**env, "SANIC_HOST": "127.0.0.1"})
                 for n, port in enumerate(self.ports.actions)]
        for n, port in enumerate(self.ports.rasa):
            found.append(Service(
                name=f"rasa-{n + 1}",
                argv=rasa_run(model=str(PROJECT_DIR / "models" / "current.tar.gz"), endpoints="endpoints.redis.yml",
                              interface="127.0.0.1", port=port, rasa=str(BIN / "rasa")),
                health_url=f"http://127.0.0.1:{port}/webhooks/health/", log=self.logs / f"rasa-{n + 1}.log", env=env))
        return found

    def start(self) -> None:
        """Everything, in order; on any failure, what was started is stopped again."""
        self.logs.mkdir(parents=True, exist_ok=True)
        try:
            self._certificate()
            self.say("PostgreSQL...")
            self._postgres_init()  # once: initdb, the role and the database
            self.start_postgres()
            self.say("Redis...")
            self.start_redis()
            self.say(f"{self.action_servers} action servers and {self.replicas} Rasa servers (about 40 s)...")
            self.supervisor = Supervisor(self.services(), say=self.say)
            self.supervisor.start()
            self._watcher = threading.Thread(target=self.supervisor.watch, args=(self._stop,), daemon=True)
            self._watcher.start()
            self.say("nginx...")
            self.start_nginx()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Everything, in the reverse order of start."""
        self._stop.set()
        self.stop_nginx()
        if self.supervisor is not None:
            self.supervisor.stop()
        if self._watcher is not None:
            self._watcher.join(timeout=10)
        self.stop_redis()
        if (self.pg_data / "postmaster.pid").exists():
            self.stop_postgres()

    def kill_replica(self, index: int) -> int:
        """SIGKILL one Rasa server, as a crash would; the supervisor starts it again after its backoff."""
        assert self.supervisor is not None
        pid = self.supervisor.pid(f"rasa-{index + 1}")
        if pid is None:
            raise RuntimeError(f"rasa-{index + 1} is not running")
        os.killpg(pid, signal.SIGKILL)
        return pid

    def healthy(self, index: int) -> bool:
        """Whether one Rasa server has its model loaded."""
        return healthy(f"{self.replica_url(index)}/webhooks/health/")

    def tls_context(self) -> ssl.SSLContext:
        """A client context that trusts this cluster's self-signed certificate, and only it."""
        return ssl.create_default_context(cafile=str(self.certificate))


def main(argv: Optional[List[str]] = None) -> int:
    """`make cluster`: start everything on the default ports and wait for Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("REPLICAS", "2")))
    parser.add_argument("--root", default=str(PROJECT_DIR / "build" / "cluster"))
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 8:
        parser.error("REPLICAS must be from 1 to 8")
    schools_file = os.environ.get("SCHOOLS_FILE")
    cluster = Cluster(Path(args.root), replicas=args.replicas, ports=Ports.default(args.replicas),
                      schools_file=Path(schools_file).resolve() if schools_file else None)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        cluster.start()
    except (RuntimeError, SchoolsError, subprocess.CalledProcessError) as error:
        print(f"make cluster: {error}", file=sys.stderr)
        return 1
    assert cluster.ports is not None
    print(f"""The cluster is ready: nginx, {args.replicas} Rasa servers, {cluster.action_servers} action servers, \
PostgreSQL, Redis.
  Demo page:      {cluster.url}/webhooks/widget/demo.html   (a self-signed certificate: {cluster.certificate})
  Insights page:  {cluster.url}/webhooks/insights/
  REST:           curl --cacert {cluster.certificate} -X POST {cluster.url}/webhooks/rest/webhook \\
                    -H 'Content-Type: application/json' -d '{{"sender": "s1", "message": "what does a sonographer do"}}'
  Database:       {cluster.database_url.split('@')[0].split(':')[0]}://rasa@127.0.0.1:{cluster.ports.postgres}/rasa \
(password in {cluster.root / 'postgres' / 'password'})
  Logs:           {cluster.logs}/
Press Ctrl-C to stop everything.""", flush=True)
    try:
        while not stopping.wait(1):
            pass
    except KeyboardInterrupt:
        pass
    print("Stopping the cluster...", flush=True)
    cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
