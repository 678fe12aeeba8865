"""The index on disk: generations, the atomic swap, and the full rebuild.

`path` is a symlink to a generation directory `path.gen-<ns>`. A full rebuild
writes a new generation and swaps the symlink with one rename; the previous
generation is kept for readers that have not reloaded yet, older ones are removed.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import tantivy

from comptoir.search.analysis import build_schema, make_analyzers, register_analyzers, to_tantivy
from comptoir.search.documents import OfferDoc

# The rebuild's tantivy writer heap, shared by its threads: it bounds the memory of a full
# rebuild whatever the catalog's size (1 GB made the rebuild peak at ~614 MB with 1M offers, which
# with the web and worker processes passed the node's 1 GB; measured figures in docs/frugal.md).
BUILD_HEAP_BYTES = 96_000_000


@dataclass(frozen=True, slots=True)
class BuildStats:
    path: Path
    generation: Path
    offers: int
    seconds: float
    bytes_on_disk: int


def build(
    path: str | Path,
    docs: Iterable[OfferDoc],
    heap_bytes: int = BUILD_HEAP_BYTES,
    num_threads: int = 2,
    tie_salt: str = "",
) -> BuildStats:
    """Full rebuild: index every offer into a new generation, then swap it in atomically.
    `tie_salt`: the node's salt of the tie-break key (the writer must use the same).
    `docs` is consumed one at a time, never held: the memory is the writer's heap, whatever the catalog's size."""
    path = Path(path)
    started = time.perf_counter()
    generation = new_generation(path)
    index = tantivy.Index(build_schema(), str(generation))
    register_analyzers(index, make_analyzers())
    writer = index.writer(heap_bytes, num_threads)
    offers = 0
    for doc in docs:
        writer.add_document(to_tantivy(doc, tie_salt))
        offers += 1
    writer.commit()
    writer.wait_merging_threads()
    swap_in(path, generation)
    size = sum(f.stat().st_size for f in generation.iterdir() if f.is_file())
    return BuildStats(path, generation, offers, time.perf_counter() - started, size)


def new_generation(path: Path) -> Path:
    generation = path.parent / f"{path.name}.gen-{time.time_ns()}"
    generation.mkdir(parents=True)
    tantivy.Index(build_schema(), str(generation))
    return generation


def swap_in(path: Path, generation: Path) -> None:
    """Point `path` at `generation` with one rename; keep the previous generation for
    readers that have not reloaded yet, delete the older ones."""
    previous = resolve_generation(path) if path.is_symlink() else None
    if path.exists() and not path.is_symlink():
        path.rename(path.parent / f"{path.name}.gen-legacy-{time.time_ns()}")
    link = path.parent / f".{path.name}.swap-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(generation.name, link)
    os.replace(link, path)
    keep = {generation.resolve(), previous}
    for old in path.parent.glob(f"{path.name}.gen-*"):
        if old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)


def resolve_generation(path: Path) -> Path:
    return path.resolve()


def open_tantivy(path: Path) -> tantivy.Index:
    index = tantivy.Index.open(str(path.resolve()))
    return index
