"""Chains in grouped results: for each product shown, each chain's nearest branch that has it.

A chain's branches sell the same product (decision 0016), so a group holds one offer per
branch. The group stays one result; this adds, per chain, the branch a resident would go
to — the nearest with the product in stock, else the nearest — at that branch's own price,
and how many other branches sell it. It changes no score and no order: ranking is
`ranking.py`'s. No Django.
"""

from __future__ import annotations

from collections.abc import Callable

import tantivy

from comptoir.search.analysis import CHAIN_FIELD, TIE_FIELD, group_hash
from comptoir.search.context import QueryContext
from comptoir.search.documents import STOCK_STATES, ChainBranches, GroupOffer
from comptoir.search.queries import in_groups

CHAINS_PER_GROUP = 20  # chains shown under one product
BRANCHES_PER_CHAIN = 500  # branches read per chain and product: all of a regional chain's

ShopLabel = Callable[[tantivy.Searcher, int], tuple[str, str]]
ChainName = Callable[[tantivy.Searcher, int], str]


def chain_branches(
    ctx: QueryContext,
    schema: tantivy.Schema,
    in_filters: tantivy.Query,
    group_keys: list[str],
    shop_label: ShopLabel,
    chain_name: ChainName,
) -> dict[str, tuple[ChainBranches, ...]]:
    """Each shown product's chains, in one aggregation over the offers that pass the filters
    (radius, delivery zone, price...): "nearest" is measured from where the resident searches."""
    if not group_keys:
        return {}
    branches_only = tantivy.Query.range_query(schema, CHAIN_FIELD, tantivy.FieldType.Integer, 1, 2**62)
    query = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, in_groups(schema, in_filters, group_keys)),
            (tantivy.Occur.Must, tantivy.Query.const_score_query(branches_only, 0.0)),
        ]
    )
    spec = {
        "groups": {
            "terms": {"field": "group_hash", "size": len(group_keys)},
            "aggs": {
                "chains": {
                    "terms": {"field": CHAIN_FIELD, "size": CHAINS_PER_GROUP},
                    "aggs": {
                        "branches": {
                            "top_hits": {
                                "size": BRANCHES_PER_CHAIN,
                                "sort": [{TIE_FIELD: "asc"}],
                                "docvalue_fields": ["offer_id", "shop_id", "price_cents", "stock"],
                            }
                        }
                    },
                }
            },
        }
    }
    result = ctx.searcher.aggregate(query, spec)
    by_hash = {group_hash(key): key for key in group_keys}
    near, places = ctx.query.near, ctx.stats.places
    out: dict[str, tuple[ChainBranches, ...]] = {}
    for bucket in result["groups"]["buckets"]:
        key = by_hash.get(int(bucket["key"]))
        if key is None:
            continue
        found = []
        for chain in bucket["chains"]["buckets"]:
            offers = []
            for member in chain["branches"]["hits"]:
                values = {name: v[0] for name, v in member["docvalue_fields"].items() if v}
                shop_id = int(values["shop_id"])
                shop_ref, shop_name = shop_label(ctx.searcher, shop_id)
                distance = places.distance_km(near, shop_id) if near is not None else None
                offers.append(
                    GroupOffer(
                        int(values["offer_id"]),
                        shop_ref,
                        shop_name,
                        int(values["price_cents"]),
                        STOCK_STATES[int(values["stock"])],
                        distance,
                    )
                )
            if not offers:
                continue
            nearest = nearest_branch(offers)
            branches = len({o.shop_ref for o in offers})
            chain_id = int(chain["key"])
            found.append(
                ChainBranches(
                    chain_id,
                    chain_name(ctx.searcher, chain_id),
                    nearest,
                    nearest.stock_state == "in_stock",
                    branches - 1,
                )
            )
        found.sort(key=lambda c: (not c.in_stock, _km(c.nearest.distance_km), c.chain_name))
        out[key] = tuple(found)
    return out


def nearest_branch(offers: list[GroupOffer]) -> GroupOffer:
    """The nearest branch that has the product in stock; when none has, the nearest branch.
    Equal distances: the lower offer id (a branch cannot move itself closer)."""
    in_stock = [o for o in offers if o.stock_state == "in_stock"]
    return min(in_stock or offers, key=lambda o: (_km(o.distance_km), o.offer_id))


def _km(distance: float | None) -> float:
    return float("inf") if distance is None else distance
