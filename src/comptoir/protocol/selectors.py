"""Reads: which key a participant signs with (local rows, then the registry, cached with expiry)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from comptoir.protocol.models import Subscriber

log = logging.getLogger(__name__)


def known_key(subscriber_id: str, unique_key_id: str, *, now: datetime, role: str = "") -> Subscriber | None:
    """The participant's key if it is subscribed and valid now (in ``role`` if given); asks the registry on a miss."""
    found = _valid(subscriber_id, unique_key_id, now=now, role=role)
    if found is None and settings.COMPTOIR_REGISTRY_URL:
        from comptoir.protocol.registry import do_cache_lookup

        do_cache_lookup(subscriber_id=subscriber_id, unique_key_id=unique_key_id, now=now)
        found = _valid(subscriber_id, unique_key_id, now=now, role=role)
    return found


def _valid(subscriber_id: str, unique_key_id: str, *, now: datetime, role: str) -> Subscriber | None:
    rows = Subscriber.objects.filter(
        subscriber_id=subscriber_id,
        unique_key_id=unique_key_id,
        status="SUBSCRIBED",
        valid_from__lte=now,
        valid_until__gt=now,
    ).filter(Q(cached_until__isnull=True) | Q(cached_until__gt=now))
    if role:
        rows = rows.filter(role=role)
    return rows.order_by("pk").first()


def participants(*, role: str, domain: str, city: str, now: datetime) -> list[Subscriber]:
    """Subscribed participants of a role serving a domain and city (``*`` serves every city)."""
    rows = Subscriber.objects.filter(
        role=role, domain=domain, status="SUBSCRIBED", valid_from__lte=now, valid_until__gt=now
    ).filter(Q(city=city) | Q(city="*"))
    return list(rows.filter(Q(cached_until__isnull=True) | Q(cached_until__gt=now)).order_by("subscriber_id"))


def lookup_lifetime() -> timedelta:
    return timedelta(seconds=settings.COMPTOIR_PROTOCOL_LOOKUP_SECONDS)
