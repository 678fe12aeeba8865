"""A full disk, a read-only or unreachable database: a 503 that says so, in French or English (core/storage.py).

The real thing (a full tmpfs, a read-only mount, PostgreSQL read-only) is in tests/crash/test_storage.py;
here the errors the drivers raise are injected where a request meets them.
"""

from __future__ import annotations

import errno
from typing import Any

import psycopg
import pytest
from django.db import InternalError, OperationalError
from django.test import Client

from comptoir.core.storage import storage_unavailable
from comptoir.members.services import do_issue_api_token
from tests.conftest import PASSWORD

FR = (
    "Le Comptoir ne peut rien enregistrer pour le moment\u00a0: son disque est plein, ou sa base de données est "
    "en lecture seule ou injoignable. Rien n’a été enregistré\u00a0; réessayez dans quelques minutes."
)
EN = (
    "Comptoir cannot save anything right now: its disk is full or its database is read-only or out of reach. "
    "Nothing was recorded; try again in a few minutes."
)


def full_disk(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("database or disk is full")


@pytest.mark.parametrize(("cookie", "message"), [("", FR), ("en", EN)])
def test_api_answers_503_with_the_error_shape(
    make_person: Any, monkeypatch: Any, cookie: str, message: str
) -> None:
    person = make_person("ada@example.org")
    token = do_issue_api_token(email=person.email, password=PASSWORD)
    monkeypatch.setattr("comptoir.orders.services.do_checkout", full_disk)
    client = Client(raise_request_exception=False)
    if cookie:
        client.cookies["django_language"] = cookie
    body = {"email": "ada@example.org", "fulfilment": {}, "payment_method": "on_handover", "items": []}
    answer = client.post("/api/v1/checkout", body, content_type="application/json",
                         headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert answer.status_code == 503
    assert answer["Retry-After"] == "60"
    assert answer.json() == {
        "code": "unavailable", "error": "unavailable", "message": message, "details": {"retry_after": 60},
    }  # fmt: skip


def test_page_answers_503_when_the_database_cannot_be_opened(db: Any, monkeypatch: Any) -> None:
    def cannot_open(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("unable to open database file")

    monkeypatch.setattr("comptoir.catalog.selectors.shop_directory", cannot_open)
    page = Client(raise_request_exception=False).get("/")
    assert page.status_code == 503
    text = page.content.decode()
    assert "<h1>Le Comptoir est indisponible un instant</h1>" in text
    assert FR in text


def test_a_real_bug_stays_a_500(db: Any, monkeypatch: Any) -> None:
    def bug(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("comptoir.catalog.selectors.shop_directory", bug)
    assert Client(raise_request_exception=False).get("/").status_code == 500


def test_storage_errors_are_told_from_bugs() -> None:
    read_only = InternalError("cannot execute INSERT in a read-only transaction")
    read_only.__cause__ = psycopg.errors.ReadOnlySqlTransaction("read-only")
    assert storage_unavailable(read_only)
    assert storage_unavailable(OSError(errno.ENOSPC, "No space left on device"))
    assert storage_unavailable(OSError(errno.EROFS, "Read-only file system"))
    assert storage_unavailable(OperationalError("database or disk is full"))
    assert not storage_unavailable(OSError(errno.ENOENT, "No such file"))
    assert not storage_unavailable(InternalError("something else"))
    assert not storage_unavailable(ValueError("bad"))
    assert not storage_unavailable(None)
