"""docker-compose.yml, as Debian's docker-compose reads it (`docker-compose config`: the file is
validated and every variable filled in), keeps the operator's promises: a first start in the
right order, health checks, secrets only in the environment, nothing published but the TLS
proxy, a network without a way out, log rotation, no telemetry, bot/ read-only; and rasa, actions
and web scale (`--scale rasa=2 ...`) behind HAProxy (deploy/haproxy/haproxy.cfg) while the
Telegram bridge cannot."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from vraagbaak.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"
CADDYFILE = PROJECT_ROOT / "deploy" / "Caddyfile"
HAPROXY_CFG = PROJECT_ROOT / "deploy" / "haproxy" / "haproxy.cfg"
RASA_IMAGE = "rasa/rasa:3.6.21"
#: Distinctive values, so that a secret anywhere it must not be is found.
SECRETS = {"RASA_TOKEN": "tok-3f9a1c7e5b", "POSTGRES_PASSWORD": "pw-8d2e6a0c4f",
           "TELEGRAM_TOKEN": "123456:tg-token-0a1b2c3d4e5f6a7b8c9d", "VRAAGBAAK_TELEGRAM_SENDER_KEY": "key-5e7c9a1b3d"}
REQUIRED = {"RASA_TOKEN": "t", "POSTGRES_PASSWORD": "p", "VRAAGBAAK_DOMAIN": "vraagbaak.example.org",
            "VRAAGBAAK_ALLOWED_ORIGINS": "https://www.denhaag.nl"}
FILLED_IN = {**REQUIRED, **SECRETS}
ONE_SHOT = {"prepare", "train", "index"}
LONG_RUNNING = {"rasa", "actions", "web", "telegram", "purge", "postgres", "redis", "lb", "proxy"}
#: What `docker compose up --scale rasa=2 --scale actions=2 --scale web=2` runs several of.
SCALED = {"rasa", "actions", "web"}
#: The servers whose health others wait for, or the load balancer checks.
HEALTH_CHECKED = {"postgres", "redis", "rasa", "actions", "web", "lb"}
#: Where each service waits for, and for what.
DEPENDS_ON = {
    "train": {"prepare": "service_completed_successfully"},
    "rasa": {"train": "service_completed_successfully", "postgres": "service_healthy", "redis": "service_healthy",
             "lb": "service_healthy"},
    "actions": {"index": "service_completed_successfully"},
    "web": {"rasa": "service_healthy", "actions": "service_healthy", "lb": "service_healthy"},
    "telegram": {"rasa": "service_healthy", "postgres": "service_healthy", "lb": "service_healthy"},
    "purge": {"postgres": "service_healthy"},
    "proxy": {"web": "service_healthy", "lb": "service_healthy"},
}


def compose(*args: str, env: dict[str, str] | None = None,
            env_file: Path | None = None, override: str | None = None) -> subprocess.CompletedProcess[str]:
    """Debian's docker-compose on our file, with exactly ``env`` and ``env_file`` (default: an empty
    one, so that a developer's own .env in the project directory fills in nothing), and
    ``override`` (YAML) as a second compose file when given."""
    executable = shutil.which("docker-compose")
    if executable is None:
        pytest.fail("docker-compose is missing: `make test` installs it (Debian package docker-compose)")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.env"
        empty.touch()
        files = ["-f", str(COMPOSE)]
        if override is not None:
            (Path(tmp) / "override.yml").write_text(override)
            files += ["-f", str(Path(tmp) / "override.yml")]
        return subprocess.run([executable, *files, "--env-file", str(env_file or empty), *args],
                              capture_output=True, text=True, env={"PATH": os.environ["PATH"], **(env or {})},
                              cwd=PROJECT_ROOT, timeout=120)


@cache
def config() -> dict[str, Any]:
    """The resolved file, every profile on, every variable set."""
    done = compose("--profile", "telegram", "config", env=FILLED_IN)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def services() -> dict[str, dict[str, Any]]:
    return config()["services"]


def command_lines(service: dict[str, Any]) -> list[str]:
    """Everything a service runs: entrypoint, command, health check."""
    parts = [service.get("entrypoint"), service.get("command"), service.get("healthcheck", {}).get("test")]
    return [" ".join(p) if isinstance(p, list) else str(p) for p in parts if p]


def mounts(service: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(source, target, read-only) of each volume, in docker-compose 1's short or 2's long form."""
    found = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            found.append((str(volume.get("source")), volume["target"], bool(volume.get("read_only"))))
        else:
            source, target, *options = volume.split(":")
            found.append((source, target, "ro" in ",".join(options).split(",")))
    return found


def published(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(host address, host port) of each published port; '' when on every address."""
    found = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.append((port.get("host_ip", ""), str(port.get("published", ""))))
        else:
            parts = str(port).split("/")[0].split(":")
            found.append((parts[0] if len(parts) == 3 else "", parts[-2] if len(parts) > 1 else ""))
    return found


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    return env if isinstance(env, dict) else dict(item.split("=", 1) for item in env)


# --- valid, and refuses to start without its secrets -------------------------------------------------
def test_compose_file_is_valid_with_its_settings_filled_in() -> None:
    assert set(services()) == ONE_SHOT | LONG_RUNNING
    without_profile = compose("config", "-q", env=FILLED_IN)
    assert without_profile.returncode == 0, without_profile.stderr
    # The bridge only with --profile telegram (docker-compose 1 lists it in `config --services` anyway).
    assert {name for name, service in services().items() if service.get("profiles")} == {"telegram"}
    assert services()["telegram"]["profiles"] == ["telegram"]


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_it_refuses_to_start_without_each_required_setting(name: str) -> None:
    done = compose("--profile", "telegram", "config", "-q", env={k: v for k, v in REQUIRED.items() if k != name})
    assert done.returncode != 0 and f"set {name} in .env" in done.stderr


def test_env_example_lists_every_variable_and_holds_no_secret() -> None:
    """Every ${VAR} of the compose file and {$VAR} of the Caddyfile is in .env.example; the
    required ones are empty there, so that a copied but unfilled .env does not start."""
    used = set(re.findall(r"\$\{(\w+)", COMPOSE.read_text())) | set(re.findall(r"\{\$(\w+)", CADDYFILE.read_text()))
    example = dict(line.split("=", 1) for line in ENV_EXAMPLE.read_text().splitlines()
                   if line.strip() and not line.startswith("#"))
    assert used <= set(example), f"missing from .env.example: {sorted(used - set(example))}"
    assert all(example[name] == "" for name in [*REQUIRED, *SECRETS])
    assert "secrets.token_urlsafe(32)" in ENV_EXAMPLE.read_text()
    assert "BACK IT UP" in ENV_EXAMPLE.read_text().split("VRAAGBAAK_TELEGRAM_SENDER_KEY=")[0].rsplit("\n\n", 1)[1]
    unfilled = compose("config", "-q", env_file=ENV_EXAMPLE)
    assert unfilled.returncode != 0 and "in .env" in unfilled.stderr


def test_env_is_neither_committed_nor_built_into_an_image() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=PROJECT_ROOT)
    assert ignored.returncode == 0
    assert ".env" in (PROJECT_ROOT / ".dockerignore").read_text().split()


# --- first start: order and health ---------------------------------------------------------------------
def test_every_service_waits_for_what_it_needs_with_a_condition() -> None:
    for name, service in services().items():
        waits = service.get("depends_on") or {}
        assert isinstance(waits, dict), f"{name}: depends_on without conditions"
        assert {dep: spec["condition"] for dep, spec in waits.items()} == DEPENDS_ON.get(name, {}), name


def test_health_checks_say_when_each_server_can_do_its_work() -> None:
    s = services()
    checks = {name: " ".join(s[name]["healthcheck"]["test"]) for name in ("postgres", "redis", "rasa", "actions", "web")}
    assert "pg_isready" in checks["postgres"] and "127.0.0.1" in checks["postgres"]  # TCP: not the init server
    assert "redis-cli ping" in checks["redis"]
    assert "/status" in checks["rasa"] and "model_file" in checks["rasa"] and "os.environ['RASA_TOKEN']" in checks["rasa"]
    assert "5055/health" in checks["actions"]
    assert "8080/widget.js" in checks["web"]
    for name in ("rasa", "actions"):  # the model and the index take minutes to load on two cores
        assert s[name]["healthcheck"]["start_period"] in ("5m", "300s")


def test_one_shots_run_once_and_servers_come_back() -> None:
    for name, service in services().items():
        assert service["restart"] == ("no" if name in ONE_SHOT else "unless-stopped"), name


def test_rasa_is_trained_by_the_image_user_into_a_volume_and_serves_that_model() -> None:
    s = services()
    train, rasa, prepare = s["train"], s["rasa"], s["prepare"]
    assert train["image"] == rasa["image"] == prepare["image"] == RASA_IMAGE
    assert train["user"] == rasa["user"] == "1001"
    command = train["command"]
    out, name = command[command.index("--out") + 1], command[command.index("--fixed-model-name") + 1]
    models = {target: source for source, target, _ in mounts(train)}
    assert models[out] == "rasa-models" and not out.startswith("/bot")
    assert all(command[command.index(flag) + 1].startswith("/bot/") for flag in ("--config", "--domain", "--data"))
    # Rasa's training cache goes to a volume, not into the working directory.
    assert {target: source for source, target, _ in mounts(train)}[environment(train)["RASA_CACHE_DIRECTORY"]] == \
        "rasa-cache"
    # A new named volume belongs to root: prepare hands both to uid 1001 first.
    assert prepare["user"].split(":")[0] == "0"
    assert prepare["entrypoint"] == ["chown"] and prepare["command"][0] == "1001:0"
    assert set(prepare["command"][1:]) == {target for _, target, _ in mounts(prepare)} == {out, "/cache"}
    served = rasa["command"][rasa["command"].index("--model") + 1]
    assert served == f"{out}/{name}.tar.gz"
    assert ("rasa-models", out, True) in mounts(rasa)
    # bot/components imports vraagbaak.i18n.normalize: our package next to bot/ on the path.
    for service in (train, rasa):
        assert (str(PROJECT_ROOT / "vraagbaak"), "/app/vraagbaak", True) in mounts(service)
        assert set(environment(service)["PYTHONPATH"].split(":")) >= {"/app", "/bot"}


def test_rasa_runs_through_rasa_entry_with_the_token_in_its_environment() -> None:
    rasa = services()["rasa"]
    assert rasa["entrypoint"] == ["python", "-m", "vraagbaak.runtime.rasa_entry"]
    assert rasa["command"][:2] == ["run", "--enable-api"]
    assert environment(rasa)["RASA_TOKEN"] == SECRETS["RASA_TOKEN"]
    assert any(target == "/app/vraagbaak" and read_only for _, target, read_only in mounts(rasa))
    assert (PROJECT_ROOT / "vraagbaak" / "runtime" / "rasa_entry.py").is_file()
    endpoints = yaml.safe_load((PROJECT_ROOT / "deploy" / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "vraagbaak.runtime.lock_store.AtomicRedisLockStore"  # not Rasa's racy RedisLockStore
    assert services()["actions"]["build"]["dockerfile"] == "deploy/Dockerfile"


# --- secrets ---------------------------------------------------------------------------------------------
def test_no_secret_and_no_auth_token_on_any_command_line() -> None:
    for name, service in services().items():
        for line in command_lines(service):
            assert "--auth-token" not in line, name
            assert not any(secret in line for secret in SECRETS.values()), f"{name}: a secret in {line!r}"


def test_no_secret_is_written_in_the_file_itself() -> None:
    """Every secret-looking setting is a ${VARIABLE} from .env (or a URL built from one)."""
    raw = yaml.safe_load(COMPOSE.read_text())  # anchors resolved, variables not
    for name, service in raw["services"].items():
        for key, value in environment(service).items():
            if re.search(r"TOKEN|PASSWORD|SECRET|KEY|TRACKER_DB|DATABASE_URL", key):
                assert "${" in str(value), f"{name}: {key} is written in the file"


# --- what the internet sees -------------------------------------------------------------------------------
def test_only_the_proxy_is_published_anything_else_only_on_loopback() -> None:
    for name, service in services().items():
        for address, port in published(service):
            if name == "proxy":
                assert port in ("80", "443")
            else:
                assert address == "127.0.0.1", f"{name} publishes port {port} on {address or 'every address'}"
    assert "image" in services()["proxy"] and services()["proxy"]["image"].startswith("caddy:2")


def test_the_internal_network_has_no_way_out_and_holds_the_back_end() -> None:
    spec, s = config(), services()
    assert spec["networks"]["internal"]["internal"] is True
    assert not spec["networks"]["edge"].get("internal")
    networks = {name: set(service.get("networks") or {}) for name, service in s.items()}
    for name in ("rasa", "actions", "postgres", "redis", "purge"):
        assert networks[name] == {"internal"}, name
    assert networks["proxy"] == {"edge"}
    assert networks["web"] == networks["telegram"] == networks["lb"] == {"edge", "internal"}
    for name in ONE_SHOT:
        assert s[name]["network_mode"] == "none", name


def test_the_proxy_serves_https_for_the_domain_and_forwards_to_web_and_the_telegram_webhook() -> None:
    caddy = CADDYFILE.read_text()
    assert re.search(r"^\{\$VRAAGBAAK_DOMAIN\} \{", caddy, re.M)  # a site address: automatic HTTPS
    assert "reverse_proxy lb:8080" in caddy  # every web replica, through HAProxy (see below)
    webhook = urllib.parse.urlsplit(environment(services()["telegram"])["VRAAGBAAK_TELEGRAM_WEBHOOK_URL"])
    assert (webhook.scheme, webhook.hostname) == ("https", REQUIRED["VRAAGBAAK_DOMAIN"])
    route = re.search(r"handle (/\S+)\*? \{\s*reverse_proxy telegram:8443", caddy)
    assert route and webhook.path.startswith(route.group(1).rstrip("*"))
    proxy = services()["proxy"]
    assert (str(CADDYFILE), "/etc/caddy/Caddyfile", True) in mounts(proxy)
    assert environment(proxy)["VRAAGBAAK_DOMAIN"] == REQUIRED["VRAAGBAAK_DOMAIN"]
    assert environment(services()["web"])["VRAAGBAAK_ALLOWED_ORIGINS"] == REQUIRED["VRAAGBAAK_ALLOWED_ORIGINS"]


# --- every service -----------------------------------------------------------------------------------------
def test_every_service_has_init_rotated_logs_and_a_read_only_bot() -> None:
    for name, service in services().items():
        assert service.get("init") is True, name
        logging = service.get("logging") or {}
        assert logging.get("driver") == "json-file", name
        assert {"max-size", "max-file"} <= set(logging.get("options") or {}), name
        for source, target, read_only in mounts(service):
            if Path(source) == PROJECT_ROOT / "bot":
                assert read_only, f"{name} mounts bot/ writable at {target}"


def test_rasa_telemetry_is_off_wherever_rasa_runs() -> None:
    for name, service in services().items():
        if service.get("image") == RASA_IMAGE:
            assert environment(service)["RASA_TELEMETRY_ENABLED"] == "false", name


def test_purge_deletes_past_the_retention_period_every_day() -> None:
    purge = services()["purge"]
    assert "vraagbaak privacy purge" in " ".join(purge["command"]) and "sleep 86400" in " ".join(purge["command"])
    env = environment(purge)
    assert env["VRAAGBAAK_RETENTION_DAYS"] == "90"
    assert ("vraagbaak-var", "/var/lib/vraagbaak", False) in mounts(purge)


@pytest.mark.parametrize("name", ["telegram", "web", "purge"])
def test_whoever_deletes_conversations_deletes_from_the_database_rasa_keeps_them_in(name: str) -> None:
    """/vergeet (telegram), the widget's new conversation (web) and the retention period (purge):
    their VRAAGBAAK_TRACKER_DB is deploy/endpoints.yml's tracker store."""
    s = services()
    url = urllib.parse.urlsplit(environment(s[name])["VRAAGBAAK_TRACKER_DB"])
    store = yaml.safe_load((PROJECT_ROOT / "deploy" / "endpoints.yml").read_text())["tracker_store"]
    postgres = environment(s["postgres"])
    assert url.scheme == store["dialect"] == "postgresql"
    assert (url.hostname, url.port, url.path.lstrip("/"), url.username) == \
        (store["url"], store["port"], store["db"], store["username"])
    assert (url.username, url.password, url.path.lstrip("/")) == \
        (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"])
    assert "internal" in s[name]["networks"]
    assert environment(s["rasa"])["DB_PASSWORD"] == SECRETS["POSTGRES_PASSWORD"]


@pytest.mark.parametrize("name", ["actions", "web", "telegram", "purge"])
def test_records_and_the_desk_live_on_the_tracker_stores_postgresql_server(name: str) -> None:
    """VRAAGBAAK_DATABASE_URL (records, the volunteers' desk) is shared by every replica: the
    tracker store's server, user and password, from the same .env values; nobody else gets it."""
    s = services()
    records = urllib.parse.urlsplit(environment(s[name])["VRAAGBAAK_DATABASE_URL"])
    tracker = urllib.parse.urlsplit(environment(s["web"])["VRAAGBAAK_TRACKER_DB"])
    assert records.scheme == "postgresql" and records.path.lstrip("/")
    assert (records.hostname, records.port, records.username, records.password) == \
        (tracker.hostname, tracker.port, tracker.username, tracker.password)
    assert records.password == SECRETS["POSTGRES_PASSWORD"]
    assert "internal" in s[name]["networks"]
    holders = {n for n, service in s.items() if "VRAAGBAAK_DATABASE_URL" in environment(service)}
    assert holders == {"actions", "web", "telegram", "purge"}


# --- scaling: docker compose up --scale rasa=2 --scale actions=2 --scale web=2 ------------------------
SCALE_TWO = "services:\n" + "".join(f"  {name}:\n    scale: 2\n" for name in sorted(SCALED))


def test_the_file_validates_with_two_of_each_scaled_service() -> None:
    done = compose("--profile", "telegram", "config", env=FILLED_IN, override=SCALE_TWO)
    assert done.returncode == 0, done.stderr
    scaled = yaml.safe_load(done.stdout)["services"]
    assert {name for name, service in scaled.items() if service.get("scale") == 2} == SCALED


@pytest.mark.parametrize("name", sorted(SCALED))
def test_a_scaled_service_has_no_container_name_and_no_fixed_host_port(name: str) -> None:
    """Two containers cannot share a name or a host port: Compose refuses the first, Docker the second."""
    service = services()[name]
    assert "container_name" not in service
    assert not service.get("ports"), f"{name} publishes {service.get('ports')}"
    assert "network_mode" not in service  # on the networks, where Docker's DNS names every replica


def test_the_telegram_bridge_runs_once() -> None:
    """Telegram gives an update to one poller: a fixed container_name makes `--scale telegram=2`
    fail at once (Compose cannot name two containers alike) instead of two bridges fighting."""
    telegram = services()["telegram"]
    assert telegram.get("container_name")
    assert telegram.get("scale", 1) == 1 and (telegram.get("deploy") or {}).get("replicas", 1) == 1
    assert not telegram.get("ports")
    assert "never scale it" in COMPOSE.read_text()


def test_health_checks_remain_on_every_server_others_wait_for() -> None:
    s = services()
    for name in HEALTH_CHECKED:
        check = s[name].get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), name
    assert "127.0.0.1:8404/healthz" in " ".join(s["lb"]["healthcheck"]["test"])
    waited_for = {dep for service in s.values() for dep, spec in (service.get("depends_on") or {}).items()
                  if spec["condition"] == "service_healthy"}
    assert waited_for <= HEALTH_CHECKED


def haproxy_sections() -> dict[str, list[str]]:
    """deploy/haproxy/haproxy.cfg as {"backend web": [its lines], ...}, comments dropped."""
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in HAPROXY_CFG.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not line[0].isspace():
            current = sections.setdefault(" ".join(line.split()[:2]), [])
        else:
            current.append(" ".join(line.split()))
    return sections


def frontend_backend(port: int) -> str:
    """The backend that lb sends requests on ``port`` to."""
    sections = haproxy_sections()
    frontends = [name for name, lines in sections.items()
                 if name.startswith("frontend ") and re.search(rf"^bind \S*:{port}\b", "\n".join(lines), re.M)]
    assert len(frontends) == 1, f"no single frontend binds port {port}: {frontends}"
    backend = next(line.split()[1] for line in sections[frontends[0]] if line.startswith("default_backend "))
    assert f"backend {backend}" in sections
    return backend


@pytest.mark.parametrize(("backend", "target", "check"), [
    ("web", "web:8080", "/health/live"),
    ("rasa", "rasa:5005", "/"),
    ("actions", "actions:5055", "/health"),
])
def test_haproxy_finds_every_replica_of_each_scaled_service(backend: str, target: str, check: str) -> None:
    sections = haproxy_sections()
    lines = sections[f"backend {backend}"]
    template = [line.split() for line in lines if line.startswith("server-template ")]
    assert len(template) == 1 and template[0][3] == target, lines
    slots = template[0][2]
    assert int(slots.split("-")[-1]) >= 2  # room for the replicas
    # Docker's embedded DNS answers a service name with every replica's address.
    defaults = " ".join(sections["defaults"]) + " " + " ".join(template[0])
    assert "resolvers docker" in defaults and "check" in defaults.split() and "init-addr none" in defaults
    assert "nameserver docker 127.0.0.11:53" in sections["resolvers docker"]
    assert "option httpchk" in lines and f"http-check send meth GET uri {check}" in lines
    assert target.split(":")[0] in SCALED


def test_every_way_to_a_scaled_service_goes_through_haproxy() -> None:
    s = services()
    lb = s["lb"]
    assert lb["image"].startswith("haproxy:") and lb["restart"] == "unless-stopped"
    assert (str(HAPROXY_CFG), "/usr/local/etc/haproxy/haproxy.cfg", True) in mounts(lb)
    assert not lb.get("depends_on")  # it waits for no replica: backends fill as replicas come
    assert {port for address, port in published(lb)} == {"8080"}
    assert all(address == "127.0.0.1" for address, _ in published(lb))
    # Caddy -> lb:8080 -> web; web and telegram -> lb:5005 -> rasa; rasa (and web's readiness) -> lb:5055 -> actions.
    assert re.search(r"reverse_proxy lb:(\d+)", CADDYFILE.read_text()).group(1) == "8080"
    assert frontend_backend(8080) == "web"
    for name in ("web", "telegram"):
        rasa_url = urllib.parse.urlsplit(environment(s[name])["VRAAGBAAK_RASA_URL"])
        assert rasa_url.hostname == "lb" and frontend_backend(rasa_url.port) == "rasa", name
    actions_url = urllib.parse.urlsplit(environment(s["rasa"])["ACTION_SERVER_URL"])
    assert actions_url.hostname == "lb" and frontend_backend(actions_url.port) == "actions"
    assert urllib.parse.urlsplit(environment(s["web"])["VRAAGBAAK_ACTION_URL"]).hostname == "lb"
    # ... and the backends name the ports the servers listen on.
    assert s["rasa"]["command"][s["rasa"]["command"].index("--port") + 1] == "5005"
    assert s["actions"]["command"][s["actions"]["command"].index("--port") + 1] == "5055"
    # The visitor's address that Caddy puts in X-Forwarded-For reaches web: the limits count visitors.
    assert "option forwardfor if-none" in haproxy_sections()["frontend web"]
    assert environment(s["web"])["VRAAGBAAK_FORWARDED_ALLOW_IPS"] == "*"


def test_haproxy_accepts_its_configuration() -> None:
    """HAProxy's own check (`haproxy -c`), with Debian's haproxy (the Makefile installs it)."""
    executable = shutil.which("haproxy") or next(
        (str(p) for p in (Path("/usr/sbin/haproxy"), Path("/usr/local/sbin/haproxy")) if p.is_file()), None)
    if executable is None:
        pytest.fail("haproxy is missing: `make test` installs it (Debian package haproxy); "
                    "by hand: apt-get install haproxy")
    done = subprocess.run([executable, "-c", "-f", str(HAPROXY_CFG)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
