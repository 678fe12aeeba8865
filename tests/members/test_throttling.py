"""Sign-in throttling (issue 13 item 4): the login page, POST /api/v1/auth/token and /admin/.

Failures count per (account, address): after 5 wrong passwords from one address that
account is paused *from that address* for 15 minutes (429 with Retry-After), even
with the right password; the owner signing in from elsewhere is not affected; the
pause lifts by itself after the cool-off. docs/decisions/0007 explains the choice.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD, ApiClient

ATTACKER, OWNER_HOME = "203.0.113.7", "198.51.100.20"


@pytest.fixture
def member(make_person):
    return make_person("camille@example.org", is_staff=True, is_superuser=True)


def _login_page(client: Client, password: str, email: str = "camille@example.org"):
    return client.post("/connexion/", {"username": email, "password": password})


def test_login_page_locks_the_pair_not_the_account(member):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    statuses = [_login_page(attacker, f"guess {n}").status_code for n in range(5)]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = _login_page(attacker, PASSWORD)  # even the right password, from this address
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert "Trop de connexions échouées pour ce compte depuis votre adresse" in locked.content.decode()
    assert "_auth_user_id" not in attacker.session
    # Upper case and spaces are the same account: no way around the count.
    assert _login_page(attacker, PASSWORD, email=" Camille@Example.ORG").status_code == 429
    owner = Client(REMOTE_ADDR=OWNER_HOME)
    signed_in = _login_page(owner, PASSWORD)
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/")
    # Another account from the attacker's address is still counted on its own.
    assert _login_page(attacker, "guess", email="someone-else@example.org").status_code == 200


def test_the_lock_lifts_after_the_cool_off(member):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(5):
        _login_page(attacker, f"guess {n}")
    assert _login_page(attacker, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login_page(attacker, PASSWORD).status_code == 302
    # A success resets the count: four new failures do not lock.
    assert [_login_page(Client(REMOTE_ADDR=ATTACKER), "bad").status_code for _ in range(4)] == [200] * 4


def test_api_token_endpoint_is_throttled(member):
    api = ApiClient()
    body = {"email": "camille@example.org", "password": "wrong"}
    statuses = [api.call("post", "/auth/token", body, REMOTE_ADDR=ATTACKER).status_code for _ in range(5)]
    assert statuses == [403, 403, 403, 403, 429]
    locked = api.call("post", "/auth/token", {**body, "password": PASSWORD}, REMOTE_ADDR=ATTACKER)
    assert locked.status_code == 429 and locked["Retry-After"] == "900"
    assert (locked.json()["code"], locked.json()["error"]) == ("locked_out", "throttled")
    assert locked.json()["details"] == {"retry_after": 900}
    assert "token" not in locked.json()
    fine = api.call("post", "/auth/token", {**body, "password": PASSWORD}, REMOTE_ADDR=OWNER_HOME)
    assert fine.status_code == 200 and len(fine.json()["token"]) == 43


def test_admin_login_is_throttled(member):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    form = {"username": "camille@example.org", "password": "wrong", "next": "/admin/"}
    statuses = [attacker.post("/admin/login/", form).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert attacker.post("/admin/login/", {**form, "password": PASSWORD}).status_code == 429
    assert (
        Client(REMOTE_ADDR=OWNER_HOME).post("/admin/login/", {**form, "password": PASSWORD}).status_code
        == 302
    )


def test_forwarded_for_is_ignored_without_a_proxy(member):
    """Without COMPTOIR_BEHIND_PROXY an attacker cannot dodge the count by inventing addresses."""
    statuses = [
        _login_page(Client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}"), "guess").status_code
        for n in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_addresses_are_kept_only_as_long_as_the_cool_off(member, make_person):
    assert _login_page(Client(REMOTE_ADDR=OWNER_HOME), PASSWORD).status_code == 302
    assert AccessLog.objects.count() == 0  # no record of who signed in from where
    _login_page(Client(REMOTE_ADDR=ATTACKER), "guess")
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [(ATTACKER, 1)]
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    _login_page(Client(REMOTE_ADDR=OWNER_HOME), "typo")
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [(OWNER_HOME, 1)]
