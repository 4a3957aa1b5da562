"""Where to send a user after login: only a path on this site, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit

# The login and logout endpoints themselves are never a useful destination.
_NOT_DESTINATIONS = ("/login", "/logout")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a same-site relative path, else None.

    Browsers read `//host`, `/\\host` and paths with tabs or newlines stripped out
    (`/\\t/host`) as another host, so anything but a plain absolute path is refused.
    """
    if not target or len(target) > 2048:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if parts.path.rstrip("/") in _NOT_DESTINATIONS:
        return None
    return target
