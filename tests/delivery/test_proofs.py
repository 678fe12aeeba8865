"""Courier proofs an attacker cannot forge or guess: real signatures, limited code attempts,
incidents at the current stop, pickups only of what a shop accepted, and tracking that does
not show where the other residents live."""

from __future__ import annotations

import base64
import io
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from comptoir.catalog.models import Shop
from comptoir.core.errors import NotAllowed
from comptoir.delivery import services
from comptoir.delivery.models import Booking, Round, Slot, Stop
from comptoir.delivery.planner.vroom_solver import VroomSolver
from comptoir.delivery.planning import plan_slot
from comptoir.delivery.proofs import BadSignature, check_signature
from comptoir.delivery.selectors import courier_stops, tracking
from comptoir.orders.models import ShopOrder
from tests.delivery.conftest import book, signature_png
from tests.delivery.test_courier import action, send
from tests.delivery.test_courier import api_for as api_fr


def api_for(person: Any) -> Any:
    """The courier's phone set to English: refusals are asserted as their msgids."""
    api = api_fr(person)
    api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return api


ROOT = Path(__file__).resolve().parents[2]


def png(image: Image.Image, fmt: str = "PNG") -> str:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_a_signature_is_a_real_bounded_png_with_ink() -> None:
    assert check_signature(signature_png()).startswith(b"\x89PNG")
    refused = {
        "garbage after the prefix": "data:image/png;base64,iVBORw0KGgo=",
        "not base64": "data:image/png;base64,@@@@",
        "a JPEG": png(Image.new("RGB", (300, 120), "white"), "JPEG"),
        "a blank pad": png(Image.new("RGBA", (300, 120), (0, 0, 0, 0))),
        "white paper": png(Image.new("RGB", (300, 120), "white")),
        "a huge canvas": signature_png(size=(5000, 120)),
        "a tiny one": signature_png(size=(10, 10)),
        "another prefix": signature_png().replace("image/png", "image/svg+xml"),
    }
    for why, data in refused.items():
        with pytest.raises(BadSignature):
            check_signature(data)
            pytest.fail(why)


@pytest.fixture
def planned(slot: Slot, shift: Any, shop: Shop, other_shop: Shop) -> Round:
    book(slot, 11, [shop], n=1)
    book(slot, 12, [other_shop], n=2)
    run = plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    assert run.status == "done", run.message
    return Round.objects.get(slot=slot)


def _deliver_first_drop(api: Any, round_: Round, **proof: str) -> tuple[Stop, dict]:
    now = timezone.now()
    for stop in round_.stops.order_by("sequence"):
        if stop.kind == "drop":
            return stop, send(api, round_, action("deliver", stop, now, **proof))[0]
        assert (
            send(api, round_, action("pickup", stop, now, code=stop.parcel.pickup_code))[0]["result"]
            == "applied"
        )
    raise AssertionError("no drop")


def test_a_forged_signature_is_refused_and_changes_nothing(planned: Round, courier: Any) -> None:
    api = api_for(courier)
    stop, result = _deliver_first_drop(api, planned, signature="data:image/png;base64,iVBORw0KGgo=")
    assert result["result"] == "refused"
    assert result["message"].startswith("This signature cannot be used (not a readable PNG image)")
    stop.refresh_from_db()
    assert (stop.status, stop.signature) == ("pending", "")
    result = send(api, planned, action("deliver", stop, timezone.now(), signature=signature_png()))[0]
    assert (result["result"], result["message"]) == (
        "applied",
        f"Delivery of C{stop.booking.order_id:06d} confirmed.",
    )
    stop.refresh_from_db()
    assert (stop.status, stop.proof) == ("done", "signature")


def test_five_wrong_codes_lock_the_stop_until_the_dispatcher_allows_new_tries(
    planned: Round, courier: Any, dispatcher: Any
) -> None:
    api = api_for(courier)
    stop = planned.stops.order_by("sequence").first()
    now = timezone.now()
    for attempt in range(services.MAX_CODE_ATTEMPTS):
        wrong = f"{(int(stop.parcel.pickup_code) + 1 + attempt) % 10_000:04d}"
        result = send(api, planned, action("pickup", stop, now, code=wrong))[0]
        assert (result["result"], result["message"]) == (
            "refused", "Wrong pickup code: ask the shop for the parcel's code.",
        )  # fmt: skip
    right = send(api, planned, action("pickup", stop, now, code=stop.parcel.pickup_code))[0]
    assert (right["result"], right["message"]) == (
        "refused", "Too many wrong codes for this stop: call the dispatcher, who can allow new tries.",
    )  # fmt: skip
    stop.refresh_from_db()
    assert stop.status == "pending"
    with pytest.raises(NotAllowed):
        services.do_allow_code_attempts(courier, stop.pk)  # a courier cannot unlock their own stop
    services.do_allow_code_attempts(dispatcher, stop.pk)
    assert services.code_attempts_left(stop) == services.MAX_CODE_ATTEMPTS
    right = send(api, planned, action("pickup", stop, now, code=stop.parcel.pickup_code))[0]
    assert (right["result"], right["message"]) == (
        "applied",
        f"Pickup of C{stop.booking.order_id:06d} confirmed.",
    )


def test_incidents_only_at_the_current_stop(planned: Round, courier: Any) -> None:
    api = api_for(courier)
    stops = list(planned.stops.order_by("sequence"))
    later = stops[-1]
    result = send(api, planned, action("incident", later, timezone.now(), reason="absent"))[0]
    assert (result["result"], result["message"]) == (
        "refused", "An incident is reported at the current stop only.",
    )  # fmt: skip
    later.refresh_from_db()
    assert later.status == "pending"
    assert set(Booking.objects.values_list("status", flat=True)) == {"planned"}


def test_a_parcel_the_shop_has_not_accepted_cannot_be_collected(
    slot: Slot, shift: Any, shop: Shop, courier: Any
) -> None:
    book(slot, 61, [shop], n=1, shop_status="placed")
    run = plan_slot(slot.pk, solver=VroomSolver(exploration_level=1, threads=1), limit=1)
    assert run.status == "done", run.message
    round_ = Round.objects.get(slot=slot)
    pickup = round_.stops.get(kind="pickup")
    view = courier_stops(round_)[0]
    assert [(p.ready, p.note) for p in view.parcels] == [
        (False, "Not ready: the shop has not accepted this order yet.")
    ]
    api = api_for(courier)
    result = send(api, round_, action("pickup", pickup, timezone.now(), code=pickup.parcel.pickup_code))[0]
    assert (result["result"], result["message"]) == (
        "refused", "The shop has not accepted this order yet: nothing to collect for it now.",
    )  # fmt: skip
    pickup.refresh_from_db()
    assert pickup.status == "pending"
    ShopOrder.objects.filter(pk=610).update(status="accepted")  # the shop accepts: the parcel can go
    assert courier_stops(round_)[0].parcels[0].ready
    ShopOrder.objects.filter(pk=610).update(status="prepared")
    result = send(api, round_, action("pickup", pickup, timezone.now(), code=pickup.parcel.pickup_code))[0]
    assert (result["result"], result["message"]) == ("applied", "Pickup of C000061 confirmed.")
    assert ShopOrder.objects.get(pk=610).status == "handed_over"  # the states agree


def test_tracking_shows_the_courier_only_on_the_way_to_this_door(planned: Round, courier: Any) -> None:
    api = api_for(courier)
    now = timezone.now()
    send(api, planned, action("position", None, now, lat=47.0571, lon=6.0049))
    drops = list(planned.stops.filter(kind="drop").order_by("sequence"))
    last = drops[-1].booking
    view = tracking(last, now)
    assert view.stops_before > 0 and view.courier_position is None
    public = api.call("get", f"/delivery/tracking/{last.ref}").json()
    assert public["courier_position"] is None
    for stop in planned.stops.order_by("sequence"):
        if stop.pk == drops[-1].pk:
            break
        proof = (
            {"code": stop.parcel.pickup_code} if stop.kind == "pickup" else {"code": stop.booking.drop_code}
        )
        kind = "pickup" if stop.kind == "pickup" else "deliver"
        assert send(api, planned, action(kind, stop, now, **proof))[0]["result"] == "applied"
        if stop.kind == "drop":
            # while the courier is at the other resident's door, this resident sees no position
            assert tracking(last, now).courier_position is None
    send(api, planned, action("position", None, now + timedelta(seconds=1), lat=47.0581, lon=6.0055))
    view = tracking(last, now + timedelta(seconds=2))
    assert (view.stops_before, view.courier_position) == (0, (47.0581, 6.0055))


def test_fees_and_slot_problem_are_pure_cores() -> None:
    contract = next(
        c
        for c in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
        if c["name"] == "Pure cores import no Django"
    )
    assert {"comptoir.delivery.fees", "comptoir.delivery.slot_problem"} <= set(contract["source_modules"])
    code = (
        "import sys; sys.modules['django'] = None; sys.modules['ninja'] = None\n"
        "import comptoir.delivery.fees, comptoir.delivery.slot_problem, comptoir.delivery.proofs"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
