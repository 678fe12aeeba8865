"""Text analysis and the index schema: how an `OfferDoc` becomes a tantivy document.

French and English text fields are lowercased, ASCII-folded ("crème" -> "creme")
and stemmed ("pains" -> "pain"); `name_plain` holds both names folded, not stemmed.
The simple tokenizer splits on anything that is not a letter or digit, so "4x40" stays
one token and "1,5L" becomes "1", "5l".
Tokenizers are not stored in the index: `register_analyzers` runs on every open.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import tantivy

from comptoir.search.documents import STOCK_STATES, OfferDoc
from comptoir.search.locality import AREAS_FIELD, ORIGIN_FIELD, stored_km

FR_ANALYZER = "comptoir_fr"
EN_ANALYZER = "comptoir_en"
PLAIN_ANALYZER = "comptoir_plain"
NAME_FIELDS = {"fr": "name_fr", "en": "name_en"}
# Both names, folded but not stemmed: typo tolerance works on the words as written ("trple"
# is one edit from "triple", two from its stem "tripl"), and a word typed exactly as the
# name writes it earns a small bonus over another form of the same stem.
PLAIN_NAME_FIELD = "name_plain"
TIE_FIELD = "tie"  # tie_key: equal scores are ordered by it, never by index order
CHAIN_FIELD = "chain_id"  # a branch's chain: a group shows each chain's nearest branch in stock
DESCRIPTION_FIELDS = {"fr": "description_fr", "en": "description_en"}
FIELD_LANG = {"name_fr": "fr", "name_en": "en", "description_fr": "fr", "description_en": "en"}
STOCK_CODES = {state: code for code, state in enumerate(STOCK_STATES)}
# Short grammatical words: optional in a query, so "pain de mie" still finds "Pain mie".
STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "d",
        "de",
        "des",
        "du",
        "en",
        "et",
        "l",
        "la",
        "le",
        "les",
        "un",
        "une",
        "pour",
        "sur",
        "avec",
        "the",
        "of",
        "and",
        "with",
        "for",
        "in",
        "on",
        "an",
    ]
)


def _stemming_analyzer(language: str) -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer(language))
        .build()
    )


def _plain_analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


@dataclass(frozen=True)
class Analyzers:
    """The Python-side twins of the index analyzers, to analyze queries exactly as documents were."""

    fr: tantivy.TextAnalyzer
    en: tantivy.TextAnalyzer
    plain: tantivy.TextAnalyzer

    def for_lang(self, lang: str) -> tantivy.TextAnalyzer:
        return self.en if lang == "en" else self.fr


def make_analyzers() -> Analyzers:
    return Analyzers(
        fr=_stemming_analyzer("french"), en=_stemming_analyzer("english"), plain=_plain_analyzer()
    )


def register_analyzers(index: tantivy.Index, analyzers: Analyzers) -> None:
    index.register_tokenizer(FR_ANALYZER, analyzers.fr)
    index.register_tokenizer(EN_ANALYZER, analyzers.en)
    index.register_tokenizer(PLAIN_ANALYZER, analyzers.plain)


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("offer_id", stored=True, indexed=True, fast=True)
    sb.add_integer_field("shop_id", stored=True, indexed=True, fast=True)
    sb.add_integer_field(TIE_FIELD, fast=True)
    sb.add_text_field("shop_ref", stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("shop_name", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("sku", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("gtin", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("gtin_key", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("name_fr", stored=True, tokenizer_name=FR_ANALYZER, index_option="freq")
    sb.add_text_field("name_en", stored=True, tokenizer_name=EN_ANALYZER, index_option="freq")
    sb.add_text_field(PLAIN_NAME_FIELD, tokenizer_name=PLAIN_ANALYZER, index_option="freq")
    sb.add_text_field("description_fr", tokenizer_name=FR_ANALYZER, index_option="freq")
    sb.add_text_field("description_en", tokenizer_name=EN_ANALYZER, index_option="freq")
    sb.add_text_field("category_path", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("category_prefix", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("category_l1", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("category_l2", fast=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("price_cents", stored=True, indexed=True, fast=True)
    sb.add_integer_field("stock", stored=True, indexed=True, fast=True)
    sb.add_float_field("lat", stored=True, fast=True)
    sb.add_float_field("lon", stored=True, fast=True)
    sb.add_text_field("unit_label", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("group_key", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("group_hash", fast=True)
    # Provenance: km from the origin to the node's centre (-1: unknown), fast for the ranking
    # and the "local only" range; who made it and where, stored for the badge.
    sb.add_float_field(ORIGIN_FIELD, stored=True, fast=True)
    sb.add_text_field("supplier_name", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field("origin_place", stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_text_field(AREAS_FIELD, stored=True, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field(CHAIN_FIELD, stored=True, indexed=True, fast=True)  # 0: not a chain's branch
    sb.add_text_field("chain_name", stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def category_prefixes(path: str) -> list[str]:
    """ "a/b/c" -> ["a", "a/b", "a/b/c"]: one term per level makes a prefix filter one term query."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def group_hash(group_key: str) -> int:
    """A 63-bit number per group key: fast fields are numeric, and grouping reads them per candidate."""
    digest = hashlib.blake2b(group_key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def tie_key(offer_id: int, salt: str) -> int:
    """The order of offers whose scores are equal: a 63-bit hash of the offer's id, salted per
    node (decision 0010). No shop controls it: not its price, name, stock or the moment it was
    indexed, and unlike the id itself it does not favour the oldest offers."""
    digest = hashlib.blake2b(f"{salt}\x00{offer_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def gtin_key(gtin: str | None) -> str:
    """GTIN-14 form, so that the EAN-13 and the UPC-A of one product are one term."""
    digits = "".join(c for c in gtin or "" if c.isdigit())
    return digits.zfill(14) if digits else ""


def to_tantivy(doc: OfferDoc, tie_salt: str = "") -> tantivy.Document:
    prefixes = category_prefixes(doc.category_path) or [""]
    return tantivy.Document(
        offer_id=doc.offer_id,
        tie=tie_key(doc.offer_id, tie_salt),
        shop_id=doc.shop_id,
        shop_ref=doc.shop_ref,
        shop_name=doc.shop_name,
        sku=doc.sku,
        gtin=doc.gtin or "",
        gtin_key=gtin_key(doc.gtin),
        name_fr=doc.name_fr,
        name_en=doc.name_en,
        name_plain=[doc.name_fr, doc.name_en],
        description_fr=doc.description_fr,
        description_en=doc.description_en,
        category_path=doc.category_path,
        category_prefix=prefixes,
        category_l1=prefixes[0],
        category_l2=prefixes[1] if len(prefixes) > 1 else "",
        price_cents=doc.price_cents,
        stock=STOCK_CODES[doc.stock_state],
        lat=doc.lat,
        lon=doc.lon,
        unit_label=doc.unit_label,
        group_key=doc.group_key,
        group_hash=group_hash(doc.group_key),
        origin_km=stored_km(doc.origin_km),
        supplier_name=doc.supplier_name,
        origin_place=doc.origin_place,
        origin_areas=list(doc.origin_areas),
        chain_id=doc.chain_id,
        chain_name=doc.chain_name,
    )


@dataclass(frozen=True)
class QueryWord:
    """One word the resident typed, with its analyzed form in each language."""

    raw: str
    fr: str
    en: str
    optional: bool

    @property
    def fuzzy_ok(self) -> bool:
        return len(self.raw) >= 4 and not any(c.isdigit() for c in self.raw)


def query_words(text: str, analyzers: Analyzers, max_words: int = 8) -> list[QueryWord]:
    words: list[QueryWord] = []
    for raw in analyzers.plain.analyze(text)[:max_words]:
        fr = (analyzers.fr.analyze(raw) or [raw])[0]
        en = (analyzers.en.analyze(raw) or [raw])[0]
        words.append(QueryWord(raw=raw, fr=fr, en=en, optional=raw in STOPWORDS))
    if words and all(w.optional for w in words):
        words = [QueryWord(w.raw, w.fr, w.en, optional=False) for w in words]
    return words
