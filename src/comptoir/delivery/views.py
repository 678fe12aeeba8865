"""Delivery pages: dispatcher (/livraison/), courier's phone (/tournee/), resident's tracking fragment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.catalog.permissions import access_shop_for_staff
from comptoir.core.errors import ComptoirError
from comptoir.delivery import maps, selectors, services
from comptoir.delivery.forms import DepotForm, ShiftForm, SlotForm, VehicleForm, ZoneForm
from comptoir.delivery.models import Booking, Depot, Parcel, Shift, Slot, Stop, Vehicle, Zone
from comptoir.delivery.permissions import access_round_for_courier, check_courier, check_dispatcher
from comptoir.delivery.planner.travel import ROAD_DATA_ATTRIBUTION

SETUP_FORMS = {
    "depot": DepotForm,
    "zone": ZoneForm,
    "vehicle": VehicleForm,
    "shift": ShiftForm,
    "slot": SlotForm,
}
SETUP_SERVICES: dict[str, Callable[..., Any]] = {
    "depot": services.do_create_depot, "vehicle": services.do_create_vehicle,
    "shift": services.do_create_shift, "slot": services.do_create_slot, "zone": services.do_save_zone,
}  # fmt: skip


@login_required
def dispatch(request: HttpRequest) -> HttpResponse:
    check_dispatcher(request.user)
    kind = request.POST.get("form", "")
    forms = {name: form_class(prefix=name) for name, form_class in SETUP_FORMS.items()}
    if request.method == "POST" and kind in SETUP_FORMS:
        form = forms[kind] = SETUP_FORMS[kind](request.POST, prefix=kind)
        if form.is_valid():
            try:
                SETUP_SERVICES[kind](request.user, **form.cleaned_data)
            except ComptoirError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("delivery:dispatch")
    zones = list(Zone.objects.select_related("depot"))
    return render(request, "delivery/dispatch.html", {
        "slots": selectors.upcoming_slots(timezone.now()), "zones": zones, "depots": Depot.objects.all(),
        "vehicles": Vehicle.objects.all(), "shifts": Shift.objects.filter(ends__gte=timezone.now()).select_related("courier", "vehicle")[:50],
        "forms": forms, "map_data": maps.map_data(zones, [], road=False),
    })  # fmt: skip


@login_required
def slot_page(request: HttpRequest, slot_id: int) -> HttpResponse:
    check_dispatcher(request.user)
    slot = get_object_or_404(Slot.objects.select_related("zone__depot"), pk=slot_id)
    rounds = list(selectors.slot_rounds(slot))
    # A shop's parcels collected in a row are one stop, as on the courier's phone.
    for n, r in enumerate(rounds):
        r.colour_class = f"round-c{n % len(maps.ROUND_COLOURS)}"  # type: ignore[attr-defined]
        r.stop_groups = [  # type: ignore[attr-defined]
            {"first": g[0], "stops": g, "status": Stop.Status(selectors.group_status(g)),
             "locked": [s for s in g if s.status == Stop.Status.PENDING and services.code_attempts_left(s) <= 0]}
            for g in selectors.group_stops(list(r.stops.all()))
        ]  # fmt: skip
    map_data = maps.slot_map(slot, rounds)
    return render(request, "delivery/slot.html", {
        "slot": slot, "rounds": rounds, "runs": selectors.plan_runs(slot.pk), "costs": selectors.round_costs(slot),
        "unplanned": slot.bookings.filter(status=Booking.Status.BOOKED), "road": bool(map_data["attribution"]),
        "attribution": ROAD_DATA_ATTRIBUTION, "map_data": map_data,
        "straight": any(line["method"] != "road" for line in map_data["rounds"]),
    })  # fmt: skip


@login_required
@require_POST
def allow_code_attempts(request: HttpRequest, slot_id: int, stop_id: int) -> HttpResponse:
    try:
        stop = services.do_allow_code_attempts(request.user, stop_id)
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The courier can try codes again for %(number)s.")
                         % {"number": selectors.booking_number(stop.booking)})  # fmt: skip
    return redirect("delivery:slot", slot_id=slot_id)


@login_required
@require_POST
def plan(request: HttpRequest, slot_id: int) -> HttpResponse:
    # No flash: the page's own planning line says queued or running (and refreshes) until the result shows,
    # where a one-time message stayed beside a result that was already there.
    services.do_request_plan(request.user, slot_id)
    return redirect("delivery:slot", slot_id=slot_id)


@login_required
@require_POST
def move(request: HttpRequest, slot_id: int) -> HttpResponse:
    try:
        services.do_move_booking(request.user, int(request.POST["booking"]), int(request.POST["round"]))
    except (ComptoirError, ValueError, KeyError) as error:
        messages.error(request, getattr(error, "message", _("Choose an order and a round.")))
    else:
        messages.success(request, _("Moved; both rounds were re-ordered."))
    return redirect("delivery:slot", slot_id=slot_id)


@login_required
def courier_home(request: HttpRequest) -> HttpResponse:
    check_courier(request.user)
    return render(
        request,
        "delivery/courier_home.html",
        {"rounds": selectors.rounds_of_courier(request.user, timezone.now())},
    )


@login_required
def courier_round(request: HttpRequest, round_id: int) -> HttpResponse:
    round_ = access_round_for_courier(request.user, round_id)
    stops = selectors.courier_stops(round_)
    points = [{"lat": s.lat, "lon": s.lon, "kind": s.kind, "label": str(s.sequence), "active": s.active}
              for s in stops if s.status == "pending"]  # fmt: skip
    active = next((s for s in stops if s.active), None)
    ready = sum(1 for p in active.parcels if p.ready and p.status == "pending") if active else 0
    return render(request, "delivery/courier_round.html", {
        "round": round_, "stops": stops, "active": active, "active_ready": ready,
        "remaining": sum(1 for s in stops if s.status == "pending"), "incidents": services.INCIDENTS,
        "map_data": maps.map_data([round_.slot.zone], points, round_.method == "road"),
        "attribution": ROAD_DATA_ATTRIBUTION if round_.method == "road" else "",
    })  # fmt: skip


def tracking(request: HttpRequest, ref: str) -> HttpResponse:
    """The resident's tracking: an htmx fragment for the order page, or a page of its own."""
    booking = get_object_or_404(Booking.objects.select_related("slot__zone"), ref=ref)
    view = selectors.tracking(booking, timezone.now())
    template = (
        "delivery/tracking_fragment.html" if request.headers.get("HX-Request") else "delivery/tracking.html"
    )
    return render(request, template, {"booking": booking, "tracking": view})


@login_required
def shop_pickups(request: HttpRequest, ref: str) -> HttpResponse:
    shop = access_shop_for_staff(request.user, ref)
    parcels = Parcel.objects.filter(shop=shop, booking__slot__ends__gte=timezone.now()).select_related(
        "booking__slot"
    )
    return render(
        request,
        "delivery/shop_pickups.html",
        {"shop": shop, "parcels": parcels.order_by("booking__slot__starts", "booking__order_id", "pk")},
    )
