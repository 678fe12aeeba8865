"""Error pages, and turning a refused action into a page a person understands."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

from comptoir.core.errors import CoreErrorCode
from comptoir.core.storage import storage_unavailable

RETRY_AFTER_SECONDS = 60


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"message": str(exception or "")}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/error.html", {"message": ""}, status=404)


def unavailable_message() -> str:
    return _(
        "Comptoir cannot save anything right now: its disk is full or its database is read-only or out of "
        "reach. Nothing was recorded; try again in a few minutes."
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """A full disk or a read-only database is a 503 that says so (page or JSON); anything else a 500.

    Django calls this handler inside its `except`, so the error is `sys.exc_info()`. The page
    extends nothing: the usual layout reads the database (menus, the person), which may be out of reach.
    """
    if not storage_unavailable(sys.exc_info()[1]):
        return django_server_error(request)
    message = unavailable_message()
    if request.path.startswith("/api/"):
        body = {"code": CoreErrorCode.UNAVAILABLE, "error": CoreErrorCode.UNAVAILABLE, "message": message,
                "details": {"retry_after": RETRY_AFTER_SECONDS}}  # fmt: skip
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        page = render_to_string("web/unavailable.html", {"message": message, "lang": get_language() or "fr"})
        response = HttpResponse(page, status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
