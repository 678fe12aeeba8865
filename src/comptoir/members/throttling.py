"""Sign-in throttling: django-axes, configured for a node where shops must never be locked out.

Failures are counted per (account, address) pair (settings.AXES_LOCKOUT_PARAMETERS):
someone guessing a shop's password from their address is stopped after
AXES_FAILURE_LIMIT tries for AXES_COOLOFF_TIME, while the shop, signing in from
anywhere else, is not affected; the lock lifts by itself. docs/decisions/0007 says why.

Every sign-in reachable over HTTP (login page, /admin/, POST /api/v1/auth/token)
passes its request to `authenticate`; that is what this backend keys on.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class SignInThrottle(AxesStandaloneBackend):
    """Refuses a sign-in while its (account, address) pair is locked out.

    Calls from code (a management command, the test client's `login`) have no request
    and no address to count: they are not throttled, as nothing reaches them over HTTP.
    """

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def username_of(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Emails are case-insensitive here: "Owner@X" and "owner@x " count as one account."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(username).strip().lower()


def retry_after_seconds(request: HttpRequest) -> int:
    cool_off = get_cool_off(request) or settings.AXES_COOLOFF_TIME
    return int(cool_off.total_seconds())


def locked_out_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    seconds = retry_after_seconds(request)
    minutes = max(1, seconds // 60)
    message = _(
        "Too many failed sign-ins for this account from your address. "
        "Try again in %(minutes)d minutes, or reset your password."
    ) % {"minutes": minutes}
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "code": "locked_out",
                "error": "throttled",
                "message": message,
                "details": {"retry_after": seconds},
            },
            status=429,
        )
    else:
        response = render(request, "web/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = str(seconds)
    return response
