"""The Kubernetes manifests (deploy/k8s), rendered offline as a release would render them
(`kubectl kustomize` of each overlay) and checked without a cluster: every object against the
Kubernetes API schema of a pinned version (kubernetes-validate, strict: an unknown field is an
error), then the properties the platform relies on: one beat, what each process runs is a real
`app.py` command, resources, probes and a non-root read-only container everywhere, secrets
only by reference, the network policies, the migration Job's place before a rollout.

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
}
HTTP_PROCESSES = {"gateway"}
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
    assert set(hpas) == {"gateway", "worker"}
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
    doc = DEPLOYMENT_DOC.read_text()
    assert referred and {s for s in referred if f"`{s}`" not in doc} == set()


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
    for policy in _of(rendered, "NetworkPolicy"):
        for rule in policy["spec"].get("ingress", []):
            sources = {
                peer.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                for peer in rule["from"]
            }
            selected = {n for n, lab in labels.items() if _selects(policy["spec"]["podSelector"], lab)}
            assert None not in sources, f"{policy['metadata']['name']}: a source by address or from anywhere"
            if "ingress-nginx" in sources:
                assert selected == {"gateway"}, policy["metadata"]["name"]
            else:
                assert sources == {"monitoring"}, policy["metadata"]["name"]
                assert [p["port"] for p in rule["ports"]] == ["metrics"]


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


def test_the_grpc_services_are_a_placeholder_until_the_split() -> None:
    kustomization = (K8S / "base" / "kustomization.yaml").read_text()
    assert "# - rpc-users.yaml" in kustomization
    assert not list((K8S / "base").glob("rpc-*.yaml"))


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
