"""Uploads bounded while they stream in: Django limits form fields, not files.

`BoundedUploadHandler` comes first in `FILE_UPLOAD_HANDLERS`: it refuses a request whose
declared length is over `COMPTOIR_UPLOAD_MAX_BYTES` before reading it, and stops one that
sends more than that without declaring it (chunked). Both raise `UploadTooLarge`, a
`RequestDataTooBig`: Django answers 400 by default; the pages and the API answer 413 with a
clear message (`web.middleware`, `comptoir.api`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse


class UploadTooLarge(RequestDataTooBig):
    def __init__(self, limit: int) -> None:
        super().__init__(f"upload larger than {limit} bytes")
        self.limit = limit


class BoundedUploadHandler(FileUploadHandler):
    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.limit = settings.COMPTOIR_UPLOAD_MAX_BYTES
        self.received = 0
        if content_length > self.limit:
            raise UploadTooLarge(self.limit)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise UploadTooLarge(self.limit)
        return raw_data  # the next handler keeps the bytes

    def file_complete(self, file_size: int) -> None:
        return None


class UploadLimitMiddleware:
    """Answer 413 to a request declaring a body over the limit, before anything reads it.

    It runs before the CSRF check (which reads the form, hence the file): the person gets a
    clear message instead of a generic 400, and the server reads none of the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.COMPTOIR_UPLOAD_MAX_BYTES
        if declared > limit:
            return too_large_response(request, limit)
        return self.get_response(request)


def too_large_response(request: HttpRequest, limit: int) -> HttpResponse:
    megabytes = round(limit / 1e6, 1)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "too_large", "message": f"The request is larger than {megabytes} MB.",
             "details": {"limit_bytes": limit}},
            status=413,
        )  # fmt: skip
    # Before the language middleware: both languages, plain and short.
    body = (
        f"<!doctype html><meta charset=utf-8><title>413</title><p lang=fr>Fichier trop volumineux\u00a0: "
        f"la limite est de {megabytes}\u00a0Mo. Découpez-le en plusieurs fichiers.</p>"
        f"<p lang=en>File too large: the limit is {megabytes} MB. Split it into several files.</p>"
    )
    return HttpResponse(body, status=413)
