"""The Dockerfile and .dockerignore, checked statically: base images cannot be pulled on this
machine, so nothing is built here. A small parser reads the Dockerfile's instructions by
stage, and a checker states the image's rules (pinned base, numeric non-root user, no
compilers or secrets in the final stage, a HEALTHCHECK, one image whose command picks the
role). Each rule is also fed a Dockerfile that breaks it, to show it would be refused."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.unit.test_requirements import RUNTIME_CODE

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"

DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
SECRET_NAME = re.compile(
    r"SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL|ACCESS_KEY|_KEYS$", re.IGNORECASE
)
SECRET_VALUE = re.compile(r"-----BEGIN|sk_live_|sk_test_|whsec_|AKIA[0-9A-Z]{16}")
SECRET_FILE = re.compile(r"\.(pem|key|p12|pfx|jks|env)$|(^|/)\.env$|id_rsa|id_ed25519")
COMPILERS = re.compile(
    r"^(gcc|g\+\+|cc|clang|make|cmake|build-essential|cargo|rustc|gfortran|[\w.+-]+-dev|"
    r"libc6-dev|pkg-config|autoconf|automake|libtool)(=.*)?$"
)
INSTALLERS = re.compile(r"\b(apt-get|apt|apk|yum|dnf|microdnf)\s+(?:-\S+\s+)*(install|add)\b")


@dataclass
class Instruction:
    keyword: str
    value: str


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.value for i in self.instructions if i.keyword == keyword]


@dataclass
class Dockerfile:
    global_args: dict[str, str]
    stages: list[Stage]


def _logical_lines(text: str) -> list[str]:
    """Instructions one per line: continuations joined, comment lines dropped (as Docker
    does, also between the lines of one continued instruction)."""
    lines: list[str] = []
    current = ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        if current.strip():
            lines.append(current.strip())
        current = ""
    if current.strip():
        lines.append(current.strip())
    return lines


def _arg(value: str) -> tuple[str, str]:
    name, _, default = value.partition("=")
    return name.strip(), default.strip().strip('"')


def parse(text: str) -> Dockerfile:
    global_args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in _logical_lines(text):
        keyword, _, value = line.partition(" ")
        keyword, value = keyword.upper(), value.strip()
        if keyword == "FROM":
            words = [w for w in value.split() if not w.startswith("--platform")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(base=words[0], name=name))
        elif not stages:
            if keyword == "ARG":
                name, default = _arg(value)
                global_args[name] = default
        else:
            stages[-1].instructions.append(Instruction(keyword, value))
    return Dockerfile(global_args, stages)


def env_pairs(value: str) -> dict[str, str]:
    """ENV's key=value pairs (or its legacy `ENV KEY value` form)."""
    words = shlex.split(value)
    if words and "=" not in words[0]:
        return {words[0]: " ".join(words[1:])}
    return dict(word.partition("=")[::2] for word in words)


def _substitute(base: str, args: dict[str, str]) -> tuple[str, str | None]:
    """The image a FROM names, with a global ARG put in; and that ARG's name, if one."""
    found = re.fullmatch(r"\$\{?(\w+)\}?", base)
    if found:
        return args.get(found.group(1), ""), found.group(1)
    return base, None


def _has_version_tag(image: str) -> bool:
    repository, _, tag = image.rpartition(":")
    return bool(repository) and "/" not in tag and tag not in ("", "latest") and any(c.isdigit() for c in tag)


def base_image_problems(parsed: Dockerfile, docs: str) -> list[str]:
    problems = []
    earlier: set[str] = set()
    for stage in parsed.stages:
        image, arg = _substitute(stage.base, parsed.global_args)
        if stage.base in earlier or DIGEST.search(image):
            pass  # a stage of this file, or pinned by digest where it is named
        elif arg is None:
            problems.append(f"base image {image!r} is not pinned by digest")
        elif not _has_version_tag(image):
            problems.append(f"base image ARG {arg}={image!r} has no version tag")
        else:
            documented = re.findall(rf"--build-arg\s+{arg}=(\S+?)@sha256:", docs)
            if image not in documented:
                problems.append(
                    f"base image ARG {arg}={image!r}: docs/deployment.md does not document "
                    f"`--build-arg {arg}={image}@sha256:<digest>`"
                )
        if stage.name:
            earlier.add(stage.name)
    return problems


def _user_problems(final: Stage) -> list[str]:
    users = final.all("USER")
    if not users:
        return ["the final stage sets no USER: it would run as root"]
    uid = users[-1].split(":")[0]
    if not uid.isdigit():
        return [f"USER {users[-1]!r} is not numeric: runAsNonRoot cannot verify a name"]
    return ["USER is root (uid 0)"] if int(uid) == 0 else []


def _build_tool_problems(final: Stage) -> list[str]:
    problems = []
    for run in final.all("RUN"):
        for command in re.split(r"&&|;|\|\|", run):
            if INSTALLERS.search(command):
                packages = [w for w in command.split() if not w.startswith("-")]
                compilers = [p for p in packages if COMPILERS.match(p)]
                if compilers:
                    problems.append(f"the final stage installs build tools: {compilers}")
    return problems


def _role_problems(final: Stage) -> list[str]:
    problems = []
    entrypoint = final.all("ENTRYPOINT")
    if not entrypoint or json.loads(entrypoint[-1]) != ["python", "app.py"]:
        problems.append('ENTRYPOINT is not ["python", "app.py"]: one image, the command picks the role')
    cmd = final.all("CMD")
    if not cmd or json.loads(cmd[-1]) != ["serve"]:
        problems.append('CMD is not ["serve"]')
    return problems


def final_stage_problems(final: Stage, earlier_names: set[str]) -> list[str]:
    problems = []
    sources = {m.group(1) for c in final.all("COPY") if (m := re.search(r"--from=(\S+)", c))}
    if not sources & earlier_names:
        problems.append("not multi-stage: the final stage copies nothing from a builder stage")
    healthchecks = final.all("HEALTHCHECK")
    if not healthchecks or healthchecks[-1].upper() == "NONE":
        problems.append("no HEALTHCHECK in the final stage")
    env: dict[str, str] = {}
    for value in final.all("ENV"):
        env.update(env_pairs(value))
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED"):
        if env.get(name) != "1":
            problems.append(f"{name}=1 is not set in the final stage")
    return problems + _user_problems(final) + _build_tool_problems(final) + _role_problems(final)


def secret_problems(parsed: Dockerfile) -> list[str]:
    """Any stage counts: a builder's ENV or ARG survives in the image's history."""
    problems = []
    settings = [("ARG", name, default) for name, default in parsed.global_args.items()]
    for stage in parsed.stages:
        settings += [("ARG", *_arg(v)) for v in stage.all("ARG")]
        settings += [("ENV", k, v) for value in stage.all("ENV") for k, v in env_pairs(value).items()]
        for copy in stage.all("COPY") + stage.all("ADD"):
            sources = [w for w in copy.split() if not w.startswith("--")][:-1]
            problems += [f"copies key material or an env file: {s}" for s in sources if SECRET_FILE.search(s)]
    for keyword, name, value in settings:
        if value and SECRET_NAME.search(name):
            problems.append(
                f"{keyword} {name} carries a value: secrets come from the environment at run time"
            )
        elif SECRET_VALUE.search(value):
            problems.append(f"{keyword} {name} looks like a secret value")
    return problems


def check(text: str, docs: str) -> list[str]:
    parsed = parse(text)
    if len(parsed.stages) < 2:
        return ["not multi-stage: one FROM"]
    earlier = {s.name for s in parsed.stages[:-1] if s.name}
    return (
        base_image_problems(parsed, docs)
        + final_stage_problems(parsed.stages[-1], earlier)
        + secret_problems(parsed)
    )


# --- .dockerignore -------------------------------------------------------------------------

MUST_EXCLUDE = [
    ".venv/bin/python",
    ".git/config",
    "var/secret_key",
    "var/jwt_keys/k1.pem",
    "var/pools.sqlite3",
    "tests/unit/test_dockerfile.py",
    "bench/topology.py",
    "deploy/k8s/base/kustomization.yaml",
    "backend/__pycache__/config.cpython-311.pyc",
    "tls/server.key",
    "backend/somewhere/private.pem",
    ".env",
    "deploy/dev/.env.local",
    "requirements-test.txt",
]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored(path: str, ignore_text: str) -> bool:
    """Docker's rule: a path is left out when it, or a directory above it, matches; the last
    matching pattern wins, and `!pattern` puts a path back."""
    rules = []
    for raw in ignore_text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        rules.append((negate, _pattern_regex(line.lstrip("!").strip("/"))))
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for negate, regex in rules:
        if any(regex.fullmatch(p) for p in prefixes):
            result = not negate
    return result


def dockerignore_problems(ignore_text: str) -> list[str]:
    return [
        f".dockerignore lets {p} into the build context" for p in MUST_EXCLUDE if not ignored(p, ignore_text)
    ]


def copied_sources(parsed: Dockerfile) -> list[str]:
    return [
        source
        for stage in parsed.stages
        for copy in stage.all("COPY")
        if "--from=" not in copy
        for source in [w for w in copy.split() if not w.startswith("--")][:-1]
    ]


# --- the real files --------------------------------------------------------------------------


def test_the_dockerfile_passes_every_check() -> None:
    assert check(DOCKERFILE.read_text(), DEPLOYMENT_DOC.read_text()) == []


def test_the_base_image_is_the_python_the_project_is_tested_on() -> None:
    import platform

    parsed = parse(DOCKERFILE.read_text())
    image = parsed.global_args["PYTHON_IMAGE"]
    # Same minor version as the interpreter the tests run on (a patch release may differ).
    major, minor, _ = platform.python_version_tuple()
    assert re.fullmatch(rf"python:{major}\.{minor}\.\d+-slim-bookworm", image), image
    assert all(stage.base == "${PYTHON_IMAGE}" for stage in parsed.stages)


def test_the_dockerignore_keeps_state_secrets_and_tests_out() -> None:
    assert dockerignore_problems(DOCKERIGNORE.read_text()) == []


def test_the_image_copies_exactly_the_runtime_code_and_none_of_it_is_ignored() -> None:
    parsed = parse(DOCKERFILE.read_text())
    ignore = DOCKERIGNORE.read_text()
    sources = copied_sources(parsed)
    assert set(sources) == {*RUNTIME_CODE, "requirements.txt"}
    left_out = []
    for source in sources:
        path = ROOT / source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        assert files, f"COPY {source}: nothing there"
        for file in files:
            relative = file.relative_to(ROOT).as_posix()
            if "__pycache__" not in relative and ignored(relative, ignore):
                left_out.append(relative)
    assert left_out == [], f".dockerignore drops runtime files the image needs: {left_out}"


# --- each rule refuses a Dockerfile that breaks it --------------------------------------------

Mutation = Callable[[str], str]


def _replace(old: str, new: str) -> Mutation:
    def mutate(text: str) -> str:
        assert old in text, f"the mutation's anchor {old!r} is not in the Dockerfile"
        return text.replace(old, new)

    return mutate


def _in_final_stage(line: str) -> Mutation:
    return _replace("FROM ${PYTHON_IMAGE} AS runtime\n", f"FROM ${{PYTHON_IMAGE}} AS runtime\n{line}\n")


def _drop_healthcheck(text: str) -> str:
    changed = re.sub(r"\nHEALTHCHECK .*?\n(?=ENTRYPOINT)", "\n", text, flags=re.DOTALL)
    assert changed != text
    return changed


BROKEN = [
    (
        "base by tag only",
        _replace("FROM ${PYTHON_IMAGE} AS builder", "FROM python:3.11-slim AS builder"),
        "not pinned",
    ),
    (
        "latest tag",
        _replace("ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm", "ARG PYTHON_IMAGE=python:latest"),
        "no version tag",
    ),
    (
        "arg not documented",
        _replace("ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm", "ARG PYTHON_IMAGE=python:3.12.1-slim"),
        "does not document",
    ),
    ("no user", _replace("USER 10001:10001\n", ""), "no USER"),
    ("root user", _replace("USER 10001:10001", "USER 0"), "root"),
    ("named user", _replace("USER 10001:10001", "USER pools"), "not numeric"),
    (
        "compiler in final",
        _in_final_stage("RUN apt-get update && apt-get install -y --no-install-recommends gcc"),
        "build tools",
    ),
    ("dev headers in final", _in_final_stage("RUN apk add --no-cache libffi-dev"), "build tools"),
    ("secret env", _in_final_stage("ENV SECRET_KEY=changeme"), "SECRET_KEY carries a value"),
    (
        "secret arg",
        _replace("ARG PYTHON_IMAGE=", "ARG DATABASE_PASSWORD=hunter2\nARG PYTHON_IMAGE="),
        "DATABASE_PASSWORD",
    ),
    ("secret-looking value", _in_final_stage("ENV STRIPE=sk_live_abcdef"), "looks like a secret"),
    ("key file copied", _in_final_stage("COPY deploy/tls/server.key /app/"), "key material"),
    ("no healthcheck", _drop_healthcheck, "HEALTHCHECK"),
    ("healthcheck none", _replace("ENTRYPOINT [", "HEALTHCHECK NONE\nENTRYPOINT ["), "HEALTHCHECK"),
    (
        "single stage",
        _replace("COPY --from=builder /opt/venv /opt/venv", "RUN pip install -r /dev/null"),
        "multi-stage",
    ),
    (
        "another entrypoint",
        _replace('ENTRYPOINT ["python", "app.py"]', 'ENTRYPOINT ["gunicorn"]'),
        "ENTRYPOINT",
    ),
    ("another cmd", _replace('CMD ["serve"]', 'CMD ["worker"]'), "CMD"),
    (
        "writes bytecode",
        _replace("PYTHONDONTWRITEBYTECODE=1", "PYTHONDONTWRITEBYTECODE=0"),
        "PYTHONDONTWRITEBYTECODE",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [(m, e) for _, m, e in BROKEN], ids=[n for n, _, _ in BROKEN]
)
def test_a_dockerfile_that_breaks_a_rule_is_refused(mutate: Mutation, expected: str) -> None:
    problems = check(mutate(DOCKERFILE.read_text()), DEPLOYMENT_DOC.read_text())
    assert any(expected in p for p in problems), problems


def test_a_base_pinned_by_digest_in_the_from_line_needs_no_build_arg() -> None:
    pinned = "python:3.11.7-slim-bookworm@sha256:" + "0" * 64
    text = DOCKERFILE.read_text().replace("${PYTHON_IMAGE}", pinned)
    assert check(text, docs="") == []
    assert any("not pinned" in p for p in check(text.replace("@sha256:" + "0" * 64, ""), docs=""))


def test_the_build_arg_must_be_documented_in_the_deployment_doc() -> None:
    docs = re.sub(r"--build-arg PYTHON_IMAGE=\S+", "", DEPLOYMENT_DOC.read_text())
    assert any("does not document" in p for p in check(DOCKERFILE.read_text(), docs))


@pytest.mark.parametrize("line", [".venv", ".git", "var", "tests", "**/*.pem", "**/*.key", "**/*.env"])
def test_a_dockerignore_without_a_rule_lets_that_path_in(line: str) -> None:
    text = DOCKERIGNORE.read_text()
    assert f"\n{line}\n" in text
    assert dockerignore_problems(text.replace(f"\n{line}\n", "\n")) != []


def test_the_dockerignore_matcher_follows_dockers_rules() -> None:
    rules = "var\n**/*.pem\n!keep/ca.pem\n*.md\n"
    assert ignored("var/x/y", rules) and ignored("a/b/c.pem", rules) and ignored("c.pem", rules)
    assert not ignored("keep/ca.pem", rules)  # put back by the later `!` rule
    assert ignored("README.md", rules) and not ignored("docs/x.md", rules)  # `*` stays in one directory
    assert not ignored("variable.py", rules)
