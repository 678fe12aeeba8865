"""A resident's browser for tests against a real node over HTTP: cookies, CSRF, forms read by regex."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


@dataclass
class Page:
    status: int
    url: str
    text: str

    def hidden(self, name: str) -> list[str]:
        return re.findall(rf'name="{name}" value="([^"]*)"', self.text)


class Resident:
    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=120) as response:
                return Page(response.status, response.geturl(), response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.geturl() or request.full_url, error.read().decode())

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path, headers={"Accept-Language": "fr"}))

    def post(self, path: str, data: dict[str, str]) -> Page:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token or ""}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, method="POST",
            headers={"Referer": self.base + path, "Accept-Language": "fr"},
        )  # fmt: skip
        return self._open(request)

    def sign_in(self, email: str, password: str) -> None:
        self.get("/connexion/")
        page = self.post("/connexion/", {"username": email, "password": password})
        assert "/connexion/" not in page.url, page.text[-2000:]
