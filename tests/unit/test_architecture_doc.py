"""docs/architecture.md stays true: its layout table names every folder of the tree (and
nothing that is not there), and every command `app.py` offers."""

from __future__ import annotations

import posixpath
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()
LAYOUT = DOC[DOC.index("## Layout") : DOC.index("## Layers")]


def _named_paths() -> set[str]:
    """Every `path` the first column of the layout table names, `backend/users/`, `auth/`
    style shorthands expanded against the entry before them."""
    named: set[str] = set()
    for line in LAYOUT.splitlines():
        if not line.startswith("| `"):
            continue
        first = line.split("|")[1]
        parent = ""
        for item in re.findall(r"`([^`]+)`", first):
            path = item.rstrip("/")
            if "/" in path:
                parent = posixpath.dirname(path)
            else:
                path = posixpath.join(parent, path)
            named.add(path)
    return named


def _tree() -> set[str]:
    tracked = subprocess.check_output(["git", "ls-files"], cwd=ROOT, text=True).split()
    top = {p.split("/")[0] for p in tracked if not p.startswith(".") and "/" in p}
    top |= {p for p in tracked if "/" not in p and p.endswith(".py")}
    backend = {"/".join(p.split("/")[:2]) for p in tracked if p.startswith("backend/") and p.count("/") >= 2}
    backend |= {p for p in tracked if p.startswith("backend/") and p.count("/") == 1}
    backend.discard("backend/__init__.py")
    return (top - {"docs", "backend"}) | backend  # backend/ is named by its parts


def test_the_layout_table_names_every_folder_and_nothing_else() -> None:
    named, tree = _named_paths(), _tree()
    assert tree - named == set(), f"in the tree but not in docs/architecture.md: {sorted(tree - named)}"
    assert named - tree == set(), f"in docs/architecture.md but not in the tree: {sorted(named - tree)}"


def test_the_layout_table_lists_every_command_of_the_cli() -> None:
    usage = subprocess.check_output([sys.executable, "app.py", "--help"], cwd=ROOT, text=True)
    commands = re.search(r"\{([a-z,]+)\}", usage)
    assert commands is not None, usage
    cli_row = next(line for line in LAYOUT.splitlines() if line.startswith("| `app.py`"))
    missing = [c for c in commands.group(1).split(",") if f"`{c}" not in cli_row]
    assert missing == [], f"app.py commands missing from docs/architecture.md: {missing}"


# `a/b`, `a/b.py`, `a/b/`: a path from the root. A lone `auth/` in a table is a shorthand.
_QUALIFIED_PATH = re.compile(r"`([\w.-]+/[\w.-]+(?:/[\w.-]+)*/?)(?::[\w.]+)?`")


def test_every_path_the_docs_name_exists() -> None:
    """A doc naming `ledger/batch.py` after it became a package misleads the next reader:
    every qualified path in README.md and docs/ exists (run-time files under var/ aside)."""
    missing = []
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for path in sorted(set(_QUALIFIED_PATH.findall(doc.read_text()))):
            if path.startswith(("var/", "VAR_DIR/")):
                continue
            if not (ROOT / path).exists():
                missing.append(f"{doc.name}: {path}")
    assert missing == []
