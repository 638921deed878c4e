"""docker-compose.yml and deploy/: no Docker engine here, so the files are loaded and their properties checked."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import REPO
from workers import metrics, queues

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP = ("migrate", "worker-fetch", "worker-process", "worker-link", "worker-webhooks", "intake", "beat", "api")
WORKERS = ("worker-fetch", "worker-process", "worker-link", "worker-webhooks")


def command_of(name: str) -> list[str]:
    return SERVICES[name]["command"]


def option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_the_services_are_all_there():
    assert set(SERVICES) == {"redis", "postgres", "migrate", *WORKERS, "intake", "beat", "api", "prometheus", "grafana"}


def test_every_service_has_a_health_check_and_conditional_dependencies():
    for name, service in SERVICES.items():
        check = service.get("healthcheck")
        assert check and check.get("test") and check["test"][0] in ("CMD", "CMD-SHELL"), name
        for dependency, condition in (service.get("depends_on") or {}).items():
            assert dependency in SERVICES, (name, dependency)
            assert condition["condition"] in ("service_healthy", "service_completed_successfully"), (name, dependency)
    for name in (*WORKERS, "intake", "beat", "api"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy", name
    assert SERVICES["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert SERVICES["migrate"]["restart"] == "no" and command_of("migrate") == ["claimwire", "migrate"]
    assert SERVICES["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_images_are_pinned_and_the_app_is_built_from_deploy_dockerfile():
    for name, service in SERVICES.items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository and tag and tag != "latest" and re.search(r"\d+\.\d+", tag), (name, image)
    for name in APP:
        build = SERVICES[name]["build"]
        assert build["dockerfile"] == "deploy/Dockerfile" and (REPO / build["context"] / build["dockerfile"]).is_file()
        assert SERVICES[name]["image"] == SERVICES["api"]["image"]
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    base = re.search(r"^FROM\s+(\S+)", dockerfile, re.M).group(1)
    assert re.search(r":\d+\.\d+\.\d+", base), base
    for source in re.findall(r"^COPY\s+(?!--from=)(.+?)\s+\S+$", dockerfile, re.M):
        for path in source.split():
            assert (REPO / path).exists(), path


def test_state_lives_on_volumes():
    redis = SERVICES["redis"]
    assert "--appendonly" in redis["command"] and option(redis["command"], "--appendonly") == "yes"
    assert any(v.split(":")[1] == "/data" for v in redis["volumes"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in SERVICES["postgres"]["volumes"])
    assert "pg_isready" in " ".join(SERVICES["postgres"]["healthcheck"]["test"])
    named = set(COMPOSE["volumes"])
    for service in SERVICES.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (REPO / source).exists(), source
            else:
                assert source in named, source


def test_workers_cover_every_queue_with_the_right_pools():
    consumed = set()
    for name in WORKERS:
        command = command_of(name)
        assert command[:2] == ["claimwire", "worker"]
        consumed |= set(option(command, "--queues").split(","))
        assert option(command, "--metrics-port") == "9808"
        assert SERVICES[name]["environment"]["PROMETHEUS_MULTIPROC_DIR"] == "/tmp/metrics"
        assert "/tmp/metrics" in SERVICES[name]["tmpfs"]
    assert consumed == set(queues.NAMES)
    assert option(command_of("worker-fetch"), "--pool") == "threads" and int(option(command_of("worker-fetch"), "--concurrency")) >= 16
    assert option(command_of("worker-process"), "--pool") == "prefork"
    assert option(command_of("worker-webhooks"), "--queues") == "webhooks", "webhook deliveries never wait behind the pipeline"
    assert command_of("intake")[:2] == ["claimwire", "consume"] and option(command_of("intake"), "--metrics-port") == "9809"
    assert "9809" in " ".join(SERVICES["intake"]["healthcheck"]["test"])
    assert command_of("beat")[:2] == ["claimwire", "beat"]
    assert command_of("api")[:2] == ["claimwire", "serve"]
    for name in APP:
        env = SERVICES[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:5432/" in env["DATABASE_URL"]
        assert env["BROKER_URL"] == "redis://redis:6379/0"


def test_the_cli_commands_in_compose_exist():
    from service.cli import build_parser

    parser = build_parser()
    for name in APP:
        command = [part.replace("${PROCESS_CONCURRENCY:-2}", "2") for part in command_of(name)]
        parser.parse_args(command[1:])


def test_prometheus_scrapes_the_compose_services():
    config = yaml.safe_load((REPO / "deploy" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: [t for sc in job["static_configs"] for t in sc["targets"]] for job in config["scrape_configs"]}
    assert jobs["claimwire-api"] == ["api:8000"]
    assert {t.split(":")[0] for t in jobs["claimwire-worker"]} == set(WORKERS)
    assert jobs["claimwire-intake"] == ["intake:9809"]
    assert all(t.endswith(":9808") for t in jobs["claimwire-worker"])
    mounts = {v.split(":")[1]: v.split(":")[0] for v in SERVICES["prometheus"]["volumes"]}
    assert mounts["/etc/prometheus/prometheus.yml"] == "./deploy/prometheus.yml"
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"] and mounts["/etc/prometheus/alerts.yml"] == "./deploy/alerts.yml"


def exported_names() -> set[str]:
    names = set()
    for value in vars(metrics).values():
        if hasattr(value, "_name") and hasattr(value, "_type"):
            base = value._name
            names |= {base, base + "_total", base + "_bucket", base + "_count", base + "_sum"}
    return names


def test_alert_rules_and_dashboard_use_real_metrics():
    rules = yaml.safe_load((REPO / "deploy" / "alerts.yml").read_text())
    alerts = {rule["alert"]: rule["expr"] for group in rules["groups"] for rule in group["rules"]}
    assert {"ClaimwireFailureRateHigh", "ClaimwireQueueBacklog", "ClaimwireLatencyHigh"} <= set(alerts)
    known = exported_names() | {"up"}
    for expr in alerts.values():
        for name in re.findall(r"\b(claimwire_[a-z_]+)", expr):
            assert name in known, name

    dashboard = json.loads((REPO / "deploy" / "grafana" / "dashboards" / "claimwire.json").read_text())
    assert dashboard["uid"] and dashboard["panels"]
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\b(claimwire_[a-z_]+)", target["expr"])
    }
    assert (
        used <= known
        and {"claimwire_queue_depth", "claimwire_end_to_end_seconds_bucket", "claimwire_link_decisions_total", "claimwire_events_open"}
        <= used
    )
    datasource = yaml.safe_load((REPO / "deploy" / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ][0]
    assert datasource["url"] == "http://prometheus:9090"
    assert all(panel["datasource"]["uid"] == datasource["uid"] for panel in dashboard["panels"])
    provider = yaml.safe_load((REPO / "deploy" / "grafana" / "provisioning" / "dashboards" / "claimwire.yml").read_text())["providers"][0]
    grafana_mounts = {v.split(":")[1]: v.split(":")[0] for v in SERVICES["grafana"]["volumes"]}
    assert grafana_mounts[provider["options"]["path"]] == "./deploy/grafana/dashboards"
    assert grafana_mounts["/etc/grafana/provisioning"] == "./deploy/grafana/provisioning"


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool (Debian package prometheus) is not installed")
def test_promtool_accepts_the_config_and_rules(tmp_path):
    rules = subprocess.run(["promtool", "check", "rules", str(REPO / "deploy" / "alerts.yml")], capture_output=True, text=True)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = yaml.safe_load((REPO / "deploy" / "prometheus.yml").read_text())
    config["rule_files"] = [str(REPO / "deploy" / "alerts.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = subprocess.run(["promtool", "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# --- claimwire doctor in the image and the health checks ------------------------------------------


def doctor_commands(shell: str) -> list[list[str]]:
    """The `claimwire doctor ...` commands in a shell command line (parts joined by && or ;), without the
    VAR=value assignments before them."""
    commands, current = [], []
    for word in shlex.split(shell) + ["&&"]:
        if word in ("&&", ";"):
            if current[:2] == ["claimwire", "doctor"]:
                commands.append(current)
            current = []
        elif current or not re.match(r"^[A-Z_]+=", word):
            current.append(word)
    return commands


def doctor_checks(command: list[str]) -> set[str]:
    """The checks a doctor command runs, after the CLI's own parser accepted it."""
    from service import doctor
    from service.cli import build_parser

    args = build_parser().parse_args(command[1:])
    names = set(args.only.split(",")) if args.only else set(doctor.CHECKS)
    assert names <= set(doctor.CHECKS), command
    return names


def seconds(duration: str) -> float:
    return float(duration.removesuffix("s"))


def test_the_image_installs_the_locked_runtime_set_and_runs_doctor():
    dockerfile = (REPO / "deploy" / "Dockerfile").read_text()
    runs = [" ".join(block.split()) for block in re.findall(r"^RUN\s+((?:.*\\\n)*.*)$", dockerfile, re.M)]
    runs = [run.replace("\\ ", "") for run in runs]  # the continuation backslashes
    assert re.search(r"^COPY requirements\.lock \S+$", dockerfile, re.M)
    assert any(re.search(r"pip install .*--require-hashes -r requirements\.lock", run) for run in runs)
    assert any("pip wheel --no-deps" in run for run in runs)
    install = next(run for run in runs if re.search(r"pip install .*--no-deps /wheels/\S+\.whl", run))
    assert "pip check" in install
    commands = doctor_commands(install)
    assert len(commands) == 1
    checks = doctor_checks(commands[0])
    assert {"imports", "transport", "extractors", "data"} <= checks
    assert "BROKER_URL=redis://" in install  # so that the transport check imports the Redis transport
    assert not re.search(r"pip install (?!.*--require-hashes)(?!.*--no-deps)", dockerfile)  # nothing unlocked
    assert (REPO / "requirements.lock").is_file()


def test_workers_and_beat_check_their_dependencies_with_doctor():
    for name in ("worker-fetch", "worker-process", "worker-link", "beat"):
        check = SERVICES[name]["healthcheck"]
        assert check["test"][0] == "CMD-SHELL", name
        commands = doctor_commands(check["test"][1])
        assert len(commands) == 1, name
        checks = doctor_checks(commands[0])
        assert {"database", "transport", "broker"} <= checks, name
        timeout = float(option(commands[0], "--timeout"))
        assert seconds(check["timeout"]) >= 3 * timeout, name  # the database and the broker may each take --timeout
    for name in ("worker-fetch", "worker-process", "worker-link"):
        shell = SERVICES[name]["healthcheck"]["test"][1]
        assert "metrics" in doctor_checks(doctor_commands(shell)[0]), name
        assert "http://127.0.0.1:9808/metrics" in shell  # and the worker itself answers
    assert "celerybeat-schedule" in SERVICES["beat"]["healthcheck"]["test"][1]
