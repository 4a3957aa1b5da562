"""A small progress bar for long-running commands (no dependency).

On a terminal it redraws one line in place: label, bar, percentage, count, rate and ETA,
at most ten times a second. When the stream is not a terminal (a log file, CI, a pipe) it
stays quiet and prints only the final line, so logs are not flooded with redraws.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

_WIDTH = 24
_REDRAW_SECONDS = 0.1


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Progress:
    """``with Progress(total, "posting") as bar: bar.advance()``; ``total`` may grow later."""

    def __init__(
        self,
        total: int,
        label: str,
        *,
        stream: TextIO | None = None,
        unit: str = "it",
        clock: Callable[[], float] = time.monotonic,
        tty: bool | None = None,
    ) -> None:
        self.total = max(0, total)
        self.label = label
        self.unit = unit
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._clock = clock
        self._tty = self._stream.isatty() if tty is None else tty
        self._started = clock()
        self._drawn_at = 0.0
        self._closed = False
        self._lock = threading.Lock()
        self.extra = ""
        """Free text shown after the figures, e.g. "42,000 postings"."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def elapsed(self) -> float:
        return self._clock() - self._started

    def advance(self, n: int = 1) -> None:
        with self._lock:  # pools post from several threads
            self.done += n
        if self._tty:
            now = self._clock()
            if now - self._drawn_at >= _REDRAW_SECONDS or self.done >= self.total:
                self._drawn_at = now
                self._stream.write("\r" + self.line() + "\x1b[K")
                self._stream.flush()

    def line(self) -> str:
        elapsed = self.elapsed
        rate = self.done / elapsed if elapsed > 0 else 0.0
        extra = f"  {self.extra}" if self.extra else ""
        if self.total:
            fraction = min(1.0, self.done / self.total)
            filled = int(fraction * _WIDTH)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            eta = (self.total - self.done) / rate if rate > 0 and self.done < self.total else 0.0
            return (
                f"{self.label} [{bar}] {fraction:4.0%} {self.done}/{self.total} {self.unit} "
                f"{rate:,.1f}/s ETA {_duration(eta)}{extra}"
            )
        return f"{self.label} {self.done} {self.unit} {rate:,.1f}/s{extra}"

    def final_line(self) -> str:
        elapsed = self.elapsed
        rate = self.done / elapsed if elapsed > 0 else 0.0
        extra = f"  {self.extra}" if self.extra else ""
        return f"{self.label}: {self.done} {self.unit} in {elapsed:.1f}s ({rate:,.1f}/s){extra}"

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        prefix = "\r" if self._tty else ""
        suffix = "\x1b[K" if self._tty else ""
        self._stream.write(prefix + self.final_line() + suffix + "\n")
        self._stream.flush()
