from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from comptoir.catalog.permissions import shops_of_staff


def node(request: HttpRequest) -> dict[str, Any]:
    return {
        "node_name": settings.COMPTOIR_NODE_NAME,
        "my_shops": shops_of_staff(request.user) if hasattr(request, "user") else [],
    }
