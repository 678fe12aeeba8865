"""The search page, `/recherche/`: a plain GET form that works without JavaScript.

With htmx the form swaps only the results (`HX-Request` gets the results fragment).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.catalog.selectors import neighbourhoods
from comptoir.core.errors import InvalidInput
from comptoir.search.params import SearchParams, parse_params
from comptoir.search.selectors import search_offers

# Products per page of results: with their comparison and explanation, 10 keep a page within
# its budget (≤ 400 DOM elements, tests/e2e/test_budgets.py); the API gives 20 by default.
PAGE_RESULTS = 10


def results(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        params = parse_params(request.GET, group=True, per_page=PAGE_RESULTS, max_per_page=PAGE_RESULTS)
    except InvalidInput as invalid:
        text = request.GET.get("q", "")[:200]
        params, error = SearchParams(text=text, group=True, per_page=PAGE_RESULTS), invalid.message
    page = search_offers(params, request.LANGUAGE_CODE)
    template = "search/_results.html" if request.headers.get("HX-Request") else "search/results.html"
    context = {"page": page, "params": params, "error": error, "neighbourhoods": neighbourhoods()}
    return render(request, template, context)
