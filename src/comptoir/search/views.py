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


def results(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        params = parse_params(request.GET, group=True)
    except InvalidInput as invalid:
        params, error = SearchParams(text=request.GET.get("q", "")[:200], group=True), invalid.message
    page = search_offers(params, request.LANGUAGE_CODE)
    template = "search/_results.html" if request.headers.get("HX-Request") else "search/results.html"
    context = {"page": page, "params": params, "error": error, "neighbourhoods": neighbourhoods()}
    return render(request, template, context)
