"""A one-line progress bar on stderr for the privacy commands (backup, restore, bundles)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

# Told the stage of a long export or backup, how much of it is done and out of how much.
StageProgress = Callable[[str, int, int], None]


class StageBar:
    """`[#####     ]  50.0 % database` redrawn in place; a new line when the stage changes."""

    def __init__(self, out: TextIO | None = None, width: int = 30) -> None:
        self.out = out or sys.stderr
        self.width = width
        self.stage = ""
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            if self.stage:
                self.out.write("\n")
            self.stage, self.started = stage, time.perf_counter()
        share = min(1.0, done / total) if total else 1.0
        bar = "#" * int(share * self.width)
        seconds = time.perf_counter() - self.started
        self.out.write(f"\r[{bar:<{self.width}}] {share:6.1%} {stage} ({done}/{total}, {seconds:.1f} s)")
        self.out.flush()

    def close(self) -> None:
        if self.stage:
            self.out.write("\n")
            self.out.flush()
