"""The typo vocabulary: every word one edit away, first letter kept, most frequent first."""

from __future__ import annotations

from comptoir.search.typos import TypoIndex

VOCABULARY = [
    ("triple", 40),
    ("tripe", 3),
    ("noisette", 120),
    ("noisettes", 80),
    ("moisette", 1),
    ("pomme", 50),
    ("pommes", 70),
    ("4x40", 9),
    ("de", 900),
]


def test_each_kind_of_edit_is_found() -> None:
    typos = TypoIndex(VOCABULARY)
    assert typos.neighbours("trple") == ("triple",)  # a letter left out ("tripe" is two edits)
    assert typos.neighbours("noizette") == ("noisette",)  # substitution
    assert typos.neighbours("nosiette") == ("noisette",)  # adjacent swap
    assert typos.neighbours("noisete") == ("noisette",)  # deletion on the typed side
    assert typos.neighbours("noissette") == ("noisette",)  # insertion on the typed side


def test_the_first_letter_is_never_the_typo_and_the_word_itself_is_not_a_neighbour() -> None:
    typos = TypoIndex(VOCABULARY)
    assert typos.neighbours("noisette") == ("noisettes",)  # not "moisette"
    assert typos.neighbours("oisette") == ()


def test_most_frequent_neighbours_first_and_at_most_the_limit() -> None:
    typos = TypoIndex(VOCABULARY)
    assert typos.neighbours("pomm") == ("pomme",)  # "pommes" is two edits away
    assert typos.neighbours("pommez") == ("pommes", "pomme")
    assert typos.neighbours("pommez", limit=1) == ("pommes",)


def test_short_words_and_numbers_are_left_out() -> None:
    typos = TypoIndex(VOCABULARY)
    assert len(typos) == 7
    assert typos.neighbours("4x41") == ()
    assert typos.neighbours("da") == ()
