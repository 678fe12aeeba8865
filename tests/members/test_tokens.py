"""API tokens (issue 13 item 5): stored as hashes, expire, listed and revoked (page and API),
revoked by a password change, capped per person."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.members.models import ApiToken
from comptoir.members.services import do_issue_api_token, person_for_api_token
from tests.conftest import PASSWORD, ApiClient


@pytest.fixture
def person(make_person):
    return make_person("dev@example.org")


def test_tokens_are_hashed_and_expire(person, settings):
    settings.COMPTOIR_API_TOKEN_DAYS = 30
    before = timezone.now()
    token = do_issue_api_token(email="dev@example.org", password=PASSWORD, label="script")
    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest() and token not in stored.digest
    assert timedelta(days=30) <= stored.expires - before < timedelta(days=30, seconds=5)
    api = ApiClient(token)
    assert api.call("get", "/auth/tokens").status_code == 200
    ApiToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert person_for_api_token(token) is None
    assert api.call("get", "/auth/tokens").status_code == 401


def test_list_and_revoke_through_the_api(person, make_person):
    first = ApiClient(do_issue_api_token(email="dev@example.org", password=PASSWORD, label="laptop"))
    second_token = do_issue_api_token(email="dev@example.org", password=PASSWORD, label="phone")
    listed = first.call("get", "/auth/tokens").json()
    assert [(t["label"], t["current"], t["last_used"] is None) for t in listed] == [
        ("phone", False, True),
        ("laptop", True, False),
    ]
    assert set(listed[0]) == {"id", "label", "created", "last_used", "expires", "current"}  # never the value
    make_person("other@example.org")
    other = ApiClient(do_issue_api_token(email="other@example.org", password=PASSWORD))
    assert other.call("delete", f"/auth/tokens/{listed[0]['id']}").status_code == 404  # not theirs
    assert first.call("delete", f"/auth/tokens/{listed[0]['id']}").status_code == 204
    assert ApiClient(second_token).call("get", "/auth/tokens").status_code == 401
    assert [t["label"] for t in first.call("get", "/auth/tokens").json()] == ["laptop"]


def test_per_person_cap(person, settings):
    settings.COMPTOIR_API_TOKENS_PER_PERSON = 3
    api = ApiClient()
    body = {"email": "dev@example.org", "password": PASSWORD}
    assert [api.call("post", "/auth/token", body).status_code for _ in range(4)] == [200, 200, 200, 400]
    refused = api.call("post", "/auth/token", body).json()
    assert (refused["code"], refused["error"], refused["details"]) == ("too_many_tokens", "invalid", {})
    assert (
        refused["message"] == "Vous avez déjà 3 jetons d’API\u00a0: révoquez-en un avant d’en créer un autre."
    )
    ApiToken.objects.filter(pk=ApiToken.objects.order_by("id").first().pk).update(expires=timezone.now())
    assert api.call("post", "/auth/token", body).status_code == 200  # an expired token frees its place
    assert ApiToken.objects.count() == 3


def test_tokens_page_creates_lists_and_revokes(person):
    client = Client()
    assert client.login(username="dev@example.org", password=PASSWORD)
    created = client.post("/compte/jetons/", {"label": "tableur"}).content.decode()
    token = re.search(r'<code id="new-token">([^<]+)</code>', created).group(1)
    assert person_for_api_token(token) == person
    assert "tableur" in client.get("/compte/jetons/").content.decode()
    assert token not in client.get("/compte/jetons/").content.decode()  # shown once
    revoked = client.post(f"/compte/jetons/{ApiToken.objects.get().pk}/revoquer/")
    assert (revoked.status_code, revoked["Location"]) == (302, "/compte/jetons/")
    assert person_for_api_token(token) is None and ApiToken.objects.count() == 0
    assert client.get(f"/compte/jetons/{1}/revoquer/").status_code == 405  # a GET changes nothing


def test_password_change_revokes_every_token(person):
    tokens = [do_issue_api_token(email="dev@example.org", password=PASSWORD) for _ in range(2)]
    client = Client()
    assert client.login(username="dev@example.org", password=PASSWORD)
    changed = client.post(
        "/compte/mot-de-passe/",
        {"old_password": PASSWORD, "new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )  # fmt: skip
    assert changed.status_code == 302
    assert [person_for_api_token(t) for t in tokens] == [None, None]
    assert ApiToken.objects.count() == 0
    person.refresh_from_db()
    person.set_password("yet another passphrase")  # any other path (admin, shell) too
    person.save()
    token = do_issue_api_token(email="dev@example.org", password="yet another passphrase")
    person.set_password("and one more passphrase")
    person.save()
    assert person_for_api_token(token) is None
