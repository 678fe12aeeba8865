"""Who reads which part of the books: one rule per reader, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.catalog.models import Shop
from comptoir.catalog.permissions import access_shop_for_staff
from comptoir.core.errors import NotAllowed, NotFound
from comptoir.members.permissions import check_staff


def access_statement(person: Any, shop_ref: str) -> Shop:
    """A shop's statement: the cooperative's staff (who keep the books), or that shop's own staff.

    The page once let in only the shop's staff and superusers while the API also let in the
    cooperative's staff; tests/test_access_matrix.py holds both to this one rule."""
    try:
        check_staff(person)
    except NotAllowed:
        return access_shop_for_staff(person, shop_ref)
    shop = Shop.objects.filter(ref=shop_ref).first()
    if shop is None:
        raise NotFound(_("No such shop."))
    return shop
