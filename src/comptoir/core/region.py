"""The node's region profile, as configured (`settings.COMPTOIR_REGION`): the one place Django code asks.

Pure code takes a `Region` as an argument instead (core/regions.py holds the profiles).
"""

from __future__ import annotations

from django.conf import settings

from comptoir.core.regions import Region, region_named


def node_region() -> Region:
    return region_named(getattr(settings, "COMPTOIR_REGION", "france"))
