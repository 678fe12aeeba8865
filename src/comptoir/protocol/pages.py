"""Residents' pages of the buyer role: other nodes' offers in the search, the cart's remote groups,
checkout with another node, and the order's page. Thin: each parses its input, calls one service
of ``remote.py`` (or ``buyer.py`` for the search) and renders. ``views.py`` holds the Beckn endpoints.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.errors import ComptoirError, InvalidInput, NotFound
from comptoir.core.inputs import read_whole
from comptoir.orders.delivery_port import delivery_booking
from comptoir.orders.geocoding import locate
from comptoir.protocol import remote
from comptoir.protocol.buyer import do_search_peers, peers_reachable

MAX_ID = 2**62


def peer_results(request: HttpRequest) -> HttpResponse:
    """Other nodes' offers for the search text: what answers within the wait, and who did not."""
    query = request.GET.get("q", "").strip()[:200]
    found, error, connected = None, "", peers_reachable()
    if request.headers.get("HX-Request") and not connected:
        return HttpResponse("")  # a node alone: the search page shows nothing more
    if query and connected:
        try:
            found = do_search_peers(query, wait=settings.COMPTOIR_PEER_SEARCH_WAIT)
        except ComptoirError as problem:
            error = problem.message
    template = (
        "protocol/_peer_results.html" if request.headers.get("HX-Request") else "protocol/peer_results.html"
    )
    return render(request, template, {"query": query, "found": found, "error": error})


def _back_to(request: HttpRequest, fallback: str) -> HttpResponse:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@require_POST
def remote_add(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        messages.info(request, _("Sign in to order from a shop of another node."))
        return redirect_to_login(request.POST.get("next") or reverse("orders:cart"))
    try:
        quantity = read_whole(
            request.POST.get("quantity") or "1", field="quantity", low=1, high=remote.MAX_QUANTITY
        )
        group = remote.do_add_remote_item(
            request.user, search_id=request.POST.get("search_id", "")[:100], node=request.POST.get("node", "")[:255],
            item_id=request.POST.get("item_id", "")[:100], quantity=quantity,
        )  # fmt: skip
    except ComptoirError as error:
        messages.error(request, error.message)
        return _back_to(request, "orders:cart")
    name = next((line["name"] for line in group.lines if line["item_id"] == request.POST.get("item_id")), "")
    messages.success(
        request, _("Added to your cart: %(name)s (%(node)s).") % {"name": name, "node": group.seller_id}
    )
    return _back_to(request, "orders:cart")


@login_required
@require_POST
def remote_update(request: HttpRequest) -> HttpResponse:
    try:
        remote_id = read_whole(request.POST.get("remote_id"), field="remote_id", low=1, high=MAX_ID)
        quantity = read_whole(request.POST.get("quantity"), field="quantity", low=0, high=remote.MAX_QUANTITY)
        remote.do_set_remote_quantity(
            request.user, remote_id, request.POST.get("item_id", "")[:100], quantity
        )
    except ComptoirError as error:
        messages.error(request, error.message)
    return redirect("orders:cart")


def _drop(request: HttpRequest) -> remote.Drop:
    post = request.POST
    fields = {
        name: post.get(name, "").strip()[:200] for name in ("name", "phone", "address", "postal_code", "city")
    }
    for name, label in (("name", _("Recipient's name")), ("phone", _("Phone")), ("address", _("Address")),
                        ("postal_code", _("Postal code")), ("city", _("City"))):  # fmt: skip
        if not fields[name]:
            raise InvalidInput(_("%(field)s is required.") % {"field": label}, field=name)
    lat, lon = (_float(post.get(key, "")) for key in ("lat", "lon"))
    where = locate(fields["address"], fields["postal_code"], lat, lon)
    return remote.Drop(email=request.user.email, lat=where.lat, lon=where.lon, **fields)  # type: ignore[union-attr]


def _float(value: str) -> float | None:
    try:
        return float(value.replace(",", ".")) if value.strip() else None
    except ValueError:
        return None


def _checkout_context(request: HttpRequest, group: Any) -> dict[str, Any]:
    user: Any = request.user
    areas = delivery_booking().area()
    return {
        "group": group, "default_name": user.full_name, "default_phone": user.phone,
        "saved": {key: getattr(user, f"saved_{key}", "") for key in ("address", "postal_code", "city")},
        "pin_map": {"tiles": settings.COMPTOIR_TILE_URL, "attribution": "", "stops": [],
                    "zones": [{"name": a.name, "ring": [list(p) for p in a.ring]} for a in areas]},
        "pin_lat": f"{user.saved_lat:.6f}" if user.saved_lat is not None else "",
        "pin_lon": f"{user.saved_lon:.6f}" if user.saved_lon is not None else "",
        "payments": remote.payment_choices(),
    }  # fmt: skip


@login_required
def remote_checkout(request: HttpRequest, remote_id: int) -> HttpResponse:
    """GET: the address form. POST quote: the seller prices it. POST confirm: select, init, confirm."""
    group = next((g for g in remote.remote_cart_of(request.user) if g.pk == remote_id), None)
    if group is None:
        messages.info(request, _("This order from another node is not in your cart any more."))
        return redirect("orders:cart")
    context = _checkout_context(request, group)
    status = 200
    if request.method == "POST":
        try:
            drop = _drop(request)
            if request.POST.get("step") == "confirm":
                expected = read_whole(request.POST.get("expected_total_cents"), field="expected_total_cents",
                                      low=0, high=MAX_ID)  # fmt: skip
                placed = remote.do_place_remote(request.user, remote_id, drop, expected_total_cents=expected,
                                                payment=request.POST.get("payment", "")[:20])  # fmt: skip
                messages.success(request, _("Thank you! %(shop)s (%(node)s) confirmed your order %(number)s.")
                                 % {"shop": placed.provider_name, "node": placed.seller_id, "number": placed.order_ref})  # fmt: skip
                return redirect("protocol:remote-order", remote_id=placed.pk)
            context["quoted"] = remote.do_quote_remote(request.user, remote_id, drop)
        except remote.RemoteRefused as error:
            context["error"], context["quoted"], status = (
                error.message,
                error.quoted,
                502 if not error.quoted else 409,
            )
        except ComptoirError as error:
            context["error"], status = error.message, error.status
    return render(request, "protocol/remote_checkout.html", context, status=status)


@login_required
def remote_order(request: HttpRequest, remote_id: int) -> HttpResponse:
    try:
        order = remote.access_remote_order_for_person(request.user, remote_id)
    except NotFound as error:
        return render(request, "web/error.html", {"message": error.message}, status=404)
    return render(
        request,
        "protocol/remote_order.html",
        {
            "order": order,
            "label": remote.state_label(order),
            "reasons": remote.cancel_reason_choices(),
            "payment_text": remote.payment_text(order, get_language() or "fr"),
        },
    )


@login_required
@require_POST
def remote_cancel(request: HttpRequest, remote_id: int) -> HttpResponse:
    try:
        remote.do_cancel_remote(request.user, remote_id, request.POST.get("reason", ""))
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your order is cancelled."))
    return redirect("protocol:remote-order", remote_id=remote_id)
