"""Permission-checked loaders: `access_<thing>_for_<actor>`.

Every view and API handler that touches an object owned by someone loads it
through one of these, so "a shop's staff edit only that shop" lives here once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from comptoir.core.errors import NotAllowed
from comptoir.members.models import College, Person

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def is_member_of(person: Person | AnonymousUser, college: str) -> bool:
    if not person.is_authenticated:
        return False
    return person.memberships.filter(college__code=college, ended__isnull=True).exists()  # type: ignore[union-attr]


def check_staff(person: Person | AnonymousUser) -> Person:
    if person.is_authenticated and (person.is_staff or is_member_of(person, College.Code.STAFF)):
        return person  # type: ignore[return-value]
    raise NotAllowed(_("Reserved for the cooperative's staff."))
