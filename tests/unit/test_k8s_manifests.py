"""The Kubernetes manifests (deploy/k8s), rendered offline as a release would render them
(`kubectl kustomize` of each overlay) and checked without a cluster: every object against the
Kubernetes API schema of a pinned version (kubernetes-validate, strict: an unknown field is an
error), then the properties the platform relies on: one beat, what each process runs is a real
`app.py` command, resources, probes and a non-root read-only container everywhere, secrets
only by reference, the network policies, the migration Job's place before a rollout, the
services over gRPC (their Deployments, Services, probes, who may call them, how callers find them).

kubectl is a test tool like promtool: `make test` installs it (deploy/dev/ensure-services.sh),
so a machine without it fails here rather than skipping."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, cast

import kubernetes_validate
import pytest
import yaml

import app
from backend.composition.rpc_commands import SERVICES
from backend.platform.config import Settings

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ["dev", "prod"]
KUBERNETES_VERSION = "1.31.0"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"

Obj = dict[str, Any]

# What each workload runs: its app.py command, and the function the CLI dispatches it to.
COMMANDS = {
    "gateway": ("cmd_serve", None),
    "worker": ("cmd_worker", None),
    "beat": ("cmd_beat", None),
    "relay": ("cmd_ledger", ("ledger_command", "relay")),
    "notifications-consumer": ("cmd_notifications", ("notifications_command", "consume")),
    "payments-consumer": ("cmd_payments", ("payments_command", "consume")),
    "migrate": ("cmd_migrate", None),
    **{f"rpc-{service}": ("cmd_rpc", ("rpc_command", "serve")) for service in SERVICES},
}
HTTP_PROCESSES = {"gateway"}
# Each service `app.py rpc serve` offers, by its Deployment's component, with the gRPC health
# service name it reports SERVING under.
GRPC_PROCESSES = {f"rpc-{name}": served.contract.full_service for name, served in SERVICES.items()}
# The app's own long-running pods, which call the gRPC services (SERVICE_ENDPOINTS).
CALLERS = set(COMMANDS) - {"migrate"} - set(GRPC_PROCESSES)
# rpc_commands.serve: after NOT_SERVING, calls under way get this long (server.stop(grace=5)).
SERVER_GRACE_SECONDS = 5
# Read by the process but not a Settings field: the log and trace name of the process.
OTHER_VARIABLES = {"SERVICE_NAME"}
# Settings whose value is a credential or carries one (a URL with a password in it).
SECRET_SETTINGS = {
    field.alias for field in Settings.model_fields.values() if field.repr is False and field.alias
} | {"DATABASE_URL", "DATABASE_REPLICA_URLS", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY", "SMTP_USERNAME"}
DATA_PORTS = {3306, 6379, 6380, 5671, 5672}


def _kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:  # a missing tool is a broken machine, not a skip
        pytest.fail(
            "kubectl is not installed: `make test`'s services step (deploy/dev/ensure-services.sh) "
            "installs it (the kubectl package)"
        )
    return found


@cache
def _render(overlay: str) -> tuple[Obj, ...]:
    done = subprocess.run(
        [_kubectl(), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, f"kubectl kustomize overlays/{overlay}:\n{done.stderr}"
    return tuple(obj for obj in yaml.safe_load_all(done.stdout) if obj)


@pytest.fixture(params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[Obj, ...]:
    return _render(request.param)


def _of(objects: tuple[Obj, ...], kind: str) -> list[Obj]:
    return [o for o in objects if o["kind"] == kind]


def _named(objects: tuple[Obj, ...], kind: str, name: str) -> Obj:
    found = [o for o in _of(objects, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} in the render"
    return found[0]


def _component(obj: Obj) -> str:
    return str(obj["metadata"]["labels"]["app.kubernetes.io/component"])


def _workloads(objects: tuple[Obj, ...]) -> Iterator[tuple[Obj, Obj]]:
    """Every Deployment and Job, with its pod spec."""
    for obj in objects:
        if obj["kind"] in ("Deployment", "Job"):
            yield obj, obj["spec"]["template"]["spec"]


def _app_container(pod: Obj) -> Obj:
    (container,) = [c for c in pod["containers"] if c["name"] == "app"]
    return cast(Obj, container)  # the object itself: a test may change it


def _selects(selector: Obj, labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) against labels."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if (operator == "Exists") != present and operator in ("Exists", "DoesNotExist"):
            return False
    return True


def _quantity(text: str | int) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9}
    found = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(text))
    assert found, f"not a quantity: {text!r}"
    return float(found.group(1)) * units.get(found.group(2), 1)


def _metrics_port_argument(args: list[str]) -> int | None:
    return int(args[args.index("--metrics-port") + 1]) if "--metrics-port" in args else None


# --- schema ----------------------------------------------------------------------------------


def test_every_rendered_object_is_valid_kubernetes_at_the_pinned_version(rendered: tuple[Obj, ...]) -> None:
    failures = []
    for obj in rendered:
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            failures.append(f"{where}: {'.'.join(map(str, exc.path))}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:  # a kind no schema knows is an error here
            failures.append(f"{where}: {exc.message}")
    assert failures == []
    assert {o["kind"] for o in rendered} >= {
        "Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
        "ConfigMap", "Job", "Ingress", "ServiceAccount", "Namespace",
    }  # fmt: skip


def test_strict_validation_refuses_a_field_kubernetes_does_not_have() -> None:
    deployment = yaml.safe_load(yaml.safe_dump(_named(_render("prod"), "Deployment", "gateway")))
    _app_container(deployment["spec"]["template"]["spec"])["readinesProbe"] = {"httpGet": {"path": "/readyz"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


# --- what runs -------------------------------------------------------------------------------


def test_every_workload_runs_an_existing_app_py_command(rendered: tuple[Obj, ...]) -> None:
    parser = app.build_parser()
    seen = set()
    for workload, pod in _workloads(rendered):
        component = _component(workload)
        container = _app_container(pod)
        # The image's ENTRYPOINT is `python app.py`: a workload gives only the command's words.
        assert "command" not in container, f"{component} overrides the image's entrypoint"
        args = [str(a) for a in container["args"]]
        parsed = parser.parse_args(args)
        function, verb = COMMANDS[component]
        assert parsed.func.__name__ == function, f"{component}: {args} runs {parsed.func.__name__}"
        if verb is not None:
            assert getattr(parsed, verb[0]) == verb[1], f"{component}: {args}"
        if component in GRPC_PROCESSES:
            assert f"rpc-{parsed.service}" == component, f"{component}: {args}"
        seen.add(component)
    assert seen == set(COMMANDS)


def test_the_parser_check_refuses_a_command_app_py_does_not_have() -> None:
    # A misspelt verb in a manifest would be a pod that exits at start, over and over.
    with pytest.raises(SystemExit):
        app.build_parser().parse_args(["ledger", "relays", "--metrics-port", "9203"])


def test_one_image_runs_every_role(rendered: tuple[Obj, ...]) -> None:
    images = {c["image"] for _, pod in _workloads(rendered) for c in pod["containers"]}
    assert len(images) == 1, images


def test_production_runs_the_image_by_digest_and_dev_by_its_tag() -> None:
    (prod,) = {_app_container(pod)["image"] for _, pod in _workloads(_render("prod"))}
    (dev,) = {_app_container(pod)["image"] for _, pod in _workloads(_render("dev"))}
    assert re.fullmatch(r"[\w.-]+(/[\w.-]+)+@sha256:[0-9a-f]{64}", prod), prod
    assert dev.endswith(":dev")


def test_beat_is_exactly_one_replica_replaced_not_rolled(rendered: tuple[Obj, ...]) -> None:
    beats = [w for w, pod in _workloads(rendered) if _app_container(pod)["args"][0] == "beat"]
    assert len(beats) == 1
    (beat,) = beats
    assert beat["kind"] == "Deployment" and beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    scaled = {h["spec"]["scaleTargetRef"]["name"] for h in _of(rendered, "HorizontalPodAutoscaler")}
    assert beat["metadata"]["name"] not in scaled


def test_the_autoscaled_deployments_leave_the_count_to_their_hpa(rendered: tuple[Obj, ...]) -> None:
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in _of(rendered, "HorizontalPodAutoscaler")}
    assert set(hpas) == {"gateway", "worker", *GRPC_PROCESSES}
    for name, hpa in hpas.items():
        deployment = _named(rendered, "Deployment", name)
        assert hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"
        # A replica count in the file would reset the HPA's count on every apply.
        assert "replicas" not in deployment["spec"], name
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_dev_runs_one_of_each_and_prod_more() -> None:
    dev, prod = _render("dev"), _render("prod")
    for deployment in _of(dev, "Deployment"):
        assert deployment["spec"].get("replicas", 1) == 1, deployment["metadata"]["name"]
    assert all(h["spec"]["minReplicas"] == 1 for h in _of(dev, "HorizontalPodAutoscaler"))
    assert all(h["spec"]["minReplicas"] >= 3 for h in _of(prod, "HorizontalPodAutoscaler"))
    for name in ("relay", "notifications-consumer", "payments-consumer"):
        assert _named(prod, "Deployment", name)["spec"]["replicas"] >= 2
    for name in ("gateway", "worker", "relay"):
        dev_limit = _app_container(_named(dev, "Deployment", name)["spec"]["template"]["spec"])
        prod_limit = _app_container(_named(prod, "Deployment", name)["spec"]["template"]["spec"])
        for resource in ("cpu", "memory"):
            assert _quantity(prod_limit["resources"]["limits"][resource]) > _quantity(
                dev_limit["resources"]["limits"][resource]
            ), f"{name} {resource}"


def test_every_deployment_but_beat_has_a_disruption_budget(rendered: tuple[Obj, ...]) -> None:
    budgets = _of(rendered, "PodDisruptionBudget")
    for deployment in _of(rendered, "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [b for b in budgets if _selects(b["spec"]["selector"], labels)]
        if _component(deployment) == "beat":
            assert covering == []  # a budget for one pod would block every node drain
        else:
            assert len(covering) == 1, deployment["metadata"]["name"]
            assert covering[0]["spec"].get("maxUnavailable") == 1


# --- pods ------------------------------------------------------------------------------------


def test_every_container_has_requests_limits_and_a_locked_down_context(rendered: tuple[Obj, ...]) -> None:
    for workload, pod in _workloads(rendered):
        name = workload["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod.get("automountServiceAccountToken") is False, name
        for container in pod["containers"]:
            resources = container["resources"]
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(bound, {})), f"{name}: {bound}"
            for resource in ("cpu", "memory"):
                assert _quantity(resources["requests"][resource]) <= _quantity(resources["limits"][resource])
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            # The root filesystem is read-only: VAR_DIR and /tmp are volumes of the pod's own.
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            volumes = {v["name"]: v for v in pod["volumes"]}
            for path in ("/app/var", "/tmp"):  # noqa: S108 - mount paths in a pod, not files here
                assert "emptyDir" in volumes[mounts[path]], f"{name}: {path}"


def test_long_running_processes_have_probes_on_what_they_serve(rendered: tuple[Obj, ...]) -> None:
    settings = _settings(rendered)
    for deployment in _of(rendered, "Deployment"):
        container = _app_container(deployment["spec"]["template"]["spec"])
        component = _component(deployment)
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        readiness, liveness = container["readinessProbe"], container["livenessProbe"]
        if component in HTTP_PROCESSES:
            assert ports["http"] == int(settings["PORT"])
            assert readiness["httpGet"] == {"path": "/readyz", "port": "http"}
            assert liveness["httpGet"] == {"path": "/healthz", "port": "http"}
        elif component in GRPC_PROCESSES:
            args = [str(a) for a in container["args"]]
            grpc_port, metrics = int(args[args.index("--port") + 1]), _metrics_port_argument(args)
            assert ports == {"grpc": grpc_port, "metrics": metrics}, component
            # The kubelet's gRPC health check: ready while the service is SERVING, alive while
            # the server (the empty service name) answers.
            assert readiness["grpc"] == {"port": grpc_port, "service": GRPC_PROCESSES[component]}
            assert liveness["grpc"] == {"port": grpc_port} and container["startupProbe"]["grpc"] == {
                "port": grpc_port
            }
            annotations = deployment["spec"]["template"]["metadata"]["annotations"]
            assert annotations["prometheus.io/port"] == str(metrics)
            # Out of the Service's endpoints (the preStop pause) before NOT_SERVING, and the
            # server's grace for calls under way still inside the pod's grace period.
            sleep, pause = container["lifecycle"]["preStop"]["exec"]["command"]
            assert sleep == "sleep" and int(pause) >= 5, component
            grace = deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
            assert grace > int(pause) + SERVER_GRACE_SECONDS, component
            strategy = deployment["spec"]["strategy"]
            assert strategy["type"] == "RollingUpdate" and strategy["rollingUpdate"]["maxUnavailable"] == 0
        else:
            port = _metrics_port_argument(container["args"])
            assert port is not None and ports == {"metrics": port}, component
            # /metrics answers only the scrape token: readiness asks with it, from inside the pod.
            command = " ".join(readiness["exec"]["command"])
            assert f"http://127.0.0.1:{port}/metrics" in command and "METRICS_TOKEN" in command
            assert liveness["tcpSocket"] == {"port": "metrics"}
            annotations = deployment["spec"]["template"]["metadata"]["annotations"]
            assert annotations["prometheus.io/port"] == str(port)


def test_the_metrics_ports_are_those_of_the_operations_doc(rendered: tuple[Obj, ...]) -> None:
    operations = (ROOT / "docs" / "operations.md").read_text()
    for deployment in _of(rendered, "Deployment"):
        args = _app_container(deployment["spec"]["template"]["spec"])["args"]
        port = _metrics_port_argument(args)
        if port is not None:
            words = []
            for arg in args:
                if arg.startswith("--"):
                    break
                words.append(arg)
            documented = re.findall(
                rf"`python app\.py {' '.join(words)} [^`]*--metrics-port (\d+)`", operations
            )
            assert documented == [str(port)], f"{words}: {documented}"


def test_the_gateway_and_the_workers_share_the_downloads_volume(rendered: tuple[Obj, ...]) -> None:
    (claim,) = _of(rendered, "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    for name in ("gateway", "worker"):
        pod = _named(rendered, "Deployment", name)["spec"]["template"]["spec"]
        mounts = {m["mountPath"]: m["name"] for m in _app_container(pod)["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        downloads = volumes[mounts[f"{_settings(rendered)['VAR_DIR']}/downloads"]]
        assert downloads["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]


# --- settings and secrets --------------------------------------------------------------------


def _settings(rendered: tuple[Obj, ...]) -> dict[str, str]:
    (config,) = _of(rendered, "ConfigMap")
    return dict(config["data"])


def test_no_secret_values_are_in_the_render(rendered: tuple[Obj, ...]) -> None:
    assert _of(rendered, "Secret") == []
    assert not set(_settings(rendered)) & SECRET_SETTINGS
    for workload, pod in _workloads(rendered):
        for variable in _app_container(pod).get("env", []):
            if variable["name"] in SECRET_SETTINGS:
                assert "value" not in variable, f"{workload['metadata']['name']}: {variable['name']}"
                assert "secretKeyRef" in variable["valueFrom"], variable["name"]


def test_every_variable_set_is_a_setting_the_app_reads(rendered: tuple[Obj, ...]) -> None:
    known = {f.alias for f in Settings.model_fields.values() if f.alias} | OTHER_VARIABLES
    names = set(_settings(rendered))
    for _, pod in _workloads(rendered):
        names |= {v["name"] for v in _app_container(pod).get("env", [])}
    assert names - known == set()
    # The pods must listen beyond loopback, and TLS ends at the one trusted proxy.
    settings = _settings(rendered)
    assert settings["HOST"] == settings["METRICS_HOST"] == "0.0.0.0"  # noqa: S104 - a pod's, read here
    assert settings["TRUSTED_PROXY_HOPS"] == "1" and settings["SESSION_COOKIE_SECURE"] == "true"
    Settings(**{k: v for k, v in settings.items()})  # type: ignore[arg-type]  # each value parses


def test_every_secret_referred_to_is_documented(rendered: tuple[Obj, ...]) -> None:
    text = yaml.safe_dump_all(rendered)
    referred = set(re.findall(r"secretName: (\S+)", text))
    referred |= {
        v["valueFrom"]["secretKeyRef"]["name"]
        for _, pod in _workloads(rendered)
        for v in _app_container(pod).get("env", [])
        if "secretKeyRef" in v.get("valueFrom", {})
    }
    keys = {
        (v["valueFrom"]["secretKeyRef"]["name"], v["valueFrom"]["secretKeyRef"]["key"])
        for _, pod in _workloads(rendered)
        for v in _app_container(pod).get("env", [])
        if "secretKeyRef" in v.get("valueFrom", {})
    }
    doc = DEPLOYMENT_DOC.read_text()
    assert referred and {s for s in referred if f"`{s}`" not in doc} == set()
    # Each key in its Secret's row of the table: what the secret store must hold.
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")}
    assert keys and {(s, k) for s, k in keys if f"`{k}`" not in rows.get(s, "| | |").split("|")[2]} == set()


def test_every_app_pod_has_the_settings_and_the_one_internal_token_key(rendered: tuple[Obj, ...]) -> None:
    # Every process signs and checks gRPC calls with the same key; a pod without it would make
    # its own in its emptyDir var/, and every call to or from it would be UNAUTHENTICATED.
    (config,) = _of(rendered, "ConfigMap")
    deployments = _of(rendered, "Deployment")
    assert {_component(d) for d in deployments} == CALLERS | set(GRPC_PROCESSES)
    for deployment in deployments:
        container = _app_container(deployment["spec"]["template"]["spec"])
        name = deployment["metadata"]["name"]
        assert container["envFrom"] == [{"configMapRef": {"name": config["metadata"]["name"]}}], name
        (key,) = [v for v in container["env"] if v["name"] == "INTERNAL_TOKEN_KEY"]
        assert key["valueFrom"] == {
            "secretKeyRef": {"name": "investment-pools-env", "key": "INTERNAL_TOKEN_KEY"}
        }, name  # not optional: a missing key must stop the pod, not split the keys


# --- network ---------------------------------------------------------------------------------


def _pod_labels(rendered: tuple[Obj, ...]) -> dict[str, dict[str, str]]:
    return {
        w["metadata"]["name"]: w["spec"]["template"]["metadata"]["labels"] for w, _ in _workloads(rendered)
    }


def test_everything_is_denied_unless_a_policy_allows_it(rendered: tuple[Obj, ...]) -> None:
    policies = _of(rendered, "NetworkPolicy")
    denies = [
        p for p in policies
        if p["spec"]["podSelector"] == {} and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress") and not p["spec"].get("egress")
    ]  # fmt: skip
    assert len(denies) == 1


def test_only_ingress_nginx_reaches_the_gateway_and_only_prometheus_the_rest(
    rendered: tuple[Obj, ...],
) -> None:
    labels = _pod_labels(rendered)
    scraped: set[str] = set()
    for policy in _of(rendered, "NetworkPolicy"):
        for rule in policy["spec"].get("ingress", []):
            selected = {n for n, lab in labels.items() if _selects(policy["spec"]["podSelector"], lab)}
            # A peer that is only a podSelector is a pod of this namespace calling a gRPC
            # service (test_only_the_app_pods_and_the_grpc_services_reach_a_grpc_service).
            if any(set(peer) == {"podSelector"} for peer in rule["from"]):
                assert all(set(peer) == {"podSelector"} for peer in rule["from"]), policy["metadata"]["name"]
                assert selected and selected <= set(GRPC_PROCESSES), policy["metadata"]["name"]
                continue
            sources = {
                peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                for peer in rule["from"]
            }
            assert None not in sources, f"{policy['metadata']['name']}: a source by address or from anywhere"
            if "monitoring" in sources:
                scraped |= selected
            if "ingress-nginx" in sources:
                assert selected == {"gateway"}, policy["metadata"]["name"]
            else:
                assert sources == {"monitoring"}, policy["metadata"]["name"]
                assert [p["port"] for p in rule["ports"]] == ["metrics"]
    # ... and Prometheus does reach every pod that serves metrics.
    serving = {
        w["metadata"]["name"]
        for w, pod in _workloads(rendered)
        if {"metrics", "http"} & {p["name"] for p in _app_container(pod).get("ports", [])}
    }
    assert serving and serving <= scraped, serving - scraped


def _opens(rule: Obj, port: int, names: dict[str, int]) -> bool:
    """Whether a policy rule lets TCP to `port` through (a port by name resolved on the pod)."""
    if "ports" not in rule:  # no ports: every port
        return True
    return any(
        p.get("protocol", "TCP") == "TCP" and names.get(p["port"], p["port"]) == port for p in rule["ports"]
    )


def _grpc_reach(rendered: tuple[Obj, ...], component: str) -> tuple[set[str], set[str]]:
    """Who the policies let call the gRPC service `component` on its gRPC port: the workloads
    its ingress admits, and those whose egress lets them out to it (both ends must allow)."""
    labels = _pod_labels(rendered)
    policies = _of(rendered, "NetworkPolicy")
    deployment = _named(rendered, "Deployment", component)
    names = {
        p["name"]: p["containerPort"] for p in _app_container(deployment["spec"]["template"]["spec"])["ports"]
    }
    port, target = names["grpc"], labels[deployment["metadata"]["name"]]
    # Who the service's ingress admits on its gRPC port: pods of this namespace only.
    admitted: set[str] = set()
    for policy in policies:
        if not _selects(policy["spec"]["podSelector"], target):
            continue
        for rule in policy["spec"].get("ingress", []):
            if _opens(rule, port, names):
                for peer in rule.get("from", [{}]):  # no from: from anywhere
                    assert set(peer) == {"podSelector"}, f"{policy['metadata']['name']}: {peer}"
                    admitted |= {n for n, lab in labels.items() if _selects(peer["podSelector"], lab)}
            if any(
                "podSelector" in peer and "namespaceSelector" not in peer for peer in rule.get("from", [])
            ):
                # The callers reach the gRPC port and nothing else of the pod (not /metrics).
                opened = [names.get(p["port"], p["port"]) for p in rule.get("ports", [{"port": "every"}])]
                assert opened == [port], f"{policy['metadata']['name']}: {opened}"
    # Whose egress lets them call it (the default deny shuts the callers' side too).
    calling: set[str] = set()
    for policy in policies:
        sources = {n for n, lab in labels.items() if _selects(policy["spec"]["podSelector"], lab)}
        for rule in policy["spec"].get("egress", []):
            if _opens(rule, port, names):
                for peer in rule.get("to", [{"podSelector": {}}]):
                    if set(peer) == {"podSelector"} and _selects(peer["podSelector"], target):
                        calling |= sources
    return admitted, calling


def test_only_the_app_pods_and_the_grpc_services_reach_a_grpc_service(rendered: tuple[Obj, ...]) -> None:
    # The app's long-running pods call every service (SERVICE_ENDPOINTS), and the services call
    # each other (pools and investors do). A service's own pods are admitted too: one generic
    # policy pair cannot say "the others", and a service serves itself in process. Nothing else:
    # not the migration Job, nothing outside the namespace.
    assert len(GRPC_PROCESSES) >= 2
    for component in GRPC_PROCESSES:
        admitted, calling = _grpc_reach(rendered, component)
        assert admitted == CALLERS | set(GRPC_PROCESSES), f"{component}: admitted {sorted(admitted)}"
        assert calling == CALLERS | set(GRPC_PROCESSES), f"{component}: called by {sorted(calling)}"


def test_the_grpc_reach_check_sees_a_pod_the_policies_leave_out() -> None:
    # The policies select by the pods' tier label: a gRPC service's pod template without it
    # is neither reachable nor able to call the others, and the check above must notice.
    objects = tuple(yaml.safe_load_all(yaml.safe_dump_all(_render("prod"))))  # a copy to change
    unlabelled, other = sorted(GRPC_PROCESSES)[:2]
    labels = _named(objects, "Deployment", unlabelled)["spec"]["template"]["metadata"]["labels"]
    del labels["investment-pools.io/tier"]
    assert _grpc_reach(objects, unlabelled) == (set(), set())
    admitted, calling = _grpc_reach(objects, other)
    assert unlabelled not in admitted | calling
    assert admitted >= CALLERS and calling >= CALLERS


def test_only_the_app_pods_reach_the_data_services(rendered: tuple[Obj, ...]) -> None:
    labels = _pod_labels(rendered)
    reaching: dict[str, set[int]] = {name: set() for name in labels}
    for policy in _of(rendered, "NetworkPolicy"):
        for rule in policy["spec"].get("egress", []):
            ports = {p["port"] for p in rule.get("ports", [])} & DATA_PORTS
            for name, lab in labels.items():
                if _selects(policy["spec"]["podSelector"], lab):
                    reaching[name] |= ports
            if ports:
                assert policy["metadata"]["name"] == "app-to-data-services"
    # Every workload reaches MariaDB; the long-running ones Redis and RabbitMQ too.
    assert all(3306 in ports for ports in reaching.values()), reaching
    assert all({6379, 5672} <= ports for name, ports in reaching.items() if name != "migrate")


# --- releases --------------------------------------------------------------------------------


def test_the_migration_job_runs_before_a_rollout_on_its_own(rendered: tuple[Obj, ...]) -> None:
    (job,) = _of(rendered, "Job")
    pod = job["spec"]["template"]["spec"]
    assert _app_container(pod)["args"] == ["migrate"]
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
    assert pod["restartPolicy"] == "Never" and job["spec"]["backoffLimit"] == 0  # DDL is not transactional
    assert job["spec"]["activeDeadlineSeconds"] > 0  # a stuck migration fails the release in bounded time
    # Applied first and alone (docs/deployment.md): it may use nothing the rest of the release
    # creates, only the external Secret.
    container = _app_container(pod)
    assert "envFrom" not in container and "serviceAccountName" not in pod
    assert {v["valueFrom"]["secretKeyRef"]["name"] for v in container["env"] if "valueFrom" in v} == {
        "investment-pools-env"
    }
    # The first phase of a kubectl release (docs/deployment.md) holds the Job and all it needs.
    phase = {"namespace", "network-policy", "migrate"}
    doc = DEPLOYMENT_DOC.read_text()
    documented = re.search(r"-l 'app\.kubernetes\.io/component in \(([^)]*)\)'", doc)
    assert documented and set(documented.group(1).split(",")) == phase
    assert "kubectl -n $NS wait --for=condition=complete job/migrate" in doc
    first = [
        o for o in rendered if o["metadata"].get("labels", {}).get("app.kubernetes.io/component") in phase
    ]
    assert {o["kind"] for o in first} == {"Namespace", "NetworkPolicy", "Job"}
    assert len([o for o in first if o["kind"] == "NetworkPolicy"]) == len(_of(rendered, "NetworkPolicy"))


def test_the_ingress_terminates_tls_and_routes_to_the_gateway(rendered: tuple[Obj, ...]) -> None:
    (ingress,) = _of(rendered, "Ingress")
    service = _named(rendered, "Service", "gateway")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    (tls,) = ingress["spec"]["tls"]
    assert tls["secretName"] and tls["hosts"] == [r["host"] for r in ingress["spec"]["rules"]]
    backends = [p["backend"]["service"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]]
    assert backends == [{"name": "gateway", "port": {"name": "http"}}]
    assert [p["name"] for p in service["spec"]["ports"]] == ["http"]
    gateway_labels = _named(rendered, "Deployment", "gateway")["spec"]["template"]["metadata"]["labels"]
    assert _selects({"matchLabels": service["spec"]["selector"]}, gateway_labels)


def test_every_service_app_py_serves_over_grpc_is_deployed_and_nothing_else() -> None:
    kustomization = yaml.safe_load((K8S / "base" / "kustomization.yaml").read_text())
    listed = {r for r in kustomization["resources"] if r.startswith("rpc-")}
    files = {p.name for p in (K8S / "base").glob("rpc-*.yaml")}
    assert listed == files == {f"{component}.yaml" for component in GRPC_PROCESSES}
    # The shared pod patch (settings, secrets, security context, var/) reaches each of them.
    (patch,) = [p for p in kustomization["patches"] if p["path"] == "app-pod.yaml"]
    selected = re.fullmatch(r"app\.kubernetes\.io/component in \(([^)]*)\)", patch["target"]["labelSelector"])
    assert selected and set(selected.group(1).split(",")) == CALLERS | set(GRPC_PROCESSES)


def test_each_grpc_service_has_a_cluster_service_on_its_grpc_port(rendered: tuple[Obj, ...]) -> None:
    labels = _pod_labels(rendered)
    for component in GRPC_PROCESSES:
        deployment, service = (
            _named(rendered, "Deployment", component),
            _named(rendered, "Service", component),
        )
        ports = {
            p["name"]: p["containerPort"]
            for p in _app_container(deployment["spec"]["template"]["spec"])["ports"]
        }
        assert service["spec"]["type"] == "ClusterIP"
        selected = [
            n for n, lab in labels.items() if _selects({"matchLabels": service["spec"]["selector"]}, lab)
        ]
        assert selected == [deployment["metadata"]["name"]], selected
        (port,) = service["spec"]["ports"]
        target = port["targetPort"]
        assert port["name"] == "grpc" and port["appProtocol"] == "grpc"
        assert (ports[target] if isinstance(target, str) else target) == ports["grpc"], port


def test_the_callers_find_each_grpc_service_at_its_cluster_service(rendered: tuple[Obj, ...]) -> None:
    # One setting for every pod: the service's own pod ignores its own entry (rpc_commands.serve).
    endpoints = Settings(**_settings(rendered)).endpoints  # type: ignore[arg-type]
    expected = {}
    for component in GRPC_PROCESSES:
        (port,) = _named(rendered, "Service", component)["spec"]["ports"]
        # By the Service's short name: the same in every overlay's namespace.
        expected[component.removeprefix("rpc-")] = f"{component}:{port['port']}"
    assert endpoints == expected


def test_the_deployment_doc_names_every_grpc_service() -> None:
    # docs/deployment.md is what an operator reads: each gRPC service in its topology and its
    # "What runs where" row (command, health name, HPA bounds), in the endpoints setting, and
    # in the release's rollout loop, as the manifests have them.
    doc = DEPLOYMENT_DOC.read_text()
    dev, prod = _render("dev"), _render("prod")
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")}
    assert f"SERVICE_ENDPOINTS={_settings(prod)['SERVICE_ENDPOINTS']}" in doc
    rollout = re.search(r"^for d in ([\w -]+); do$", doc, re.MULTILINE)
    deployments = {d["metadata"]["name"] for d in _of(prod, "Deployment")}
    assert rollout and set(rollout.group(1).split()) == deployments
    for component, health_name in GRPC_PROCESSES.items():
        pod = _named(prod, "Deployment", component)["spec"]["template"]["spec"]
        args = [str(a) for a in _app_container(pod)["args"]]
        assert f"Deployment {component} (app.py {' '.join(args[:3])})" in doc, component
        assert component in rows, f"no row for {component} in What runs where"
        row = rows[component]
        assert f"`{' '.join(args)}`" in row and f"`{health_name}`" in row, row
        dev_bounds, prod_bounds = (
            "{minReplicas}..{maxReplicas}".format(**_named(r, "HorizontalPodAutoscaler", component)["spec"])
            for r in (dev, prod)
        )
        assert f"HPA {dev_bounds} / {prod_bounds}" in row, row


def test_the_label_selector_matcher() -> None:
    labels = {"app.kubernetes.io/component": "worker"}
    key = "app.kubernetes.io/component"
    assert _selects({"matchExpressions": [{"key": key, "operator": "In", "values": ["worker"]}]}, labels)
    assert not _selects({"matchExpressions": [{"key": key, "operator": "In", "values": ["beat"]}]}, labels)
    assert not _selects(
        {"matchExpressions": [{"key": key, "operator": "NotIn", "values": ["worker"]}]}, labels
    )
    assert not _selects({"matchLabels": {key: "beat"}}, labels)
    assert _selects({}, labels)
