"""The JSON folder: what differs from the generator's output, and writing it."""

from __future__ import annotations

from pathlib import Path


def differences(folder: Path, files: dict[str, str]) -> list[str]:
    """What differs between `folder` and what the generator would write there."""
    found = []
    for name, text in sorted(files.items()):
        path = folder / name
        if not path.exists():
            found.append(f"missing: {path}")
        elif path.read_bytes() != text.encode():
            found.append(f"differs: {path}")
    found += [f"not generated: {path}" for path in sorted(folder.glob("*.json")) if path.name not in files]
    return found


def write(folder: Path, files: dict[str, str]) -> None:
    """Write the files that differ and remove JSON files no dashboard writes."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in sorted(files.items()):
        path = folder / name
        if not path.exists() or path.read_bytes() != text.encode():
            path.write_bytes(text.encode())
            print(f"wrote {path}")
    for stale in sorted(folder.glob("*.json")):
        if stale.name not in files:
            stale.unlink()
            print(f"removed {stale} (no dashboard writes it)")
