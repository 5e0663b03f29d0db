"""The deployment files (deploy/docker, deploy/compose, deploy/k8s, deploy/systemd, deploy/nginx,
.dockerignore), parsed for real and held against what they deploy: the health routes the servers
serve, the Makefile's Python, requirements.lock, the nginx template, the schools file's checks.

Docker cannot pull images here, so the images are never built: these checks are what stands for
that. Tools that may be missing (systemd-analyze, kubectl, docker compose, nginx) are run when
present and skipped, with the reason, when not.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List, Optional, Set, Tuple
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
DOCKER = DEPLOY / "docker"
K8S = DEPLOY / "k8s"
COMPOSE_DIR = DEPLOY / "compose"
COMPOSE_FILE = COMPOSE_DIR / "docker-compose.yml"
SYSTEMD = DEPLOY / "systemd"
DOCKERFILES = {"rasa": DOCKER / "rasa.Dockerfile", "actions": DOCKER / "actions.Dockerfile"}
ENTRYPOINT = DOCKER / "rasa-entrypoint.sh"
NGINX_DIR = DEPLOY / "nginx"
NGINX_TEMPLATE = NGINX_DIR / "assistant.conf.template"
NGINX = Path("/usr/sbin/nginx")
UNITS = {"rasa": SYSTEMD / "career-assistant-rasa@.service", "actions": SYSTEMD / "career-assistant-actions@.service"}
RASA_PORT, ACTIONS_PORT = 5005, 5055
SETUPTOOLS_PIN = "setuptools==70.3.0"
HASH_ANNOTATION = "nginx.ingress.kubernetes.io/upstream-hash-by"
POSTGRES_PORT, REDIS_PORT = 5432, 6379
# The namespace the NetworkPolicies admit the ingress controller from (network-policies.yaml).
INGRESS_NAMESPACE = {"kubernetes.io/metadata.name": "ingress-nginx"}


# --- The health routes, from the code that serves them --------------------------------------------

@lru_cache(maxsize=None)
def rasa_health_path() -> str:
    """The path of bot.health.HealthInput's GET route, as `rasa run` mounts the channels of
    credentials.yml (rasa.core.channels.channel.register under /webhooks/)."""
    from bot.health import HealthInput

    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "bot.health.HealthInput" in credentials, "credentials.yml does not open the health channel"
    channel = HealthInput.from_credentials(credentials["bot.health.HealthInput"])
    routes = [r for r in channel.blueprint(lambda message: None)._future_routes if "GET" in r.methods]
    assert len(routes) == 1, routes
    prefix = urljoin("/webhooks/", channel.url_prefix())
    return prefix.rstrip("/") + "/" + routes[0].uri.lstrip("/")


def health_handler():  # noqa: ANN201 - sanic's handler type
    from bot.health import HealthInput

    blueprint = HealthInput().blueprint(lambda message: None)
    return next(r.handler for r in blueprint._future_routes if "GET" in r.methods)


async def test_rasa_health_route_answers_503_before_the_model_and_200_after() -> None:
    handler = health_handler()
    loading = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=None)))
    ready = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(is_ready=lambda: True))))
    assert (await handler(loading)).status == 503
    assert (await handler(ready)).status == 200
    assert rasa_health_path() == "/webhooks/health/"


@lru_cache(maxsize=None)
def actions_health_path() -> str:
    """rasa_sdk's own GET route that answers {"status": "ok"} (the app `python -m actions` runs)."""
    from sanic import Sanic

    previous = Sanic.test_mode
    Sanic.test_mode = True  # the app's name may already be registered in this process
    try:
        from rasa_sdk.endpoint import create_app

        app = create_app("actions")
    finally:
        Sanic.test_mode = previous
    paths = ["/" + r.path for r in app.router.routes if "GET" in r.methods and r.path == "health"]
    assert paths == ["/health"], [r.path for r in app.router.routes]
    return paths[0]


def test_actions_health_route_exists() -> None:
    assert actions_health_path() == "/health"


# --- YAML ------------------------------------------------------------------------------------------

def yaml_files(folder: Path) -> List[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


@lru_cache(maxsize=None)
def documents(path: Path) -> Tuple[Any, ...]:
    return tuple(d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None)


def manifests() -> List[Path]:
    """The manifests the kustomization should list: every YAML in deploy/k8s itself."""
    return [p for p in yaml_files(K8S) if p.parent == K8S and p.name != "kustomization.yaml"]


def k8s_objects(paths: Optional[List[Path]] = None) -> List[Dict[str, Any]]:
    return [d for p in (paths if paths is not None else manifests()) for d in documents(p)]


def of_kind(kind: str, objects: Optional[List[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    return [o for o in (objects if objects is not None else k8s_objects()) if o.get("kind") == kind]


def named(kind: str, name: str) -> Dict[str, Any]:
    found = [o for o in of_kind(kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


@pytest.mark.parametrize("path", yaml_files(COMPOSE_DIR) + yaml_files(K8S), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_yaml_file_parses(path: Path) -> None:
    docs = documents(path)
    assert docs, f"{path} has no document"
    for doc in docs:
        assert isinstance(doc, dict)
        if path.is_relative_to(K8S) and path.name != "kustomization.yaml":
            assert {"apiVersion", "kind", "metadata"} <= doc.keys(), path
            assert doc["metadata"].get("name"), path
            assert "namespace" not in doc["metadata"], f"{path}: the manifests choose no namespace"


def test_k8s_has_the_expected_kinds() -> None:
    kinds: Dict[str, Set[str]] = {}
    for obj in k8s_objects():
        kinds.setdefault(obj["kind"], set()).add(obj["metadata"]["name"])
    assert kinds["Deployment"] == {"career-assistant-rasa", "career-assistant-actions"}
    assert {"career-assistant-rasa", "career-assistant-rasa-socketio", "career-assistant-actions"} <= kinds["Service"]
    assert kinds["HorizontalPodAutoscaler"] == {"career-assistant-rasa"}
    assert "career-assistant-schools" in kinds["ConfigMap"]
    assert len(kinds["Ingress"]) == 2
    assert kinds["NetworkPolicy"]
    # PostgreSQL and Redis are referenced, not deployed, and no secret value is in a manifest.
    assert not kinds.keys() & {"StatefulSet", "Secret"}
    external = {s["metadata"]["name"] for s in of_kind("Service") if s["spec"].get("type") == "ExternalName"}
    assert external == {"postgres", "redis"}


def test_compose_has_the_expected_services() -> None:
    compose = documents(COMPOSE_FILE)[0]
    assert set(compose["services"]) == {"postgres", "redis", "rasa", "actions", "nginx"}
    assert re.fullmatch(r"postgres:1[56](-.*)?", compose["services"]["postgres"]["image"])
    assert compose["services"]["nginx"]["image"].startswith("nginx:")


# --- Kubernetes ------------------------------------------------------------------------------------

def test_kustomization_lists_every_manifest_and_not_the_example_secret() -> None:
    kustomization = documents(K8S / "kustomization.yaml")[0]
    assert kustomization["kind"] == "Kustomization"
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(p.name for p in manifests())
    examples = [p for p in yaml_files(K8S) if p.parent != K8S]
    assert any(o["kind"] == "Secret" for p in examples for o in documents(p)), "the example Secret is missing"
    assert not any(str(p.relative_to(K8S)) in listed for p in examples)
    assert "namespace" not in kustomization


def test_kubectl_kustomize_renders_the_same_objects() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the kustomization was checked by its list of files only")
    done = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    rendered = {(o["kind"], o["metadata"]["name"]) for o in yaml.safe_load_all(done.stdout) if o}
    assert rendered == {(o["kind"], o["metadata"]["name"]) for o in k8s_objects()}


def container(deployment: Dict[str, Any]) -> Dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def container_port(ctr: Dict[str, Any], port: Any) -> int:
    """A probe's or Service's port (a name or a number) as the container port it means."""
    for p in ctr.get("ports", []):
        if port in (p.get("name"), p["containerPort"]):
            return p["containerPort"]
    raise AssertionError(f"port {port!r} is not a port of container {ctr['name']}")


@pytest.mark.parametrize("name, port, health, startup", [
    ("career-assistant-rasa", RASA_PORT, rasa_health_path, True),
    ("career-assistant-actions", ACTIONS_PORT, actions_health_path, False),
], ids=["rasa", "actions"])
def test_deployment_probes_use_the_real_health_route(name: str, port: int, health: Any, startup: bool) -> None:
    ctr = container(named("Deployment", name))
    probes = ["readinessProbe", "livenessProbe"] + (["startupProbe"] if startup else [])
    for probe in probes:
        assert probe in ctr, f"{name} has no {probe}"
        get = ctr[probe]["httpGet"]
        assert get["path"] == health(), f"{name} {probe}"
        assert container_port(ctr, get["port"]) == port
    if startup:  # the model takes 20 to 40 s to load: the startup probe must allow it generously
        probe = ctr["startupProbe"]
        assert probe["periodSeconds"] * probe["failureThreshold"] >= 120
    liveness = ctr["livenessProbe"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= 60, "liveness should be patient"


def test_services_target_ports_that_their_pods_open() -> None:
    deployments = of_kind("Deployment")
    for service in of_kind("Service"):
        if service["spec"].get("type") == "ExternalName":
            assert service["spec"]["externalName"] and "selector" not in service["spec"]
            continue
        selector = service["spec"]["selector"]
        matching = [d for d in deployments
                    if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert len(matching) == 1, f"Service {service['metadata']['name']} selects {len(matching)} Deployments"
        ctr = container(matching[0])
        for port in service["spec"]["ports"]:
            container_port(ctr, port.get("targetPort", port["port"]))


def service_port(name: str, port: Any) -> int:
    """The container port that `name:port` (a Service in the manifests) reaches."""
    service = named("Service", name)
    for p in service["spec"]["ports"]:
        if port in (p.get("name"), p["port"]):
            selector = service["spec"]["selector"]
            deployment = next(d for d in of_kind("Deployment")
                              if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items())
            return container_port(container(deployment), p.get("targetPort", p["port"]))
    raise AssertionError(f"Service {name} has no port {port!r}")


def env_of(ctr: Dict[str, Any]) -> Dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in ctr.get("env", [])}


def test_rasa_deployment_reaches_the_action_server_redis_and_its_settings() -> None:
    rasa = named("Deployment", "career-assistant-rasa")
    assert rasa["spec"]["replicas"] == 2
    env = env_of(container(rasa))
    action = urlsplit(env["ACTION_ENDPOINT_URL"])
    assert action.path == "/webhook"
    assert service_port(action.hostname, action.port) == ACTIONS_PORT
    named("Service", env["REDIS_HOST"])
    assert urlsplit(env["REDIS_URL"]).hostname == env["REDIS_HOST"]
    assert env["ENDPOINTS"] == "endpoints.redis.yml"
    for name in ("INSIGHTS_SECRET", "TRACKER_STORE_URL", "REDIS_PASSWORD"):
        assert "secretKeyRef" in env[name], f"{name} must come from a Secret"
    assert env["TRUST_PROXY"] == "1"
    assert env["SANIC_BACKLOG"] == "1024"
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert named("Deployment", "career-assistant-actions")["spec"]["replicas"] == 2
    assert env_of(container(named("Deployment", "career-assistant-actions")))["SANIC_HOST"] == "0.0.0.0"


def quantity(value: Any) -> float:
    """A Kubernetes quantity as a number (cores, or bytes)."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match, value
    return float(match.group(1)) * units.get(match.group(2), 1) if match.group(2) else float(match.group(1))


def test_rasa_resources() -> None:
    resources = container(named("Deployment", "career-assistant-rasa"))["resources"]
    assert quantity(resources["requests"]["cpu"]) == 1 and quantity(resources["limits"]["cpu"]) == 2
    assert quantity(resources["requests"]["memory"]) == 2**30
    assert quantity(resources["limits"]["memory"]) == 1.5 * 2**30
    actions = container(named("Deployment", "career-assistant-actions"))["resources"]
    assert quantity(actions["limits"]["memory"]) >= 256 * 2**20  # about 150 MB each


def test_hpa_targets_the_rasa_deployment() -> None:
    hpa = named("HorizontalPodAutoscaler", "career-assistant-rasa")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
    named("Deployment", target["name"])
    assert target["name"] == "career-assistant-rasa"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    [metric] = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert metric["resource"]["target"] == {"type": "Utilization", "averageUtilization": 70}
    # The HPA computes utilization against the request: without one it cannot scale.
    assert "cpu" in container(named("Deployment", target["name"]))["resources"]["requests"]


def ingress_paths(ingress: Dict[str, Any]) -> Iterator[Tuple[str, Dict[str, Any]]]:
    for rule in ingress["spec"]["rules"]:
        for path in rule["http"]["paths"]:
            yield path["path"], path["backend"]["service"]


def test_ingress_hashes_socketio_on_cid_and_spreads_rest() -> None:
    ingresses = of_kind("Ingress")
    socketio = [i for i in ingresses if any(p.startswith("/socket.io") for p, _ in ingress_paths(i))]
    rest = [i for i in ingresses if i not in socketio]
    assert len(socketio) == 1 and len(rest) == 1
    [socketio_ingress], [rest_ingress] = socketio, rest
    assert socketio_ingress["metadata"]["annotations"][HASH_ANNOTATION] == "$arg_cid"
    # ingress-nginx keeps the hash per Service and port: REST must reach the pods through another
    # Service, or its requests (which carry no cid) would all hash to one replica.
    assert HASH_ANNOTATION not in rest_ingress["metadata"].get("annotations", {})
    socketio_services = {s["name"] for _, s in ingress_paths(socketio_ingress)}
    rest_services = {s["name"] for _, s in ingress_paths(rest_ingress)}
    assert not socketio_services & rest_services
    for ingress in ingresses:
        assert ingress["spec"]["ingressClassName"] == "nginx"
        assert ingress["spec"]["tls"] and ingress["spec"]["tls"][0]["secretName"]
        for _, backend in ingress_paths(ingress):
            assert service_port(backend["name"], backend["port"].get("name", backend["port"].get("number"))) \
                == RASA_PORT
    # WebSocket-friendly: longer than socket.io's 25 s ping interval.
    assert int(socketio_ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 60
    # And the widget does send the cid that the hash reads.
    transport = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "bot" / "static").glob("widget*.js"))
    assert re.search(r"[?&]cid=", transport), "the widget no longer sends cid"


def secret_refs() -> Set[Tuple[str, str]]:
    found: Set[Tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                found.add((node["secretKeyRef"]["name"], node["secretKeyRef"]["key"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(k8s_objects())
    return found


def test_every_secret_reference_is_in_the_example_secret_with_placeholders() -> None:
    [example] = [o for p in yaml_files(K8S / "examples") for o in documents(p) if o["kind"] == "Secret"]
    keys = {(example["metadata"]["name"], key) for key in example["stringData"]}
    assert secret_refs() and secret_refs() <= keys
    for value in example["stringData"].values():
        assert "PLACEHOLDER" in value
    text = next(p for p in yaml_files(K8S / "examples")).read_text(encoding="utf-8")
    assert "EXAMPLE ONLY" in text


def test_schools_configmap_is_a_valid_schools_file_mounted_where_schools_file_says(tmp_path: Path) -> None:
    from schools.file import load

    configmap = named("ConfigMap", "career-assistant-schools")
    rasa = named("Deployment", "career-assistant-rasa")
    schools_file = Path(env_of(container(rasa))["SCHOOLS_FILE"])
    (tmp_path / schools_file.name).write_text(configmap["data"][schools_file.name], encoding="utf-8")
    assert load(tmp_path / schools_file.name).origins  # raises SchoolsError, naming the field, if wrong
    volume = next(v for v in rasa["spec"]["template"]["spec"]["volumes"] if "configMap" in v)
    assert volume["configMap"]["name"] == "career-assistant-schools"
    mount = next(m for m in container(rasa)["volumeMounts"] if m["name"] == volume["name"])
    assert Path(mount["mountPath"]) == schools_file.parent


def test_k8s_redis_url_carries_the_password_from_the_secret() -> None:
    ctr = container(named("Deployment", "career-assistant-rasa"))
    order = [e["name"] for e in ctr["env"]]
    env = env_of(ctr)
    assert env["REDIS_PASSWORD"]["secretKeyRef"] == {"name": "career-assistant-secrets", "key": "REDIS_PASSWORD"}
    # Kubernetes fills $(NAME) only from a variable defined earlier in the list; else it stays as it is.
    url = urlsplit(env["REDIS_URL"])
    assert url.scheme == "redis" and url.username == "" and url.password == "$(REDIS_PASSWORD)"
    assert order.index("REDIS_PASSWORD") < order.index("REDIS_URL")
    assert url.port == int(env["REDIS_PORT"]) == REDIS_PORT
    assert "PLACEHOLDER" in named_secret_example()["REDIS_PASSWORD"]


def test_endpoints_redis_gives_the_lock_store_the_password() -> None:
    """The lock store reads REDIS_PASSWORD through endpoints.redis.yml: what the manifests, compose
    and the units set must reach it."""
    lock_store = yaml.safe_load((ROOT / "endpoints.redis.yml").read_text(encoding="utf-8"))["lock_store"]
    assert lock_store["type"] == "redis"
    assert lock_store.get("password") == "${REDIS_PASSWORD}"


# --- NetworkPolicies -------------------------------------------------------------------------------

def selects(selector: Optional[Dict[str, Any]], labels: Dict[str, str]) -> bool:
    """Whether a label selector ({} selects everything) selects these labels."""
    selector = selector or {}
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if not {"In": key in labels and labels[key] in values, "NotIn": labels.get(key) not in values,
                "Exists": key in labels, "DoesNotExist": key not in labels}[operator]:
            return False
    return True


def pod_labels() -> Dict[str, Dict[str, str]]:
    """The labels of the pods the manifests make, by component."""
    found = {d["metadata"]["labels"]["app.kubernetes.io/component"]: d["spec"]["template"]["metadata"]["labels"]
             for d in of_kind("Deployment")}
    for job in of_kind("CronJob"):
        labels = job["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
        found[labels["app.kubernetes.io/component"]] = labels
    assert set(found) == {"rasa", "actions", "purge"}, set(found)
    return found


def policies_for(labels: Dict[str, str], direction: str) -> List[Dict[str, Any]]:
    """The NetworkPolicies that govern this direction ("Ingress" or "Egress") for these pods."""
    return [p for p in of_kind("NetworkPolicy")
            if selects(p["spec"]["podSelector"], labels) and direction in p["spec"]["policyTypes"]]


def rules_for(labels: Dict[str, str], direction: str) -> List[Dict[str, Any]]:
    """Every rule that lets traffic through (policies add up: one rule anywhere is enough)."""
    key = direction.lower()
    return [rule for p in policies_for(labels, direction) for rule in p["spec"].get(key) or []]


def allowed_ports(rules: List[Dict[str, Any]], ctr: Optional[Dict[str, Any]] = None) -> Set[Tuple[str, int]]:
    found = set()
    for rule in rules:
        assert rule.get("ports"), f"a rule without ports allows every port: {rule}"
        for port in rule["ports"]:
            number = container_port(ctr, port["port"]) if ctr is not None else port["port"]
            found.add((port.get("protocol", "TCP"), number))
    return found


def test_network_policies_are_listed_and_deny_by_default() -> None:
    policies = of_kind("NetworkPolicy")
    assert policies
    listed = documents(K8S / "kustomization.yaml")[0]["resources"]
    for path in manifests():
        if any(o["kind"] == "NetworkPolicy" for o in documents(path)):
            assert path.name in listed, f"{path.name} is not in the kustomization"
    for policy in policies:
        assert policy["apiVersion"] == "networking.k8s.io/v1"
        spec = policy["spec"]
        assert "podSelector" in spec and set(spec["policyTypes"]) <= {"Ingress", "Egress"}, policy["metadata"]
        # policyTypes says which directions the policy governs; a missing one would govern Ingress only.
        for direction in ("ingress", "egress"):
            if spec.get(direction):
                assert direction.capitalize() in spec["policyTypes"], policy["metadata"]["name"]
    # Ingress: every pod of the namespace (its own: deploy/k8s/kustomization.yaml) denied by default.
    assert any(p["spec"]["podSelector"] == {} and "Ingress" in p["spec"]["policyTypes"] and not p["spec"].get("ingress")
               for p in policies), "no default-deny ingress for the namespace"
    # Egress: denied to every pod of the assistant, whatever the rules below allow back.
    for component, labels in pod_labels().items():
        assert any(not p["spec"].get("egress") for p in policies_for(labels, "Egress")), \
            f"{component}: no default-deny egress"
        assert policies_for(labels, "Ingress"), f"{component}: no ingress policy"


def test_rasa_pods_admit_only_the_ingress_controller_on_their_port() -> None:
    labels = pod_labels()
    rasa = container(named("Deployment", "career-assistant-rasa"))
    rules = rules_for(labels["rasa"], "Ingress")
    assert rules
    for rule in rules:
        assert rule.get("from"), "a rule without `from` admits every pod and address"
        for peer in rule["from"]:
            assert set(peer) == {"namespaceSelector"}, f"only the ingress controller's namespace: {peer}"
            assert peer["namespaceSelector"] == {"matchLabels": INGRESS_NAMESPACE}
    assert allowed_ports(rules, rasa) == {("TCP", RASA_PORT)}
    # And the Ingresses send to that port.
    for ingress in of_kind("Ingress"):
        for _, backend in ingress_paths(ingress):
            assert service_port(backend["name"], backend["port"]["name"]) == RASA_PORT


def test_action_servers_admit_only_the_rasa_pods() -> None:
    labels = pod_labels()
    actions = container(named("Deployment", "career-assistant-actions"))
    rules = rules_for(labels["actions"], "Ingress")
    assert rules
    for rule in rules:
        assert rule.get("from"), "a rule without `from` admits every pod and address"
        for peer in rule["from"]:
            # A podSelector alone: pods of this namespace, and of the Rasa Deployment's labels only.
            assert set(peer) == {"podSelector"}, peer
            assert selects(peer["podSelector"], labels["rasa"])
            assert not selects(peer["podSelector"], labels["actions"])
            assert not selects(peer["podSelector"], labels["purge"])
    assert allowed_ports(rules, actions) == {("TCP", ACTIONS_PORT)}
    assert not rules_for(labels["purge"], "Ingress"), "nothing calls the purge"


def dns_rule(rule: Dict[str, Any]) -> bool:
    return all(p["port"] == 53 for p in rule["ports"]) and all(
        peer.get("namespaceSelector") == {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}
        and peer.get("podSelector") == {"matchLabels": {"k8s-app": "kube-dns"}} for peer in rule.get("to", [None]))


def test_egress_allows_dns_the_action_servers_and_the_databases_only() -> None:
    labels = pod_labels()
    tracker = urlsplit(named_secret_example()["TRACKER_STORE_URL"])
    assert tracker.port == POSTGRES_PORT
    rasa_env = env_of(container(named("Deployment", "career-assistant-rasa")))
    assert int(rasa_env["REDIS_PORT"]) == REDIS_PORT
    dns = {("UDP", 53), ("TCP", 53)}

    rasa = rules_for(labels["rasa"], "Egress")
    assert allowed_ports(rasa) == dns | {("TCP", ACTIONS_PORT), ("TCP", POSTGRES_PORT), ("TCP", REDIS_PORT)}
    for rule in rasa:
        ports = allowed_ports([rule])
        if ports & dns:
            assert ports == dns and dns_rule(rule), f"DNS goes to the cluster's DNS only: {rule}"
        elif ("TCP", ACTIONS_PORT) in ports:
            assert ports == {("TCP", ACTIONS_PORT)}
            assert [set(peer) for peer in rule["to"]] == [{"podSelector"}]
            assert all(selects(peer["podSelector"], labels["actions"]) for peer in rule["to"])
        else:  # the ExternalName Services' servers: any address (see network-policies.yaml)
            assert ports == {("TCP", POSTGRES_PORT), ("TCP", REDIS_PORT)}

    purge = rules_for(labels["purge"], "Egress")
    assert allowed_ports(purge) == dns | {("TCP", POSTGRES_PORT)}, "the purge uses the tracker store, not Redis"
    assert all(dns_rule(rule) for rule in purge if allowed_ports([rule]) & dns)
    assert not rules_for(labels["actions"], "Egress"), "the action servers call nothing"


def named_secret_example() -> Dict[str, str]:
    [example] = [o for p in yaml_files(K8S / "examples") for o in documents(p) if o["kind"] == "Secret"]
    return example["stringData"]


# --- Docker Compose --------------------------------------------------------------------------------

def compose() -> Dict[str, Any]:
    return documents(COMPOSE_FILE)[0]


def env_example(path: Path) -> Dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, sep, value = line.partition("=")
            assert sep, f"{path}: {line!r} is not NAME=value"
            values[name.strip()] = value
    return values


def volume(spec: str) -> List[str]:
    """A short-syntax volume, source:target[:mode], with ${NAME:-default} in the source kept whole."""
    return re.sub(r"\$\{[^}]*\}", "$VAR", spec).split(":")


def test_compose_depends_on_services_that_exist_and_have_healthchecks() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for dependency, how in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on {dependency}, which is not a service"
            if how.get("condition") == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no healthcheck to wait for"
    assert services["rasa"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["nginx"]["depends_on"]["rasa"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_compose_replicas_healthchecks_and_addresses() -> None:
    services = compose()["services"]
    for name in ("rasa", "actions"):
        assert services[name]["deploy"]["replicas"] == 2
        assert "container_name" not in services[name]  # a fixed name would forbid replicas
    health = {"rasa": f"http://127.0.0.1:{RASA_PORT}{rasa_health_path()}",
              "actions": f"http://127.0.0.1:{ACTIONS_PORT}{actions_health_path()}"}
    for name, url in health.items():
        assert url in " ".join(services[name]["healthcheck"]["test"]), name
    env = services["rasa"]["environment"]
    action = urlsplit(env["ACTION_ENDPOINT_URL"])
    assert (action.hostname, action.port, action.path) == ("actions", ACTIONS_PORT, "/webhook")
    assert urlsplit(env["TRACKER_STORE_URL"]).hostname == "postgres"
    assert urlsplit(env["TRACKER_STORE_URL"]).scheme == "postgresql"
    assert env["REDIS_HOST"] == "redis" and urlsplit(env["REDIS_URL"]).hostname == "redis"
    assert env["TRUST_PROXY"] == "1"
    assert "--cors" not in " ".join(map(str, services["rasa"].get("command") or []))
    schools = env["SCHOOLS_FILE"]
    assert any(volume(v)[1] == schools for v in services["rasa"]["volumes"]), "the schools file is not mounted"
    for service in ("rasa", "actions"):
        build = services[service]["build"]
        assert (COMPOSE_DIR / build["context"] / build["dockerfile"]).resolve() == DOCKERFILES[service]


def test_compose_redis_requires_the_password_and_the_servers_use_it() -> None:
    services = compose()["services"]
    redis = services["redis"]
    command = redis["command"]
    password = command[command.index("--requirepass") + 1]
    assert re.fullmatch(r"\$\{REDIS_PASSWORD:\?[^}]+\}", password), "compose must refuse to start without it"
    # The healthcheck authenticates (REDISCLI_AUTH) and wants PONG: redis-cli exits 0 on NOAUTH too.
    assert redis["environment"]["REDISCLI_AUTH"].startswith("${REDIS_PASSWORD")
    check = " ".join(redis["healthcheck"]["test"])
    assert "redis-cli ping" in check and "PONG" in check
    env = services["rasa"]["environment"]
    assert env["REDIS_PASSWORD"].startswith("${REDIS_PASSWORD")
    url = urlsplit(env["REDIS_URL"])
    assert (url.hostname, url.port, url.password) == ("redis", REDIS_PORT, "${REDIS_PASSWORD}")
    assert "REDIS_PASSWORD" in env_example(COMPOSE_DIR / "env.example")


def test_compose_nginx_fills_every_template_variable() -> None:
    nginx = compose()["services"]["nginx"]
    template_mounts = [volume(v) for v in nginx["volumes"] if ":/etc/nginx/templates/" in v]
    assert len(template_mounts) == 1
    source, target = template_mounts[0][:2]
    assert (COMPOSE_DIR / source).resolve() == NGINX_TEMPLATE
    assert target.endswith(".template")  # the image's envsubst reads only *.template
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", NGINX_TEMPLATE.read_text(encoding="utf-8")))
    assert {"INCLUDE_DIR", "ACCESS_LOG"} <= placeholders
    assert placeholders and placeholders <= set(nginx["environment"])
    # The image fills only the names its filter admits ($$ is compose's $), and none of nginx's own.
    admitted = re.compile(nginx["environment"]["NGINX_ENVSUBST_FILTER"].replace("$$", "$"))
    assert all(admitted.search(name) for name in placeholders), "NGINX_ENVSUBST_FILTER leaves some unfilled"
    assert not any(admitted.search(name) for name in ("host", "arg_cid", "remote_addr", "uri", "scheme"))
    # Every file the template includes from INCLUDE_DIR is mounted there, read-only, from deploy/nginx/,
    # and not in conf.d/, which the image's nginx.conf includes at the http level.
    include_dir = nginx["environment"]["INCLUDE_DIR"]
    assert not include_dir.startswith(("/etc/nginx/conf.d", "/etc/nginx/templates"))
    mounts = {volume(v)[1]: volume(v) for v in nginx["volumes"]}
    included = template_includes()
    assert included == {"proxy.conf", "hsts.conf"}
    for name in included:
        mount = mounts.get(f"{include_dir}/{name}")
        assert mount, f"{name} is not mounted in {include_dir}"
        assert (COMPOSE_DIR / mount[0]).resolve() == NGINX_DIR / name and mount[2:] == ["ro"]
    assert nginx["environment"]["ACCESS_LOG"] == "/var/log/nginx/access.log"  # stdout, in the official image
    servers = re.findall(r"server\s+([\w.-]+):(\d+)[^;]*;", nginx["environment"]["RASA_SERVERS"])
    assert servers == [("rasa", str(RASA_PORT))]
    assert any(volume(v)[1] == "/etc/nginx/certs" for v in nginx["volumes"])
    for name in ("TLS_CERT", "TLS_KEY"):
        assert nginx["environment"][name].startswith("/etc/nginx/certs/")


def test_compose_variables_are_all_in_env_example_with_no_real_secret() -> None:
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    used = re.findall(r"(?<!\$)\$\{([A-Z_]+)(:?[-?][^}]*)?\}", text)
    required = {name for name, default in used if not default.startswith((":-", "-"))}
    example = env_example(COMPOSE_DIR / "env.example")
    assert required, "no variable found: the pattern is wrong"
    assert required <= set(example), f"missing from env.example: {sorted(required - set(example))}"
    for name in ("POSTGRES_PASSWORD", "INSIGHTS_SECRET", "REDIS_PASSWORD"):
        assert "replace" in example[name].lower(), f"{name} in env.example must be an obvious placeholder"
    assert len(example["INSIGHTS_SECRET"]) >= 32  # the shape of a real one
    assert ".env" in (COMPOSE_DIR / ".gitignore").read_text(encoding="utf-8").split()


def docker_compose() -> Optional[List[str]]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_docker_compose_config_accepts_the_file() -> None:
    command = docker_compose()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed: the compose file was "
                    "checked by the tests above only")
    done = subprocess.run([*command, "-f", str(COMPOSE_FILE), "--env-file", str(COMPOSE_DIR / "env.example"),
                           "config", "-q"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- The nginx template ----------------------------------------------------------------------------

@dataclass
class Directive:
    name: str
    args: List[str]
    block: Optional[List["Directive"]] = None


def nginx_tokens(text: str) -> Iterator[Tuple[str, bool]]:
    """nginx's words, quoted or not ((word, quoted)); comments dropped; `${NAME}` kept inside a word."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "{};":
            yield c, False
            i += 1
        elif c in "'\"":
            j, value = i + 1, []
            while j < n and text[j] != c:
                if text[j] == "\\" and j + 1 < n:
                    value.append(text[j + 1])
                    j += 2
                    continue
                value.append(text[j])
                j += 1
            assert j < n, f"unterminated quote at {text[i:i + 40]!r}"
            yield "".join(value), True
            i = j + 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in ";{}":
                j = text.index("}", j) + 1 if text.startswith("${", j) else j + 1
            yield text[i:j], False
            i = j


def nginx_parse(text: str) -> List[Directive]:
    tokens = list(nginx_tokens(text))
    position = 0

    def block(top: bool) -> List[Directive]:
        nonlocal position
        found: List[Directive] = []
        words: List[str] = []
        while position < len(tokens):
            word, quoted = tokens[position]
            position += 1
            if not quoted and word in ";{":
                assert words, f"a {word!r} without a directive"
                found.append(Directive(words[0], words[1:], block(False) if word == "{" else None))
                words = []
            elif not quoted and word == "}":
                assert not top and not words, "an unbalanced }"
                return found
            else:
                words.append(word)
        assert top and not words, "an unclosed block or a directive without ;"
        return found

    return block(True)


@lru_cache(maxsize=None)
def nginx_file(path: Path) -> Tuple[Directive, ...]:
    return tuple(nginx_parse(path.read_text(encoding="utf-8")))


def expanded(directives: Any) -> List[Directive]:
    """The directives with `include ${INCLUDE_DIR}/NAME` replaced by deploy/nginx/NAME's."""
    found: List[Directive] = []
    for d in directives:
        if d.name == "include" and d.args[0].startswith("${INCLUDE_DIR}/"):
            found.extend(expanded(nginx_file(NGINX_DIR / d.args[0].split("/", 1)[1])))
        else:
            found.append(d)
    return found


def template_server() -> Directive:
    [server] = [d for d in nginx_file(NGINX_TEMPLATE) if d.name == "server"]
    assert server.block is not None
    return server


def locations(directives: Any) -> Iterator[Directive]:
    for d in directives:
        if d.name == "location":
            yield d
        if d.block:
            yield from locations(d.block)


def template_includes() -> Set[str]:
    """The files the template includes from ${INCLUDE_DIR}."""
    def walk(directives: Any) -> Iterator[str]:
        for d in directives:
            if d.name == "include":
                assert d.args[0].startswith("${INCLUDE_DIR}/"), f"include from elsewhere: {d.args}"
                yield d.args[0].split("/", 1)[1]
            yield from walk(d.block or [])
    return set(walk(nginx_file(NGINX_TEMPLATE)))


def headers(directives: Any, name: str = "proxy_set_header") -> Dict[str, List[str]]:
    found: Dict[str, List[str]] = {}
    for d in directives:
        if d.name == name:
            assert d.args[0].lower() not in found, f"{name} {d.args[0]} twice"
            found[d.args[0].lower()] = d.args[1:]
    return found


def test_nginx_includes_exist_and_are_no_templates() -> None:
    included = template_includes()
    assert {"proxy.conf", "hsts.conf"} <= included
    for name in included:
        text = (NGINX_DIR / name).read_text(encoding="utf-8")
        assert "${" not in "".join(w for w, _ in nginx_tokens(text)), f"{name} is included as it is: no variables"
        assert all(d.block is None for d in nginx_file(NGINX_DIR / name)), f"{name}: directives only, no blocks"


def test_nginx_every_proxied_location_includes_proxy_conf() -> None:
    proxied = [loc for loc in locations(template_server().block)
               if any(d.name == "proxy_pass" for d in loc.block or [])]
    assert len(proxied) >= 2, "the socket.io and the REST locations"
    for loc in proxied:
        includes = [d.args for d in loc.block or [] if d.name == "include"]
        assert ["${INCLUDE_DIR}/proxy.conf"] in includes, f"location {' '.join(loc.args)} forwards no headers"


def test_nginx_sets_no_proxy_header_above_the_locations() -> None:
    """nginx drops every inherited proxy_set_header in a location that sets one of its own: set at the
    server level, they would silently go missing from the locations, which all set Upgrade."""
    server = template_server()
    for level in (expanded(nginx_file(NGINX_TEMPLATE)), expanded(server.block)):
        assert not [d for d in level if d.name == "proxy_set_header"], "proxy_set_header outside a location"


def test_proxy_conf_forwards_the_client_as_nginx_saw_it() -> None:
    sent = headers(nginx_file(NGINX_DIR / "proxy.conf"))
    assert sent.get("host") in (["$http_host"], ["$host"]), sent.get("host")
    # The servers take the last X-Forwarded-For entry (TRUST_PROXY=1): nginx, the first hop, sends
    # only the address it saw, never a list the client could start.
    assert sent.get("x-forwarded-for") == ["$remote_addr"], sent.get("x-forwarded-for")
    assert sent.get("x-real-ip") == ["$remote_addr"], sent.get("x-real-ip")
    assert sent.get("x-forwarded-proto") == ["$scheme"], "the insights cookie is Secure over HTTPS only"
    assert sent.get("upgrade") == ["$http_upgrade"] and sent.get("connection") == ["$connection_upgrade"]
    words = [w for path in (NGINX_TEMPLATE, *(NGINX_DIR / n for n in template_includes()))
             for w, _ in nginx_tokens(path.read_text(encoding="utf-8"))]
    assert not [w for w in words if "proxy_add_x_forwarded_for" in w]


def is_hsts(directive: Directive) -> bool:
    return directive.name == "add_header" and directive.args[0].lower() == "strict-transport-security"


def test_nginx_sends_hsts_at_the_server_level_and_in_every_location_with_its_own_headers() -> None:
    [hsts] = [d for d in nginx_file(NGINX_DIR / "hsts.conf") if is_hsts(d)]
    max_age = re.search(r"max-age=(\d+)", hsts.args[1])
    assert max_age and int(max_age.group(1)) >= 180 * 86400
    assert "includesubdomains" not in hsts.args[1].lower(), "not the subdomains: a district's other sites are theirs"
    assert hsts.args[2:] == ["always"], "on error answers too (the 503 of @unavailable)"
    server = template_server()
    assert any(is_hsts(d) for d in expanded(server.block)), "no HSTS at the server level"
    # A location with an add_header of its own inherits none of the server's: it must send HSTS again.
    for loc in locations(server.block):
        own = expanded(loc.block or [])
        if any(d.name == "add_header" for d in own):
            assert any(is_hsts(d) for d in own), f"location {' '.join(loc.args)} drops HSTS"
    assert any(any(d.name == "add_header" for d in expanded(loc.block or [])) for loc in locations(server.block)), \
        "no location sets a header of its own: the check above checked nothing"


def test_nginx_access_log_has_no_query_string() -> None:
    formats = {d.args[0]: " ".join(d.args[1:]) for d in expanded(nginx_file(NGINX_TEMPLATE)) if d.name == "log_format"}
    assert formats
    forbidden = {"request", "request_uri", "args", "query_string", "is_args", "request_body"}
    for name, text in formats.items():
        variables = set(re.findall(r"\$\{?([A-Za-z0-9_]+)", text))
        assert variables, name
        assert not variables & forbidden, f"log_format {name} logs {variables & forbidden}"
        assert not [v for v in variables if v.startswith("arg_")], f"log_format {name} logs a query parameter"
    logs = [d for d in expanded(nginx_file(NGINX_TEMPLATE)) + expanded(template_server().block)
            if d.name == "access_log"]
    assert logs, "no access_log: nginx would log in its default format, the query string included"
    for log in logs:
        assert log.args[0] == "${ACCESS_LOG}"
        assert len(log.args) >= 2 and log.args[1] in formats, "a format of its own, not nginx's combined ($request)"


def test_nginx_accepts_the_template_filled_as_make_cluster_fills_it(tmp_path: Path) -> None:
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is not installed: the template was checked by parsing only")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: no certificate for the server block")
    from harness.cluster import Cluster, Ports

    cluster = Cluster(tmp_path, ports=Ports.free(2), say=lambda _: None)
    cluster.logs.mkdir(parents=True)
    cluster._certificate()  # openssl req -x509: a throwaway self-signed certificate in tmp_path
    main = cluster._nginx_config()
    for written in ("assistant.conf", "actions.conf"):
        text = (cluster.nginx_dir / written).read_text(encoding="utf-8")
        assert not re.search(r"\$\{[A-Z_]+\}", text), f"{written}: a template variable left unfilled"
    done = subprocess.run([str(NGINX), "-t", "-c", str(main), "-p", str(cluster.nginx_dir)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# --- Dockerfiles -----------------------------------------------------------------------------------

@dataclass
class Stage:
    base: str
    name: Optional[str]
    instructions: List[Tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> List[str]:
        return [args for key, args in self.instructions if key == keyword]


@lru_cache(maxsize=None)
def dockerfile(path: Path) -> Tuple[Dict[str, str], Tuple[Stage, ...]]:
    """The global ARGs and the stages, continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            logical.append(current.strip())
        current = ""
    assert not current, f"{path} ends in a continuation"
    arguments: Dict[str, str] = {}
    stages: List[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            words = args.split()
            base = re.sub(r"\$\{(\w+)\}", lambda m: arguments.get(m.group(1), m.group(0)), words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base, name))
        elif not stages:
            assert keyword == "ARG", f"{path}: only ARG may come before the first FROM"
            name, _, default = args.partition("=")
            arguments[name] = default
        else:
            stages[-1].instructions.append((keyword, args))
    return arguments, tuple(stages)


def copies(stage: Stage) -> List[Tuple[Optional[str], List[str], str]]:
    """(--from, sources, destination) of each COPY."""
    found = []
    for args in stage.all("COPY"):
        words = shlex.split(args)
        flags = [w for w in words if w.startswith("--")]
        rest = [w for w in words if not w.startswith("--")]
        origin = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        found.append((origin, rest[:-1], rest[-1]))
    return found


def makefile_python() -> str:
    match = re.search(r"^PYTHON_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert match, "no PYTHON_VERSION in the Makefile"
    return match.group(1)


@pytest.mark.parametrize("service", sorted(DOCKERFILES))
def test_dockerfile_python_matches_the_makefile(service: str) -> None:
    arguments, stages = dockerfile(DOCKERFILES[service])
    version = makefile_python()
    minor = ".".join(version.split(".")[:2])
    bases = {s.base for s in stages if not any(s.base == other.name for other in stages)}
    assert bases == {f"python:{version}-slim-bookworm"}, bases
    for base in bases:
        assert base.split(":")[1].startswith(minor + ".")
    assert len(stages) >= 2, "multi-stage: the build tools and sources stay out of the final image"


@pytest.mark.parametrize("service", sorted(DOCKERFILES))
def test_dockerfile_installs_the_lock_after_setuptools(service: str) -> None:
    _, stages = dockerfile(DOCKERFILES[service])
    runs = [r for s in stages for r in s.all("RUN") if "pip install" in r]
    text = " && ".join(runs)
    assert SETUPTOOLS_PIN in text
    lock = re.search(r"pip install (?:\S+ )*-r (\S*requirements\.lock)", text)
    assert lock, "requirements.lock is not installed"
    assert text.index(SETUPTOOLS_PIN) < lock.start(), "setuptools must be pinned before the lock is installed"
    assert any(Path(src).name == "requirements.lock" and dest == lock.group(1)
               for s in stages for origin, sources, dest in copies(s) for src in sources if origin is None)
    for command in re.split(r"&&|;", text):  # nothing unpinned beside the lock
        words = shlex.split(command)
        if words[:2] == ["pip", "install"]:
            packages = [w for w in words[2:] if not w.startswith("-") and w != lock.group(1)]
            assert all("==" in p for p in packages), f"unpinned: {packages}"
    assert "setuptools==70.3.0" in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()[0]


def test_both_images_share_the_same_packages_and_knowledge_build() -> None:
    """Same pins, same knowledge base and lemma table in both images (and one build of each)."""
    stages = {service: {s.name: s for s in dockerfile(path)[1]} for service, path in DOCKERFILES.items()}
    for name in ("deps", "assets"):
        assert stages["rasa"][name] == stages["actions"][name], f"the {name} stages differ"


@pytest.mark.parametrize("service, port, health", [
    ("rasa", RASA_PORT, rasa_health_path), ("actions", ACTIONS_PORT, actions_health_path)], ids=["rasa", "actions"])
def test_dockerfile_final_stage_runs_as_non_root_with_a_healthcheck(service: str, port: int, health: Any) -> None:
    _, stages = dockerfile(DOCKERFILES[service])
    final = stages[-1]
    [user] = final.all("USER")
    assert user.split(":")[0] not in {"root", "0"}
    [check] = final.all("HEALTHCHECK")
    assert f"http://127.0.0.1:{port}{health()}" in check
    assert final.all("EXPOSE") == [str(port)]


def test_rasa_image_has_what_the_server_reads_at_run_time() -> None:
    arguments, stages = dockerfile(DOCKERFILES["rasa"])
    by_name = {s.name: s for s in stages}
    final = stages[-1]
    # The model: trained here by default, or the prebuilt one, chosen by MODEL_SOURCE.
    assert arguments["MODEL_SOURCE"] == "train"
    assert {"model-train", "model-prebuilt"} <= by_name.keys()
    assert by_name["model"].base == f"model-{arguments['MODEL_SOURCE']}"
    assert re.search(r"^FROM model-\$\{MODEL_SOURCE\} AS model$", DOCKERFILES["rasa"].read_text(), re.M)
    assert any("bot.rasa_patches train --force --fixed-model-name current --out models" in r
               for r in by_name["model-train"].all("RUN"))
    assert any(sources == ["models/current.tar.gz"] for _, sources, _ in copies(by_name["model-prebuilt"]))
    assert any("knowledge.build" in r and "knowledge.spacy_pipeline" in r for r in by_name["assets"].all("RUN"))
    # SpacyNLP loads config.yml's path relative to the working directory: it must be there.
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    spacy_path = next(c["model"] for c in config["pipeline"] if c["name"] == "SpacyNLP")
    [workdir] = final.all("WORKDIR")
    copied = {str(Path(workdir) / dest.rstrip("/")) for origin, _, dest in copies(final) if origin == "model"}
    assert {str(Path(workdir) / spacy_path), f"{workdir}/build/knowledge.db", f"{workdir}/models/current.tar.gz"} \
        <= copied
    # Every package that credentials.yml, endpoints*.yml and config.yml name is in the image.
    packages = {"knowledge"}  # the NLU components resolve job names through it
    packages |= {key.split(".")[0] for key in yaml.safe_load((ROOT / "credentials.yml").read_text()) if "." in key}
    packages |= {c["name"].split(".")[0] for c in config["pipeline"] if "." in c["name"]}
    for endpoints in ("endpoints.yml", "endpoints.redis.yml"):
        tracker = yaml.safe_load((ROOT / endpoints).read_text())["tracker_store"]["type"]
        packages.add(tracker.split(".")[0])
    in_image = {src.rstrip("/") for origin, sources, _ in copies(final) if origin is None for src in sources}
    assert packages <= in_image, f"not copied: {packages - in_image}"
    assert {"credentials.yml", "endpoints.redis.yml", "endpoints.yml"} <= in_image
    [entrypoint] = final.all("ENTRYPOINT")
    assert any(Path(src) == ENTRYPOINT.relative_to(ROOT) and dest == yaml.safe_load(entrypoint)[0]
               for origin, sources, dest in copies(final) if origin is None for src in sources)
    assert "python -m deploy.command" in ENTRYPOINT.read_text(encoding="utf-8")
    assert "deploy/command.py" in in_image, "the entrypoint builds `rasa run` with deploy/command.py"


def test_actions_image_has_the_knowledge_base_and_the_lemma_table() -> None:
    _, stages = dockerfile(DOCKERFILES["actions"])
    final = stages[-1]
    copied = {dest.rstrip("/") for origin, _, dest in copies(final) if origin}
    assert {"build/knowledge.db", "build/spacy_pipeline"} <= copied  # knowledge/search.py reads its lemmas
    in_image = {src.rstrip("/") for origin, sources, _ in copies(final) if origin is None for src in sources}
    assert {"actions", "knowledge", "schools"} <= in_image
    assert "bot" not in in_image, "the action server reaches nothing of bot/"
    assert any("SANIC_HOST=0.0.0.0" in e for e in final.all("ENV")), "it would listen on 127.0.0.1 only"
    [command] = final.all("CMD")
    assert yaml.safe_load(command) == ["python", "-m", "actions", "--port", str(ACTIONS_PORT)]


# --- .dockerignore ---------------------------------------------------------------------------------

def ignore_patterns() -> List[Tuple[bool, re.Pattern[str]]]:
    patterns = []
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:] if negate else line
        regex = ""
        i = 0
        pattern = pattern.strip("/")
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        patterns.append((negate, re.compile(regex)))
    return patterns


def ignored(path: str) -> bool:
    """Docker's rule: the last pattern that matches the path or one of its parents decides."""
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negate, regex in ignore_patterns():
        if any(regex.fullmatch(p) for p in prefixes):
            result = not negate
    return result


def test_dockerignore_keeps_the_local_state_out() -> None:
    for path in (".venv/bin/python", "node_modules/axe-core/axe.js", "build/knowledge.db",
                 "build/spacy_pipeline/meta.json", "results/x.json", ".git/HEAD", "models/old.tar.gz",
                 "deploy/compose/.env", "bot/__pycache__/x.pyc", "tests/unit/conftest.py"):
        assert ignored(path), path
    assert not ignored("models/current.tar.gz"), "the prebuilt option copies it"
    assert not ignored("bot/health.py") and not ignored("requirements.lock")


def tracked(path: str) -> List[str]:
    done = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", path],
                          cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip("not a git checkout: cannot list the files a COPY takes")
    return done.stdout.split()


@pytest.mark.parametrize("service", sorted(DOCKERFILES))
def test_every_file_a_dockerfile_copies_is_in_the_build_context(service: str) -> None:
    _, stages = dockerfile(DOCKERFILES[service])
    sources = {src for s in stages for origin, srcs, _ in copies(s) if origin is None for src in srcs}
    assert sources
    for source in sorted(sources):
        if source == "models/current.tar.gz":  # made by `make train`; only MODEL_SOURCE=prebuilt needs it
            assert not ignored(source)
            continue
        files = tracked(source)
        assert files, f"{service}: COPY {source}: no such file in the repository"
        left_out = [f for f in files if ignored(f)]
        assert not left_out, f"{service}: .dockerignore drops {left_out[:5]} that COPY {source} needs"


# --- The entrypoint --------------------------------------------------------------------------------

def test_entrypoint_is_valid_bash_and_executable() -> None:
    done = subprocess.run(["bash", "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert ENTRYPOINT.stat().st_mode & 0o111, "the unit runs it directly: it must be executable"


@pytest.fixture()
def entrypoint_env(tmp_path: Path) -> Dict[str, str]:
    """A project directory with the files the entrypoint looks for, `python` the test's own, and a
    stand-in `rasa` that prints the command line it was given instead of starting a server."""
    app = tmp_path / "app"
    (app / "build" / "spacy_pipeline").mkdir(parents=True)
    (app / "models").mkdir()
    (app / "models" / "current.tar.gz").write_bytes(b"")
    (app / "build" / "spacy_pipeline" / "meta.json").write_text("{}")
    (app / "build" / "knowledge.db").write_bytes(b"")
    for name in ("credentials.yml", "endpoints.yml", "endpoints.redis.yml", "schools.example.yml"):
        shutil.copy(ROOT / name, app / name)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "rasa").write_text('#!/bin/sh\nprintf "%s\\n" "rasa" "$@"\n')
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    for tool in ("rasa", "python"):
        (bin_dir / tool).chmod(0o755)
    return {
        "PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "APP_DIR": str(app), "PYTHONPATH": str(ROOT),
        "SCHOOLS_FILE": str(app / "schools.example.yml"), "ACTION_ENDPOINT_URL": "http://actions:5055/webhook",
        "TRACKER_STORE_URL": "postgresql://assistant:pw@postgres:5432/rasa", "REDIS_HOST": "redis",
        "REDIS_PORT": "6379", "REDIS_PASSWORD": "redispw", "REDIS_URL": "redis://:redispw@redis:6379/0",
        "INSIGHTS_SECRET": "k" * 40,
    }


def run_entrypoint(env: Dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ENTRYPOINT), *args], env=env, capture_output=True, text=True, timeout=120)


def started_argv(done: subprocess.CompletedProcess) -> List[str]:
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")[:-1]


def test_entrypoint_starts_rasa_without_cors(entrypoint_env: Dict[str, str]) -> None:
    argv = started_argv(run_entrypoint(entrypoint_env, "--debug"))
    # No --cors: Rasa's would answer CORS with credentials on every route, the insights page's too;
    # the channels answer it themselves for the schools' origins.
    assert argv == ["rasa", "run", "--model", "models/current.tar.gz", "--endpoints", "endpoints.redis.yml",
                    "--credentials", "credentials.yml", "--interface", "0.0.0.0", "--port", str(RASA_PORT),
                    "--debug"]


def test_entrypoint_starts_with_cors_origins_alone_or_a_redis_without_password(
        entrypoint_env: Dict[str, str]) -> None:
    argv = started_argv(run_entrypoint({**entrypoint_env, "SCHOOLS_FILE": "", "CORS_ORIGINS": "https://a.example"}))
    assert argv[:2] == ["rasa", "run"] and "--cors" not in argv
    local = {**entrypoint_env, "REDIS_PASSWORD": "", "REDIS_URL": "redis://redis:6379/0"}  # empty: no password
    assert started_argv(run_entrypoint(local))[:2] == ["rasa", "run"]


def test_entrypoint_refuses_an_unset_redis_password(entrypoint_env: Dict[str, str]) -> None:
    assert "${REDIS_PASSWORD}" in (ROOT / "endpoints.redis.yml").read_text(encoding="utf-8")
    env = {k: v for k, v in entrypoint_env.items() if k != "REDIS_PASSWORD"}
    done = run_entrypoint(env)
    assert done.returncode == 1 and "REDIS_PASSWORD is not set" in done.stderr, done.stderr
    # endpoints.yml (one process, no Redis) needs none.
    assert started_argv(run_entrypoint({**env, "ENDPOINTS": "endpoints.yml"}))[:2] == ["rasa", "run"]


@pytest.mark.parametrize("change, says", [
    ({"SCHOOLS_FILE": "/nonexistent/schools.yml"}, "schools file:"),
    ({"INSIGHTS_SECRET": "short"}, "INSIGHTS_SECRET must be at least 32 characters"),
    ({"INSIGHTS_SECRET": "replace-with-at-least-32-random-characters-0000"}, "placeholder"),
    ({"TRACKER_STORE_URL": ""}, "TRACKER_STORE_URL is not set"),
    ({"REDIS_HOST": ""}, "REDIS_HOST is not set"),
    ({"SCHOOLS_FILE": ""}, "set SCHOOLS_FILE"),
    ({"SCHOOLS_FILE": "", "CORS_ORIGINS": "  "}, "set SCHOOLS_FILE"),
    ({"REDIS_URL": "redis://redis:6379/0"}, "REDIS_URL has no password"),
    ({"REDIS_PASSWORD": "replace-with-a-long-random-password-for-redis"}, "REDIS_PASSWORD is still the example's"),
])
def test_entrypoint_refuses_a_wrong_setting_in_one_sentence(
        entrypoint_env: Dict[str, str], change: Dict[str, str], says: str) -> None:
    done = run_entrypoint({**entrypoint_env, **change})
    assert done.returncode == 1
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert "rasa" not in done.stdout.split("\n")[:1], "the server was started anyway"


def test_entrypoint_runs_a_command_instead_of_the_server(entrypoint_env: Dict[str, str]) -> None:
    done = run_entrypoint(entrypoint_env, "python", "-c", "print('purge would run here')")
    assert done.returncode == 0 and done.stdout == "purge would run here\n"


# --- systemd ---------------------------------------------------------------------------------------

def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def unit_values(path: Path, key: str) -> List[str]:
    """Every value of a key that may repeat (Environment=), which configparser would keep one of."""
    return [line.split("=", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith(f"{key}=")]


@pytest.mark.parametrize("service, port, health", [
    ("rasa", RASA_PORT, rasa_health_path), ("actions", ACTIONS_PORT, actions_health_path)], ids=["rasa", "actions"])
def test_systemd_unit_restarts_waits_for_health_and_is_hardened(service: str, port: int, health: Any) -> None:
    path = UNITS[service]
    assert path.name.endswith("@.service"), "a template: the instance is the port"
    parsed = unit(path)
    assert {"Unit", "Service", "Install"} <= set(parsed.sections())
    svc, head = parsed["Service"], parsed["Unit"]
    assert svc["Restart"] == "on-failure" and svc["RestartSec"] == "2"
    assert int(head["StartLimitBurst"]) >= 1 and int(head["StartLimitIntervalSec"]) > 0
    assert svc["EnvironmentFile"] == "/etc/career-assistant/env"
    assert svc["User"] not in {"root", "0"}
    assert svc["WorkingDirectory"] == "/srv/career-assistant"
    assert (svc["NoNewPrivileges"], svc["ProtectSystem"], svc["PrivateTmp"]) == ("yes", "strict", "yes")
    assert "/srv/career-assistant/build" in svc["ReadWritePaths"].split()
    assert "%i" in svc["ExecStart"]
    # ExecStartPost: curl on the real health route of this instance's port, bounded in time.
    post = shlex.split(svc["ExecStartPost"])
    assert post[0] == "/usr/bin/curl"
    assert any(w.startswith("-") and not w.startswith("--") and "f" in w for w in post), "curl -f: 503 must fail"
    assert post[-1] == f"http://127.0.0.1:%i{health()}"
    retry_max = int(post[post.index("--retry-max-time") + 1])
    assert "--max-time" in post and "--retry-connrefused" in post
    assert retry_max < int(svc["TimeoutStartSec"]), "systemd would kill the wait before curl gives up"
    environment = " ".join(unit_values(path, "Environment"))
    assert "/srv/career-assistant/.venv/bin" in environment


def test_systemd_rasa_unit_takes_the_port_from_the_instance() -> None:
    command = shlex.split(unit(UNITS["rasa"])["Service"]["ExecStart"])
    assert "RASA_PORT=%i" in command  # on the command line: an EnvironmentFile would override Environment=
    assert Path(command[-1]) == Path("/srv/career-assistant") / ENTRYPOINT.relative_to(ROOT)
    example = env_example(SYSTEMD / "env.example")
    assert "RASA_PORT" not in example
    endpoints = (ROOT / example["ENDPOINTS"]).read_text(encoding="utf-8")
    needed = set(re.findall(r"\$\{(\w+)\}", endpoints))
    assert needed and needed <= set(example), f"env.example lacks {needed - set(example)}"
    assert "REPLACE" in example["INSIGHTS_SECRET"] and "REPLACE" in example["TRACKER_STORE_URL"]
    # Redis's password, and the same one in the rate limit's URL.
    assert "REDIS_PASSWORD" in needed and "REPLACE" in example["REDIS_PASSWORD"]
    assert urlsplit(example["REDIS_URL"]).password == example["REDIS_PASSWORD"]
    assert example["TRUST_PROXY"] == "1"


def without_comments(path: Path) -> str:
    """The file's text less its comment lines and trailing `  # ...` comments."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")]
    return "\n".join(re.sub(r"\s+#\s.*$", "", line) for line in lines)


@pytest.mark.parametrize("path", [ENTRYPOINT, *DOCKERFILES.values(), COMPOSE_FILE, *UNITS.values(),
                                  SYSTEMD / "env.example", *manifests()], ids=lambda p: str(p.relative_to(ROOT)))
def test_no_deployment_file_starts_rasa_with_cors(path: Path) -> None:
    assert "--cors" not in without_comments(path)


def test_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units were checked by parsing only")
    if not Path("/usr/bin/curl").exists() or not Path("/usr/bin/env").exists():
        pytest.skip("/usr/bin/curl is missing here: verify would fail on the units' ExecStartPost for that alone")
    # The units name /srv/career-assistant; point them at a stand-in holding the two executables.
    srv = tmp_path / "srv"
    (srv / ".venv" / "bin").mkdir(parents=True)
    (srv / ".venv" / "bin" / "python").symlink_to(sys.executable)
    (srv / "deploy" / "docker").mkdir(parents=True)
    (srv / "deploy" / "docker" / ENTRYPOINT.name).symlink_to(ENTRYPOINT)
    units = tmp_path / "units"
    units.mkdir()
    for path in UNITS.values():
        (units / path.name).write_text(path.read_text(encoding="utf-8").replace("/srv/career-assistant", str(srv)))
    instances = [str(units / UNITS["rasa"].name.replace("@", f"@{RASA_PORT}")),
                 str(units / UNITS["actions"].name.replace("@", f"@{ACTIONS_PORT}"))]
    done = subprocess.run([analyze, "verify", *instances], capture_output=True, text=True, timeout=60)
    complaints = [line for line in (done.stdout + done.stderr).splitlines() if "career-assistant" in line]
    assert done.returncode == 0 and not complaints, "\n".join(complaints) or done.stderr
