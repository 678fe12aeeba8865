"""An offer's size, indexed once in French for grouping ("× 6", "0,4 kg"), is shown in the reader's
language on the results page and in the API (issue 20 item 16)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from comptoir.search.selectors import unit_label


@pytest.mark.parametrize(
    ("stored", "lang", "shown"),
    [
        ("× 6", "fr", "6\u00a0pièces"),
        ("× 6", "en", "6\u00a0pieces"),
        ("0,4 kg", "fr", "0,4\u00a0kg"),
        ("0,4 kg", "en", "0.4\u00a0kg"),
        ("750 ml", "en", "750\u00a0mL"),
        ("1,5 l", "fr", "1,5\u00a0L"),
        ("", "en", ""),
        ("un lot", "en", "un lot"),  # another shape: as stored
    ],
)
def test_an_indexed_size_in_each_language(stored: str, lang: str, shown: str) -> None:
    assert unit_label(stored, lang) == shown


def test_the_results_page_filter_follows_the_page_language() -> None:
    template = Template("{% load search_tags %}{{ label|unit_label }}")
    with translation.override("en"):
        assert template.render(Context({"label": "0,4 kg"})) == "0.4\u00a0kg"
    with translation.override("fr"):
        assert template.render(Context({"label": "× 12"})) == "12\u00a0pièces"
