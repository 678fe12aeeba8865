"""Permission-checked loaders for delivery: a courier acts only on their own rounds.

Dispatchers are the cooperative's staff (`check_staff`); couriers are members of
the workers' college, and only the courier a round is assigned to may load it.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.core.errors import NotAllowed, NotFound
from comptoir.delivery.models import Round
from comptoir.members.permissions import check_staff, is_member_of


def check_courier(person: Any) -> Any:
    if not is_member_of(person, "workers"):
        raise NotAllowed(_("Reserved for the cooperative's couriers."))
    return person


def access_round_for_courier(person: Any, round_id: int) -> Round:
    check_courier(person)
    found = Round.objects.select_related("slot__zone__depot", "vehicle").filter(pk=round_id).first()
    if found is None:
        raise NotFound(_("No such round."))
    if found.courier_id != person.pk:
        raise NotAllowed(_("This round is another courier's."))
    return found


def check_dispatcher(person: Any) -> Any:
    return check_staff(person)
