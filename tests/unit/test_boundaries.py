"""Service boundaries, enforced: a service's tables are reached only through its methods.

- `<service>.models` may be imported only from inside that service's package, and by the
  Alembic environment (which must see every table).
- The portal never builds SQL: it imports neither SQLAlchemy nor any models module.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app.py", "backend", "portal", "ledger", "reports", "notifications", "sql", "bench")
MIGRATION_ENV = "sql.all_models"


def _modules() -> Iterator[tuple[str, Path]]:
    for top in PACKAGES:
        path = ROOT / top
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            rel = file.relative_to(ROOT).with_suffix("")
            yield ".".join(p for p in rel.parts if p != "__init__"), file


def _imports(file: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def test_models_are_private_to_their_service() -> None:
    offenders = []
    for module, file in _modules():
        if module == MIGRATION_ENV:
            continue
        for imported in _imports(file):
            if not imported.endswith(".models"):
                continue
            owner = imported.rsplit(".", 1)[0]
            if not (module == owner or module.startswith(owner + ".")):
                offenders.append(f"{module} imports {imported}")
    assert offenders == [], "reach another service through its interface, not its tables"


def test_portal_builds_no_sql() -> None:
    offenders = [
        f"{module} imports {imported}"
        for module, file in _modules()
        if module.startswith("portal")
        for imported in _imports(file)
        if imported.split(".")[0] == "sqlalchemy" or imported.endswith(".models")
    ]
    assert offenders == []


def test_the_boundary_check_sees_the_services() -> None:
    # Guards the guard: if the walk found nothing, the tests above would pass vacuously.
    modules = dict(_modules())
    assert "backend.users.models" in modules and MIGRATION_ENV in modules
    assert "backend.users.models" in set(_imports(modules[MIGRATION_ENV]))


def test_no_module_is_imported_by_name_at_run_time() -> None:
    """import-linter sees `import x` wherever it is written, but not `import_module("x")`:
    an import by string would hide a dependency, and so a cycle, from the layer contracts."""
    offenders = []
    for module, file in _modules():
        if module.startswith("bench"):
            continue  # benchmarks load optional comparison libraries when installed
        by_name = {"importlib", "importlib.import_module"} & set(_imports(file))
        if by_name or "__import__(" in file.read_text():
            offenders.append(module)
    assert offenders == []


def test_the_layer_contracts_are_in_force() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert 'type = "layers"' in text and 'type = "acyclic_siblings"' in text
    assert "lint-imports" in (ROOT / "Makefile").read_text()


SERVICES = (
    "backend.users",
    "backend.auth",
    "backend.audit",
    "backend.pools",
    "backend.investors",
    "backend.payments",
    "ledger",
    "reports",
    "notifications",
)


def test_every_service_module_but_its_interface_is_protected() -> None:
    """The protected contracts list modules by name; a module added to a service later must
    join its contract, or callers could reach it past the interface unnoticed."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    protected = {module for c in contracts if c["type"] == "protected" for module in c["protected_modules"]}
    modules = {module for module, _ in _modules()}
    for service in SERVICES:
        inside = {
            m for m in modules if m.startswith(service + ".") and m.count(".") == service.count(".") + 1
        }
        assert f"{service}.interface" in inside, f"{service} has no interface module"
        unprotected = inside - protected - {f"{service}.interface"}
        assert unprotected == set(), f"add to {service}'s protected contract: {sorted(unprotected)}"
