"""In-engine search benchmark: build a generated network catalog, then time realistic queries.

    .venv/bin/python bench/search.py --offers 1000000 --shops 3000 --index /tmp/search-1m/index
    .venv/bin/python bench/search.py --reuse /tmp/search-1m/index   # query it again, no rebuild

Prints build time, index size, peak RSS, p50/p95/p99 latencies of plain, near,
filtered (in stock + max price + 5 km), facet and grouped queries, each as wall-clock
time and as the thread's CPU time (on a shared machine the wall clock mostly measures
the other jobs: the load average is printed beside), and known-item success@10 with
and without a typo, per offer and grouped. Figures only, never assertions: see
docs/decisions/0004. `--reuse` regenerates the same catalog (same seed) to sample the
known items, so it must be given the --offers/--shops/--seed the index was built with.

Known-item success: a query is 2–3 words of one sampled offer's own French name
(accents dropped in half of them, one typo in a third). It succeeds when that
offer, or an offer whose name has the very same text, is in the top 10: the
generated catalog sells the same product in many shops, and those offers are
indistinguishable to a text query.

`--origins` gives 40 % of the offers an origin (0–800 km from the node's centre, the rest
unknown) and `--local-weight W` sets the local-origin factor's weight (decision 0015; 0, the
default, is the three-factor ranking); with origins, a sixth kind of query keeps local offers only.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import random
import re
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from catalog_gen import REGION_CENTER, REGION_RADIUS_KM, generate_offers
from comptoir.search.documents import OfferDoc, RankingWeights, SearchQuery, fold_text
from comptoir.search.engine import SearchIndex, build

DEFAULT_INDEX = Path(__file__).resolve().parent / "out" / "search-index"


@dataclass(frozen=True)
class KnownItem:
    text: str
    target: OfferDoc
    typo: bool


def sampled(
    docs: Iterator[OfferDoc], keep: list[OfferDoc], rate: float, rng: random.Random
) -> Iterator[OfferDoc]:
    for doc in docs:
        if rng.random() < rate:
            keep.append(doc)
        yield doc


def with_origins(docs: Iterator[OfferDoc], seed: int) -> Iterator[OfferDoc]:
    """40 % of the offers get an origin 0–800 km away (a supplier), the others none."""
    rng = random.Random(seed + 1)
    for doc in docs:
        if rng.random() < 0.4:
            yield dataclasses.replace(doc, origin_km=rng.uniform(0, 800), supplier_name="Fournisseur")
        else:
            yield doc


def one_typo(word: str, rng: random.Random) -> str:
    """One edit (swap, drop, replace or insert a letter), never on the first letter."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "replace", "insert"])
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "replace":
        return word[:i] + letter + word[i + 1 :]
    return word[:i] + letter + word[i:]


def known_item(doc: OfferDoc, rng: random.Random, typo: bool, df: Counter[str]) -> KnownItem | None:
    """The 2–3 rarest words of the name, in name order: what someone who knows the item would type."""
    words: list[str] = []
    seen: set[str] = set()
    for w in re.split(r"[\s,&()/'\"-]+", doc.name_fr):
        # One entry per word whatever its case or accents: "Peppercorn … peppercorn" is one word.
        if len(w) >= 3 and w.isalnum() and fold_text(w) not in seen:
            seen.add(fold_text(w))
            words.append(w)
    if len(words) < 2:
        return None
    rarest = set(sorted(words, key=lambda w: (df[fold_text(w)], w))[: rng.choice([2, 3])])
    chosen = [w for w in words if w in rarest]
    if rng.random() < 0.5:
        chosen = [fold_text(w) for w in chosen]
    if typo:
        long_words = [i for i, w in enumerate(chosen) if len(w) >= 5 and w.isalpha()]
        if not long_words:
            return None
        i = rng.choice(long_words)
        chosen[i] = one_typo(chosen[i], rng)
    return KnownItem(" ".join(chosen).lower(), doc, typo)


def make_known_items(sample: list[OfferDoc], count: int, rng: random.Random) -> list[KnownItem]:
    df = Counter(w for doc in sample for w in set(fold_text(doc.name_fr).split()))
    items: list[KnownItem] = []
    for doc in sample:
        item = known_item(doc, rng, typo=len(items) % 3 == 2, df=df)
        if item is not None:
            items.append(item)
        if len(items) >= count:
            break
    return items


def one_word_queries(sample: list[OfferDoc], count: int, rng: random.Random) -> list[str]:
    words = [w for d in sample for w in d.name_fr.split() if len(w) >= 4 and w.isalpha()]
    return [rng.choice(words).lower() for _ in range(count)]


def random_point(rng: random.Random) -> tuple[float, float]:
    lat_km, lon_km = rng.uniform(-1, 1) * REGION_RADIUS_KM * 0.7, rng.uniform(-1, 1) * REGION_RADIUS_KM * 0.7
    return REGION_CENTER[0] + lat_km / 110.57, REGION_CENTER[1] + lon_km / 77.8


def timed(run: Callable[[], object], cpu: list[float]) -> tuple[float, object]:
    """Wall-clock ms; the thread's CPU ms go to `cpu` (the share of the wait that load does not explain)."""
    started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
    result = run()
    cpu.append((time.thread_time_ns() - started_cpu) / 1e6)
    return (time.perf_counter_ns() - started) / 1e6, result


def percentiles(ms: list[float]) -> str:
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"p50 {q[49]:.2f} ms  p95 {q[94]:.2f} ms  p99 {q[98]:.2f} ms  max {max(ms):.2f} ms  (n={len(ms)})"


def success(result, item: KnownItem) -> bool:
    wanted = fold_text(item.target.name_fr)
    return any(h.offer_id == item.target.offer_id or fold_text(h.name) == wanted for h in result.hits[:10])


def run_queries(
    index: SearchIndex, texts: list[str], items: list[KnownItem], rng: random.Random, local: bool = False
) -> None:
    for text in texts[:200]:  # warm caches (page cache, term dictionaries)
        index.search(SearchQuery(text=text))
    kinds = ["plain (top 20)", "near, no radius", "filtered (stock+price+5km)", "facets (+ top 20)"]
    kinds.append("grouped, near (20 groups)")
    if local:
        kinds.append("local only, near")
    wall: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    load_start = load()
    for text in texts:
        point = random_point(rng)
        queries = [
            SearchQuery(text=text, limit=20),
            SearchQuery(text=text, near=point, limit=20),
            SearchQuery(
                text=text, near=point, radius_km=5, in_stock_only=True, max_price_cents=800, limit=20
            ),
            SearchQuery(text=text, limit=20, with_facets=True),
            SearchQuery(text=text, near=point, limit=20, group=True),
        ]
        if local:
            queries.append(SearchQuery(text=text, near=point, limit=20, local_only=True, local_radius_km=100))
        for kind, query in zip(kinds, queries, strict=True):
            ms, _ = timed(lambda q=query: index.search(q), cpu[kind])
            wall[kind].append(ms)
    print(f"load (1/5/15 min) before the timed queries {load_start}, after {load()}")
    for kind in kinds:
        print(f"{kind:27} wall {percentiles(wall[kind])}")
        print(f"{'':27} cpu  {percentiles(cpu[kind])}")
    for typo, group in itertools.product((False, True), (False, True)):
        subset = [i for i in items if i.typo == typo]
        ok = sum(success(index.search(SearchQuery(text=i.text, limit=10, group=group)), i) for i in subset)
        label = ("one typo" if typo else "no typo ") + (", grouped" if group else ", offers ")
        print(f"known-item success@10 {label}: {ok / max(1, len(subset)):.3f} ({ok}/{len(subset)})")


def show_failures(index: SearchIndex, items: list[KnownItem], limit: int) -> None:
    shown = 0
    for item in items:
        result = index.search(SearchQuery(text=item.text, limit=10, group=True))
        if not success(result, item) and shown < limit:
            print(
                f"  miss {item.text!r} -> want {item.target.name_fr!r};"
                f" got {[h.name for h in result.hits[:3]]}"
            )
            shown += 1


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="In-engine search benchmark")
    parser.add_argument("--offers", type=int, default=1_000_000)
    parser.add_argument("--shops", type=int, default=3000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="DIR",
        help="skip the build and query the index already built at DIR (same --offers/--shops/--seed)",
    )
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--origins", action="store_true", help="give 40 %% of the offers an origin")
    parser.add_argument("--local-weight", type=float, default=0.0, help="the local-origin factor's weight")
    parser.add_argument("--api", metavar="URL", help="end-to-end through the HTTP API: NOT IMPLEMENTED YET")
    args = parser.parse_args()
    if args.api:
        sys.exit("--api is not implemented yet: it waits for the Django search API.")

    rng = random.Random(args.seed)
    sample: list[OfferDoc] = []
    rate = min(1.0, 20 * args.queries / args.offers)
    generated = generate_offers(args.offers, args.shops, args.seed)
    if args.origins:
        generated = with_origins(generated, args.seed)
    docs = sampled(generated, sample, rate, rng)
    if args.reuse:
        args.index = args.reuse
        for _ in docs:
            pass
    else:
        args.index.parent.mkdir(parents=True, exist_ok=True)
        stats = build(args.index, docs, num_threads=args.threads)
        print(
            f"build: {stats.offers} offers in {stats.seconds:.1f} s (generation included), "
            f"{stats.bytes_on_disk / 1e6:.0f} MB on disk, peak RSS {peak_rss_mb():.0f} MB"
        )
    rss_before = peak_rss_mb()
    index = SearchIndex.open(args.index, weights=RankingWeights(local=args.local_weight))
    index.search(SearchQuery(text="x"))  # loads the per-reader shop map and statistics
    print(f"reader opened: peak RSS {rss_before:.0f} -> {peak_rss_mb():.0f} MB; load {load()}")
    rng.shuffle(sample)
    items = make_known_items(sample, args.queries, rng)
    texts = [i.text for i in items[: args.queries * 2 // 3]] + one_word_queries(
        sample, args.queries // 3, rng
    )
    rng.shuffle(texts)
    print(f"index: {index.count()} offers; {len(texts)} queries ({len(items)} known-item)")
    print(f"local-origin weight {args.local_weight:g}; origins: {'40 %' if args.origins else 'none'}")
    run_queries(index, texts, items, rng, local=args.origins)
    if args.show_misses:
        show_failures(index, items, args.show_misses)
    print(f"peak RSS {peak_rss_mb():.0f} MB; load {load()}")


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg()) + " (1/5/15 min)"


if __name__ == "__main__":
    main()
