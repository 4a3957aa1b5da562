"""A PDF handed to the browser through dcc.Download."""

from __future__ import annotations

import base64
from typing import Any


def pdf_download(content: bytes, filename: str) -> dict[str, Any]:
    """What dcc.send_bytes builds, written out (its stub is untyped): dcc.Download takes the
    file as base64 with its name and type."""
    return {
        "content": base64.b64encode(content).decode(),
        "filename": filename,
        "type": "application/pdf",
        "base64": True,
    }
