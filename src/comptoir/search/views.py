"""The search page, `/recherche/`: a plain GET form that works without JavaScript.

With htmx the form swaps only the results (`HX-Request` gets the results fragment).
The node admins' index page, `/recherche/index/`, starts a rebuild in the worker and follows it
(decision 0028).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from comptoir.catalog.models import OfferChange
from comptoir.catalog.selectors import neighbourhoods
from comptoir.core.errors import ComptoirError, Conflict, InvalidInput
from comptoir.search import rebuilds
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


@login_required
def index_page(request: HttpRequest) -> HttpResponse:
    """The index's state and its last rebuilds; POST starts a rebuild and goes to its page."""
    try:
        rebuilds.check_node_admin(request.user)
        if request.method == "POST":
            return redirect("search:rebuild", rebuild_id=rebuilds.do_request_rebuild(actor=request.user).pk)
    except Conflict as refusal:
        return _index(request, error=refusal.message, status=refusal.status)
    except ComptoirError as refusal:
        return render(request, "web/error.html", {"message": refusal.message}, status=refusal.status)
    return _index(request)


def _index(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    history = rebuilds.recent_rebuilds()
    context = {
        "rebuilds": history,
        "running": next((r for r in history if not r.is_finished), None),
        "pending_changes": OfferChange.objects.count(),
        "error": error,
    }
    return render(request, "search/index.html", context, status=status)


@login_required
def rebuild_page(request: HttpRequest, rebuild_id: int) -> HttpResponse:
    """One rebuild: the page reloads itself (no JavaScript) until it has ended."""
    try:
        rebuild = rebuilds.access_rebuild_for_admin(request.user, rebuild_id)
    except ComptoirError as refusal:
        return render(request, "web/error.html", {"message": refusal.message}, status=refusal.status)
    return render(request, "search/rebuild.html", {"rebuild": rebuild})
