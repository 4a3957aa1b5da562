"""Files that background jobs prepare (exports, statements) and the route that hands them out.

A job writes its file under ``VAR_DIR/downloads`` with a random name, first as ``.part`` and
renamed when complete, so a file with its final name is always whole; a cancelled or failed
job deletes its partial file. The job returns a link ``/downloads/<token>``: the token is
signed with the server's secret key and names the file, the download name and the user who
asked for it, and expires with the file. The route (behind the login guard, like every
route) serves the file only to that same user; anyone else gets 404, as if it did not exist.

Files older than FILE_TTL_SECONDS are removed whenever a job starts or a file is fetched. With
Celery the worker writes the file and an app server serves it, so VAR_DIR must be the same
directory for both: one host, or a shared volume (docs/operations.md).
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, send_file
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.context import services
from portal.shell.session import current_actor

FILE_TTL_SECONDS = 3600
DOWNLOADS = "downloads"
ROUTE = "/downloads/<token>"
ENDPOINT = "portal_download"
_SALT = "portal.job-download"
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")
_MIMETYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Prepared:
    """A finished file, as a job reports it."""

    url: str
    download_name: str
    size: int
    rows: int


def downloads_dir() -> Path:
    """Where this deployment's job files live (created on first use)."""
    path = services().settings.var_dir / DOWNLOADS
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep(directory: Path, max_age_seconds: float = FILE_TTL_SECONDS, now: float | None = None) -> int:
    """Delete job files (finished or partial) older than `max_age_seconds`; how many went."""
    cutoff = (now if now is not None else time.time()) - max_age_seconds
    removed = 0
    for path in directory.glob("*"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another server swept it first
            continue
    return removed


@contextmanager
def pending_file(directory: Path, extension: str) -> Iterator[Path]:
    """A new file to write at the yielded ``.part`` path; on leaving the block it is renamed
    to its final name (``<random>.<extension>``), or deleted if the block raised (including
    a cancelled job)."""
    if extension not in _MIMETYPES:
        raise ValueError(f"unsupported download type {extension!r}")
    final = directory / f"{secrets.token_hex(16)}.{extension}"
    part = final.with_name(final.name + ".part")
    try:
        yield part
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    part.replace(final)


def final_name(part: Path) -> str:
    return part.name.removesuffix(".part")


def _serializer(secret: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def download_token(secret: str | bytes, user_id: int, stored_name: str, download_name: str) -> str:
    return _serializer(secret).dumps({"u": user_id, "f": stored_name, "n": download_name})


def read_token(
    secret: str | bytes, token: str, max_age: int = FILE_TTL_SECONDS
) -> tuple[int, str, str] | None:
    """(user id, stored name, download name) of a valid, unexpired token; else None."""
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user, stored, name = data.get("u"), data.get("f"), data.get("n")
    if not isinstance(user, int) or not isinstance(stored, str) or not isinstance(name, str):
        return None
    if not _STORED_NAME.fullmatch(stored):
        return None
    return user, stored, name


def download_url(user_id: int, part: Path, download_name: str) -> str:
    """The link to a finished job file, for `user_id` only (call inside the job's app context)."""
    return (
        f"/downloads/{download_token(current_app.secret_key or '', user_id, final_name(part), download_name)}"
    )


def _serve(token: str) -> Response:
    actor = current_actor()
    found = read_token(current_app.secret_key or "", token)
    if actor is None or found is None or found[0] != actor.user_id:
        abort(404)
    _, stored, name = found
    directory = downloads_dir()
    sweep(directory)
    path = directory / stored
    if not path.is_file():
        abort(404)  # expired and swept
    response = send_file(
        os.fspath(path),
        mimetype=_MIMETYPES[stored.rsplit(".", 1)[1]],
        as_attachment=True,
        download_name=name,
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def install_downloads(server: Flask) -> None:
    """The download route; the login guard in front of it refuses anyone without a session."""
    server.add_url_rule(ROUTE, endpoint=ENDPOINT, view_func=_serve, methods=["GET"])
