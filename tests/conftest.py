"""Fixtures shared by every app's tests: people, a shop with its owner, an API client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from comptoir.catalog.models import Shop
from comptoir.catalog.services import do_create_shop
from comptoir.members.models import Person
from comptoir.members.services import do_issue_api_token

PASSWORD = "correct horse battery"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def make_person(db: Any) -> Any:
    def make(email: str = "someone@example.org", **fields: Any) -> Person:
        return Person.objects.create_user(email, PASSWORD, **fields)

    return make


@pytest.fixture
def owner(make_person: Any) -> Person:
    return make_person("owner@boulangerie.example", full_name="Camille Roux")


@pytest.fixture
def shop(owner: Person) -> Shop:
    return do_create_shop(
        owner=owner, ref="boulangerie", name="Boulangerie du Pont", kind="bakery", lat=47.056, lon=6.004,
        status=Shop.Status.ACTIVE, neighbourhood="Centre", address="3 Grande Rue",
    )  # fmt: skip


@pytest.fixture
def other_shop(make_person: Any) -> Shop:
    other = make_person("owner@quincaillerie.example")
    return do_create_shop(
        owner=other, ref="quincaillerie", name="Quincaillerie Girard", kind="hardware", lat=47.06, lon=6.01,
        status=Shop.Status.ACTIVE,
    )  # fmt: skip


class ApiClient:
    """JSON calls with a bearer token, checked against the OpenAPI document's paths."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        send = getattr(self.client, method)
        if body is not None and "data" not in kwargs:
            kwargs.update(data=body, content_type="application/json")
        return send("/api/v1" + path, headers=self.headers, **kwargs)


@pytest.fixture
def anon_api(db: Any) -> ApiClient:
    return ApiClient()


@pytest.fixture
def owner_api(owner: Person, shop: Shop) -> ApiClient:
    return ApiClient(do_issue_api_token(email=owner.email, password=PASSWORD))
