"""What the delivery maps draw: the node's own geometry, never a third-party tile by default.

Zones, the depot, shops and drops, and for the dispatcher each round's path (along the
streets when a road graph exists, `route_lines`), one colour per round. `static/delivery/map.js`
draws this data; every label goes into the page as text, never as HTML (a courier's
name is self-chosen).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.delivery import selectors
from comptoir.delivery.models import Round, Slot, Stop, Zone
from comptoir.delivery.planner.travel import ROAD_DATA_ATTRIBUTION
from comptoir.delivery.route_lines import route_line

# Colour-blind-safe, distinct on a pale background (Okabe–Ito, without yellow).
ROUND_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]


def map_data(zones: list[Zone], stops: list[dict[str, Any]], road: bool, **extra: Any) -> dict[str, Any]:
    return {
        "tiles": settings.COMPTOIR_TILE_URL,
        "attribution": ROAD_DATA_ATTRIBUTION if road or settings.COMPTOIR_TILE_URL else "",
        "zones": [{"name": z.name, "ring": [[lat, lon] for lon, lat in z.ring]} for z in zones],
        "stops": stops,
        **extra,
    }


def round_colour(index: int) -> str:
    return ROUND_COLOURS[index % len(ROUND_COLOURS)]


def slot_map(slot: Slot, rounds: list[Round]) -> dict[str, Any]:
    """The dispatcher's map of a slot: zone, depot, each round's path, its pickups and drops."""
    depot = slot.zone.depot
    lines, stops, road = [], [], False
    for index, round_ in enumerate(rounds):
        colour = round_colour(index)
        name = _("Round of %(courier)s (%(vehicle)s)") % {
            "courier": round_.courier,
            "vehicle": round_.vehicle.name,
        }
        groups = selectors.group_stops(list(round_.stops.all()))
        for number, group in enumerate(groups, start=1):
            stops.append(_stop_point(group, number, name, colour))
        ride = [(depot.lat, depot.lon), *((g[0].lat, g[0].lon) for g in groups), (depot.lat, depot.lon)]
        line = route_line(ride, round_.vehicle.profile, settings.COMPTOIR_HOME)
        road = road or line.method == "road"
        lines.append({"name": name, "colour": colour, "method": line.method, "path": line.points})
    depot_point = {"lat": depot.lat, "lon": depot.lon, "name": depot.name}
    return map_data([slot.zone], stops, road, rounds=lines, depot=depot_point)


def _stop_point(group: list[Stop], number: int, round_name: str, colour: str) -> dict[str, Any]:
    stop = group[0]
    numbers = ", ".join(selectors.booking_number(s.booking) for s in group)
    if stop.kind == Stop.Kind.PICKUP:
        place = selectors.pickup_place(stop.parcel)  # type: ignore[arg-type]
        title = _("%(n)d. Pickup at %(shop)s") % {"n": number, "shop": place.name}
        detail = place.address
    else:
        title = _("%(n)d. Drop %(number)s") % {"n": number, "number": numbers}
        detail = stop.booking.address
    return {
        "lat": stop.lat, "lon": stop.lon, "kind": stop.kind, "colour": colour, "label": title,
        "popup": [title, detail, numbers if stop.kind == Stop.Kind.PICKUP else "", round_name,
                  str(Stop.Status(selectors.group_status(group)).label)],
    }  # fmt: skip
