"""Typo tolerance from the index's own vocabulary: the words one edit away from a typed word.

tantivy's fuzzy query runs a Levenshtein automaton over the term dictionary and unions
every term it accepts, with one flat score. Here the expansion is done once, in Python,
on the folded (unstemmed) name vocabulary, read from the term dictionary once per reload
(~10,000 words for 1M offers, ~25 ms): a deletion index finds every word within one
insertion, deletion, substitution or adjacent swap. The engine then asks tantivy for
those few words as plain term queries, scored by BM25 like any other word (a shorter
name still ranks first), with block-max pruning, and at most `MAX_EXPANSIONS` of them.

Rules, as in most engines: the first letter is never the typo (prefix length 1: a
first-letter typo is rare and would multiply the candidates), words shorter than 4
letters or containing a digit get no tolerance (`QueryWord.fuzzy_ok`).
"""

from __future__ import annotations

from collections.abc import Iterable

from comptoir.search.ranking import edit_distance_at_most_one

MAX_EXPANSIONS = 8  # the most frequent neighbours of one typed word, the rest are dropped
MIN_TERM_LENGTH = 3


class TypoIndex:
    """Words of one field, indexed by their one-letter deletions (a "symmetric delete" index)."""

    def __init__(self, terms: Iterable[tuple[str, int]]) -> None:
        self._df: dict[str, int] = {}
        self._deletions: dict[str, list[str]] = {}
        for term, df in terms:
            if len(term) < MIN_TERM_LENGTH or not term.isalpha():
                continue
            self._df[term] = self._df.get(term, 0) + int(df)
        for term in self._df:
            self._deletions.setdefault(term, []).append(term)
            for variant in _deletions(term):
                self._deletions.setdefault(variant, []).append(term)

    def __len__(self) -> int:
        return len(self._df)

    def neighbours(self, word: str, limit: int = MAX_EXPANSIONS) -> tuple[str, ...]:
        """The indexed words one edit away from `word` (not `word` itself), same first letter,
        most frequent first, at most `limit`."""
        if not word:
            return ()
        found: set[str] = set()
        for key in (word, *_deletions(word)):
            for term in self._deletions.get(key, ()):
                if term != word and term[0] == word[0] and edit_distance_at_most_one(word, term):
                    found.add(term)
        return tuple(sorted(found, key=lambda t: (-self._df[t], t))[:limit])


def _deletions(word: str) -> set[str]:
    # Never the first letter: prefix length 1, and half the keys.
    return {word[:i] + word[i + 1 :] for i in range(1, len(word))}
