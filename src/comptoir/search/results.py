"""From ranked candidates to what a resident sees: hits with their explanation, and groups.

Stored documents are read for the page only; the analysis of shown names is cached (the same
product name shows up in many shops and pages). No Django.
"""

from __future__ import annotations

import json
from typing import Any

import tantivy

from comptoir.catalog.provenance import LocalRule
from comptoir.search.analysis import CHAIN_FIELD, TIE_FIELD, Analyzers, group_hash
from comptoir.search.branches import chain_branches
from comptoir.search.candidates import GROUP_OFFERS_SHOWN, Candidate, Candidates, Found, order
from comptoir.search.context import QueryContext
from comptoir.search.documents import STOCK_STATES, ChainBranches, Group, GroupOffer, Hit, TermMatch
from comptoir.search.locality import AREAS_FIELD, ORIGIN_FIELD, read_km
from comptoir.search.plan import FilterPlan
from comptoir.search.queries import excluding_groups, in_groups, with_filters
from comptoir.search.ranking import build_why, match_tier, match_tokens

GROUP_ROUNDS = 3
NAME_TOKENS_CACHE = 50_000  # ~10 MB at most

Memo = dict[tuple[str, str], tuple[tuple[TermMatch, ...], frozenset[str]]]


class Results:
    """Hits and groups for one index; caches shown names' analysis and shops' labels."""

    def __init__(self, schema: tantivy.Schema, analyzers: Analyzers, candidates: Candidates) -> None:
        self._schema = schema
        self._analyzers = analyzers
        self._candidates = candidates
        self._tokens: dict[tuple[str, str], frozenset[str]] = {}
        self._shop_names: dict[int, tuple[str, str]] = {}
        self._chain_names: dict[int, str] = {}

    def forget_shops(self) -> None:
        """After a reload: a shop (or a chain) may have been renamed."""
        self._shop_names = {}
        self._chain_names = {}

    def page(self, ctx: QueryContext, found: Found) -> tuple[Hit, ...]:
        page = found.ranked[ctx.query.offset : ctx.needed]
        memo: Memo = {}
        return tuple(self.hit(ctx, c, found, memo) for c in page)

    def hit(self, ctx: QueryContext, candidate: Candidate, found: Found, memo: Memo) -> Hit:
        """`memo`: the page's word matches by name (one product often fills several lines)."""
        searcher = ctx.searcher
        stored = searcher.doc(candidate.address).to_dict()
        first: dict[str, Any] = {name: values[0] if values else None for name, values in stored.items()}
        names = {"fr": first.get("name_fr") or "", "en": first.get("name_en") or ""}
        known = memo.get((names["fr"], names["en"]))
        if known is None:
            plain = self._name_tokens(names["fr"], "plain") | self._name_tokens(names["en"], "plain")
            terms = match_tokens(
                list(ctx.words),
                self._name_tokens(names["fr"], "fr"),
                self._name_tokens(names["en"], "en"),
                fuzzy_used=candidate.tier in ("fuzzy", "any_word"),
                plain_tokens=plain,
            )
            known = memo[(names["fr"], names["en"])] = (terms, plain)
        terms, plain = known
        text = candidate.text_score
        if text is None:
            text = _text_score(found.text, searcher, candidate.address)
        tier = match_tier(candidate.tier, terms, plain)
        stock_state = STOCK_STATES[candidate.stock]
        origin_km = read_km(first.get(ORIGIN_FIELD))
        supplier_name = first.get("supplier_name") or ""
        why = build_why(
            terms, text, candidate.distance_km, stock_state, ctx.weights, tier,
            origin_km, supplier_name, LocalRule(ctx.query.local_radius_km, ctx.query.local_territory),
            tuple(stored.get(AREAS_FIELD) or ()),
        )  # fmt: skip
        return Hit(
            offer_id=int(first["offer_id"]),
            shop_id=int(first["shop_id"]),
            shop_ref=first["shop_ref"] or "",
            shop_name=first["shop_name"] or "",
            sku=first["sku"] or "",
            gtin=first.get("gtin") or None,
            name=names[ctx.lang if ctx.lang in names else "fr"] or names["fr"] or names["en"],
            unit_label=first.get("unit_label") or "",
            category_path=first.get("category_path") or "",
            price_cents=int(first["price_cents"]),
            stock_state=stock_state,
            distance_km=candidate.distance_km,
            score=why.score,
            group_key=first.get("group_key") or "",
            why=why,
            origin_km=origin_km,
            supplier_name=supplier_name,
            origin_place=first.get("origin_place") or "",
            local=why.local,
            chain_id=int(first.get(CHAIN_FIELD) or 0),
        )

    def grouped(self, ctx: QueryContext, found: Found, plan: FilterPlan) -> tuple[Group, ...]:
        """One entry per product, in the order of its best offer; counts and prices are exact.

        A product sold by 300 shops can fill the whole candidate list: when the candidates
        hold too few products, the next search leaves out the products already found."""
        searcher, query, weights = ctx.searcher, ctx.query, ctx.weights
        best: dict[int, Candidate] = {}
        for candidate in found.ranked:
            best.setdefault(candidate.group_hash, candidate)
        wanted = ctx.needed
        keys: dict[int, str] = {}
        seen_all = found.seen_all
        rounds = 0
        while query.sort == "relevance" and len(best) < wanted and not seen_all and rounds < GROUP_ROUNDS:
            rounds += 1
            for group, candidate in best.items():
                if group not in keys:
                    keys[group] = searcher.doc(candidate.address).get_first("group_key") or ""
            others = excluding_groups(self._schema, with_filters(found.text, plan.pushed), keys.values())
            k = self._candidates.first_k(max(weights.candidates, 4 * (wanted - len(best))), plan, ctx.stats)
            hits = searcher.search(others, limit=k, count=False).hits
            seen_all = len(hits) < k
            for candidate in sorted(self._candidates.score(ctx, hits, plan, found.tier), key=order):
                candidate.looseness = found.looseness
                best.setdefault(candidate.group_hash, candidate)
        ordered = list(best.values())
        if query.sort == "relevance":
            ordered.sort(key=order)
        page = ordered[query.offset : wanted]
        memo: Memo = {}
        hits_ = [self.hit(ctx, c, found, memo) for c in page]
        # A group is one product: all its offers that pass the filters count, whatever their
        # own wording (a shop may name a GTIN differently), and no text needs scoring here.
        in_filters = with_filters(tantivy.Query.all_query(), plan.full)
        members = self._group_members(ctx, in_filters, [h.group_key for h in hits_])
        chains = chain_branches(
            ctx, self._schema, in_filters, [h.group_key for h in hits_], self._shop_label, self._chain_name
        )
        hits_ = [
            self._in_stock_top_line(ctx, found, hit, chains.get(hit.group_key, ()), memo) for hit in hits_
        ]
        groups = []
        for hit in hits_:
            count, offers = members.get(hit.group_key, (1, ()))
            min_price = min((o.price_cents for o in offers), default=hit.price_cents)
            groups.append(Group(hit.group_key, hit, count, min_price, offers, chains.get(hit.group_key, ())))
        return tuple(groups)

    def _in_stock_top_line(
        self, ctx: QueryContext, found: Found, hit: Hit, chains: tuple[ChainBranches, ...], memo: Memo
    ) -> Hit:
        """A product's top line is never a chain branch without stock when a branch of the same
        chain has it: then it is that chain's nearest branch in stock, the best of its branches
        in stock (same words, origin and stock factor: only the distance differs). The group keeps
        its place; its counts and prices do not change."""
        if hit.chain_id == 0 or hit.stock_state == "in_stock":
            return hit
        chain = next((c for c in chains if c.chain_id == hit.chain_id), None)
        if chain is None or not chain.in_stock or chain.nearest.offer_id == hit.offer_id:
            return hit
        term = tantivy.Query.term_query(self._schema, "offer_id", chain.nearest.offer_id)
        found_hits = ctx.searcher.search(term, limit=1, count=False).hits
        scored = self._candidates.score(
            ctx, [(None, address) for _score, address in found_hits], None, found.tier
        )
        return self.hit(ctx, scored[0], found, memo) if scored else hit

    def _group_members(
        self, ctx: QueryContext, in_filters: tantivy.Query, group_keys: list[str]
    ) -> dict[str, tuple[int, tuple[GroupOffer, ...]]]:
        """Every shown group's exact count and cheapest offers, in one aggregation."""
        if not group_keys:
            return {}
        spec = {
            "groups": {
                "terms": {"field": "group_hash", "size": len(group_keys)},
                "aggs": {
                    "cheapest": {
                        "top_hits": {
                            "size": GROUP_OFFERS_SHOWN,
                            # Equal prices by tie key, never by index order (decision 0010).
                            "sort": [{"price_cents": "asc"}, {TIE_FIELD: "asc"}],
                            "docvalue_fields": ["offer_id", "shop_id", "price_cents", "stock"],
                        }
                    }
                },
            }
        }
        near, places = ctx.query.near, ctx.stats.places
        result = ctx.searcher.aggregate(in_groups(self._schema, in_filters, group_keys), spec)
        by_hash = {group_hash(key): key for key in group_keys}
        out: dict[str, tuple[int, tuple[GroupOffer, ...]]] = {}
        for bucket in result["groups"]["buckets"]:
            key = by_hash.get(int(bucket["key"]))
            if key is None:
                continue
            offers = []  # in the aggregation's order: price, then tie key
            for member in bucket["cheapest"]["hits"]:
                values = {name: v[0] for name, v in member["docvalue_fields"].items() if v}
                shop_id = int(values["shop_id"])
                shop_ref, shop_name = self._shop_label(ctx.searcher, shop_id)
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
            out[key] = (int(bucket["doc_count"]), tuple(offers))
        return out

    def _name_tokens(self, name: str, lang: str) -> frozenset[str]:
        """Stems of a shown name (`lang` "plain": its folded words), cached: the same product
        name shows up in many shops and pages."""
        key = (lang, name)
        tokens = self._tokens.get(key)
        if tokens is None:
            if len(self._tokens) >= NAME_TOKENS_CACHE:
                self._tokens.clear()
            analyzer = self._analyzers.plain if lang == "plain" else self._analyzers.for_lang(lang)
            tokens = frozenset(analyzer.analyze(name))
            self._tokens[key] = tokens
        return tokens

    def _chain_name(self, searcher: tantivy.Searcher, chain_id: int) -> str:
        if chain_id not in self._chain_names:
            query = tantivy.Query.term_query(self._schema, CHAIN_FIELD, chain_id, index_option="basic")
            hits = searcher.search(query, limit=1, count=False).hits
            self._chain_names[chain_id] = (
                (searcher.doc(hits[0][1]).get_first("chain_name") or "") if hits else ""
            )
        return self._chain_names[chain_id]

    def _shop_label(self, searcher: tantivy.Searcher, shop_id: int) -> tuple[str, str]:
        if shop_id not in self._shop_names:
            query = tantivy.Query.term_query(self._schema, "shop_id", shop_id, index_option="basic")
            hits = searcher.search(query, limit=1, count=False).hits
            doc = searcher.doc(hits[0][1]) if hits else None
            label = (doc.get_first("shop_ref") or "", doc.get_first("shop_name") or "") if doc else ("", "")
            self._shop_names[shop_id] = label
        return self._shop_names[shop_id]


def _text_score(query: tantivy.Query, searcher: tantivy.Searcher, address: tantivy.DocAddress) -> float:
    return float(json.loads(query.explain(searcher, address).to_json())["value"])
