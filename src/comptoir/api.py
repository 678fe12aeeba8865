"""The node's JSON API under /api/v1/: one NinjaAPI, one router per app."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

# Each app's error-code enum registers itself when imported: import them all for the OpenAPI document.
from comptoir.catalog import error_codes as _catalog_codes  # noqa: F401
from comptoir.catalog.api import router as catalog_router
from comptoir.catalog.supplier_api import router as supplier_router
from comptoir.core.errors import ComptoirError, CoreErrorCode, all_codes
from comptoir.delivery.api import router as delivery_router
from comptoir.governance import error_codes as _governance_codes  # noqa: F401
from comptoir.governance.api import router as governance_router
from comptoir.ledger.api import router as ledger_router
from comptoir.members import error_codes as _member_codes  # noqa: F401
from comptoir.members.api import router as auth_router
from comptoir.orders import error_codes as _order_codes  # noqa: F401
from comptoir.orders.api import router as orders_router
from comptoir.privacy import error_codes as _privacy_codes  # noqa: F401
from comptoir.privacy.api import router as privacy_router
from comptoir.privacy.api import shops_router as privacy_shops_router
from comptoir.search.api import router as search_router

ERROR_STATUSES = ("400", "403", "404", "422", "429", "503")


class ComptoirAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document describes the error body and lists every error code."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = {
            "type": "object",
            "required": ["code", "error", "message", "details"],
            "properties": {
                "code": {
                    "type": "string",
                    "enum": all_codes(),
                    "description": "What went wrong, for programs.",
                },
                "error": {
                    "type": "string",
                    "description": "Its general kind: invalid, not_found, not_allowed…",
                },
                "message": {"type": "string", "description": "What went wrong, in the person's language."},
                "details": {"type": "object", "description": "Field names, ids and numbers about the error."},
            },
        }
        ref = {"description": "Refused: see code and message", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}  # fmt: skip
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                # Ninja keys its own responses by int: one key per status, or the JSON
                # document repeats "404" and swagger-ui refuses it.
                responses = {str(status): answer for status, answer in operation.get("responses", {}).items()}
                for status in ERROR_STATUSES:
                    responses.setdefault(str(status), ref)
                operation["responses"] = responses
        return schema


api = ComptoirAPI(
    title="Comptoir",
    version="1",
    description="The API of a Comptoir node: shops, offers, search, carts, orders, delivery, governance, ledger.",
    urls_namespace="api",
)
api.add_router("/auth", auth_router)
api.add_router("/delivery", delivery_router)
api.add_router("/governance", governance_router)
api.add_router("/ledger", ledger_router)
api.add_router("/me", privacy_router)
api.add_router("/", privacy_shops_router)
api.add_router("/", catalog_router)
api.add_router("/", supplier_router)
api.add_router("/", search_router)
api.add_router("/", orders_router)


@api.exception_handler(ValidationError)
def invalid_request(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A body, path or query that does not fit its declared types: the documented error shape
    (found by schemathesis: the 422 answered ninja's bare `{"detail": [...]}`), and `detail` kept
    for the clients that read it."""
    first = error.errors[0] if error.errors else {}
    field = str((first.get("loc") or ["?"])[-1])
    message = _("The request is not valid: %(field)s (%(reason)s).") % {
        "field": field, "reason": first.get("msg", "")
    }  # fmt: skip
    body = {
        "code": CoreErrorCode.INVALID, "error": CoreErrorCode.INVALID, "message": message,
        "details": {"field": field}, "detail": error.errors,
    }  # fmt: skip
    return api.create_response(request, body, status=422)


HTTP_KINDS = {400: CoreErrorCode.INVALID, 403: CoreErrorCode.NOT_ALLOWED, 404: CoreErrorCode.NOT_FOUND}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    """Ninja's own refusals (an unreadable body is a 400) in the documented error shape."""
    kind = HTTP_KINDS.get(error.status_code, CoreErrorCode.ERROR)
    body = {"code": kind, "error": kind, "message": str(error), "details": {}, "detail": str(error)}
    return api.create_response(request, body, status=error.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    """`get_object_or_404` in a handler: the documented error shape, not ninja's `{"detail": ...}`."""
    body = {
        "code": CoreErrorCode.NOT_FOUND, "error": CoreErrorCode.NOT_FOUND, "message": _("Not found."),
        "details": {}, "detail": "Not Found",
    }  # fmt: skip
    return api.create_response(request, body, status=404)


@api.exception_handler(ComptoirError)
def comptoir_error(request: HttpRequest, error: ComptoirError) -> HttpResponse:
    body = {"code": error.code, "error": error.kind, "message": error.message, "details": error.details}
    return api.create_response(request, body, status=error.status)
