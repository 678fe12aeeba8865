"""The node's JSON API under /api/v1/: one NinjaAPI, one router per app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from comptoir.catalog.api import router as catalog_router
from comptoir.core.errors import ComptoirError, NotAllowed, NotFound
from comptoir.delivery.api import router as delivery_router
from comptoir.governance.api import router as governance_router
from comptoir.members.api import router as auth_router
from comptoir.orders.api import router as orders_router
from comptoir.search.api import router as search_router

api = NinjaAPI(
    title="Comptoir",
    version="1",
    description="The API of a Comptoir node: shops, offers, search, carts, orders, delivery, governance.",
    urls_namespace="api",
)
api.add_router("/auth", auth_router)
api.add_router("/delivery", delivery_router)
api.add_router("/governance", governance_router)
api.add_router("/", catalog_router)
api.add_router("/", search_router)
api.add_router("/", orders_router)

STATUS = {NotAllowed: 403, NotFound: 404}


@api.exception_handler(ComptoirError)
def comptoir_error(request: HttpRequest, error: ComptoirError) -> HttpResponse:
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
    return api.create_response(
        request, {"error": error.code, "message": error.message, "details": error.details}, status=status
    )
