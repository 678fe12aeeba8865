"""A one-line progress bar for long commands (imports, index rebuilds, backups) on stderr."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

Progress = Callable[[int], None]


class ProgressBar:
    """Called with the count done so far: draws rows done, rows per second, and % when the total is known."""

    def __init__(self, total: int | None, unit: str = "rows", stream: TextIO | None = None) -> None:
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()

    def __call__(self, done: int) -> None:
        elapsed = max(1e-6, time.perf_counter() - self.started)
        rate = done / elapsed
        if self.total:
            share = min(1.0, done / self.total)
            bar = "#" * int(share * 30)
            line = f"\r[{bar:<30}] {share:6.1%} {done:>10,} {self.unit} {rate:>9,.0f} {self.unit}/s"
        else:
            line = f"\r{done:>10,} {self.unit} {rate:>9,.0f} {self.unit}/s"
        self.stream.write(line)
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def counted[T](items: Iterable[T], progress: Progress | None, every: int = 1000) -> Iterator[T]:
    """Yield `items` unchanged, telling `progress` the count every `every` items and at the end."""
    done = 0
    for done, item in enumerate(items, start=1):
        if progress and done % every == 0:
            progress(done)
        yield item
    if progress:
        progress(done)
