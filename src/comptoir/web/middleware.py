"""Security headers: no third-party request may leave a page."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def tile_source(tile_url: str) -> str:
    """The CSP source of a tile template: "https://{s}.tile.example/{z}/{x}/{y}.png" → "https://*.tile.example"."""
    parts = urlsplit(tile_url.replace("{s}.", "sub.", 1))
    host = parts.netloc.replace("sub.", "*.", 1) if "{s}." in tile_url else parts.netloc
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    images = "'self' data:"
    tile_url = settings.COMPTOIR_TILE_URL
    if tile_url:
        images += " " + tile_source(tile_url)
    return (
        "default-src 'self'; img-src " + images + "; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'"
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The API docs are no exception: swagger-ui's files come from the node ("ninja" app).
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", "interest-cohort=(), browsing-topics=()")
        return response


class RefusalMiddleware:
    """A refusal raised by a service becomes a page with its reason (403, 404 or 400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from comptoir.core.errors import ComptoirError, NotAllowed, NotFound

        if not isinstance(exception, ComptoirError):
            return None
        status = 403 if isinstance(exception, NotAllowed) else 404 if isinstance(exception, NotFound) else 400
        return render(request, "web/error.html", {"message": exception.message}, status=status)
