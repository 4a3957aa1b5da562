"""requirements.txt pins what the running platform imports, and nothing else: test and lint
tools live in requirements-test.txt, so a production image carries no test code."""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_CODE = ["app.py", "backend", "ledger", "reports", "portal", "notifications", "sql"]
FIRST_PARTY = {"app", "backend", "ledger", "reports", "portal", "notifications", "sql", "tests"}

# Pinned but never imported by name: each is reached another way, said here.
REACHED_WITHOUT_IMPORT = {
    "pymysql": "SQLAlchemy's mysql+pymysql:// driver",
    "gunicorn": "`app.py serve` runs it as a program",
    "cryptography": "PyJWT's RS256/ES256 keys need it",
    "pydantic-settings": "imported as pydantic_settings",
}


def _pins(name: str) -> set[str]:
    names = set()
    for raw in (ROOT / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            names.add(re.split(r"[=<>~!]", line, maxsplit=1)[0].strip().lower().replace("_", "-"))
    return names


def _top_level_imports() -> set[str]:
    found: set[str] = set()
    for entry in RUNTIME_CODE:
        path = ROOT / entry
        for source in [path] if path.is_file() else sorted(path.rglob("*.py")):
            for node in ast.walk(ast.parse(source.read_text(), str(source))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - FIRST_PARTY - set(sys.stdlib_module_names) - {"__future__"}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    by_module = packages_distributions()
    return {m: {d.lower().replace("_", "-") for d in by_module.get(m, [])} for m in modules}


def test_every_third_party_import_of_the_runtime_is_pinned_in_requirements_txt() -> None:
    runtime = _pins("requirements.txt")
    unpinned = {m: d for m, d in _distributions(_top_level_imports()).items() if not d & runtime}
    assert unpinned == {}, f"imported by runtime code but not pinned in requirements.txt: {unpinned}"


def test_requirements_txt_pins_nothing_the_runtime_does_not_import() -> None:
    imported = set().union(*_distributions(_top_level_imports()).values())
    unused = _pins("requirements.txt") - imported - {d.lower() for d in REACHED_WITHOUT_IMPORT}
    assert unused == set(), f"pinned in requirements.txt but not imported at runtime: {unused}"


def test_test_tools_are_not_runtime_pins() -> None:
    tools = {"pytest", "pytest-xdist", "hypothesis", "selenium", "ruff", "mypy", "import-linter", "pandas"}
    assert tools <= _pins("requirements-test.txt")
    assert tools & _pins("requirements.txt") == set()
