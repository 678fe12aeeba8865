"""The index on disk: generations, the atomic swap, and the full rebuild.

`path` is a symlink to a generation directory `path.gen-<ns>`. A full rebuild
writes a new generation and swaps the symlink with one rename; the previous
generation is kept for readers that have not reloaded yet, older ones are removed.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import tantivy

from comptoir.search.analysis import build_schema, make_analyzers, register_analyzers, to_tantivy
from comptoir.search.documents import OfferDoc

BUILD_HEAP_BYTES = 1_000_000_000


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
    batch_size: int = 50_000,
    tie_salt: str = "",
) -> BuildStats:
    """Full rebuild: index every offer into a new generation, then swap it in atomically.
    `tie_salt`: the node's salt of the tie-break key (the writer must use the same)."""
    path = Path(path)
    started = time.perf_counter()
    generation = new_generation(path)
    index = tantivy.Index(build_schema(), str(generation))
    register_analyzers(index, make_analyzers())
    writer = index.writer(heap_bytes, num_threads)
    offers = 0
    for batch in _batches(docs, batch_size):
        for doc in batch:
            writer.add_document(to_tantivy(doc, tie_salt))
        offers += len(batch)
    writer.commit()
    writer.wait_merging_threads()
    swap_in(path, generation)
    size = sum(f.stat().st_size for f in generation.iterdir() if f.is_file())
    return BuildStats(path, generation, offers, time.perf_counter() - started, size)


def _batches(docs: Iterable[OfferDoc], size: int) -> Iterable[Sequence[OfferDoc]]:
    batch: list[OfferDoc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
