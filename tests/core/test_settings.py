"""Configuration from the environment (issue 13, low items): each case is a fresh interpreter
importing `comptoir.settings` with its own environment, as a node starts."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
SHOW = """
import json, sqlite3, django
from django.conf import settings
django.setup()
from django.db import connection
connection.ensure_connection()
names = ["ALLOWED_HOSTS", "SECURE_HSTS_PRELOAD", "SECURE_HSTS_SECONDS", "SECURE_PROXY_SSL_HEADER", "EMAIL_BACKEND",
         "EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"]
print(json.dumps({n: getattr(settings, n, None) for n in names}))
"""


def node_settings(tmp_path: Path, **env: str) -> dict:
    home = tmp_path / "home"
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COMPTOIR_", "EMAIL_", "ALLOWED_", "DATABASE_", "SECRET_"))
    }
    clean |= {
        "COMPTOIR_HOME": str(home),
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "comptoir.settings",
        **env,
    }
    done = subprocess.run([sys.executable, "-c", SHOW], env=clean, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_folder_secret_key_and_database_are_private(tmp_path):
    usual = os.umask(0o022)  # a usual login umask: the node must not rely on it
    try:
        node_settings(tmp_path)
    finally:
        os.umask(usual)
    home = tmp_path / "home"
    key = home / "secret_key"
    assert (mode(home), mode(key), mode(home / "comptoir.sqlite3")) == (0o700, 0o600, 0o600)
    assert len(key.read_text()) == 86
    first = key.read_text()
    node_settings(tmp_path)  # a second start reads the same key, never rewrites it
    assert key.read_text() == first
    home.chmod(0o755)  # as an older version left them
    key.chmod(0o644)
    node_settings(tmp_path)
    assert (mode(home), mode(key), key.read_text()) == (0o700, 0o600, first)


def test_defaults_are_strict(tmp_path):
    values = node_settings(tmp_path)
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]  # no "testserver"
    assert values["SECURE_PROXY_SSL_HEADER"] is None  # X-Forwarded-Proto ignored without a proxy
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_allowed_hosts_are_stripped(tmp_path):
    values = node_settings(tmp_path, ALLOWED_HOSTS=" comptoir.example , www.comptoir.example ,, ")
    assert values["ALLOWED_HOSTS"] == ["comptoir.example", "www.comptoir.example"]


@pytest.mark.parametrize(
    ("env", "preload", "proxy"),
    [
        ({"COMPTOIR_HTTPS": "1"}, False, None),
        ({"COMPTOIR_HTTPS": "1", "COMPTOIR_HSTS_PRELOAD": "1"}, True, ["HTTP_X_FORWARDED_PROTO", "https"]),
    ],
)
def test_hsts_preload_and_proxy_are_the_operators_choice(tmp_path, env, preload, proxy):
    if preload:
        env = {**env, "COMPTOIR_BEHIND_PROXY": "1"}
    values = node_settings(tmp_path, **env)
    assert (values["SECURE_HSTS_SECONDS"], values["SECURE_HSTS_PRELOAD"]) == (31536000, preload)
    assert values["SECURE_PROXY_SSL_HEADER"] == proxy


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example:2525", ("mail.example", 2525, "", "", False, False)),
        (
            "smtp://relay%40coop:p%3Ass@mail.example:587?tls=1",
            ("mail.example", 587, "relay@coop", "p:ss", True, False),
        ),
        ("smtps://u:pw@mail.example", ("mail.example", 465, "u", "pw", False, True)),
    ],
)
def test_email_url_with_tls_and_authentication(tmp_path, url, expected):
    values = node_settings(tmp_path, EMAIL_URL=url)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    names = [
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
    ]
    assert tuple(values[n] for n in names) == expected


def test_forwarded_proto_is_ignored_without_a_proxy(client, settings):
    """In-process: the test settings have no proxy, so a forged header does not make a request secure."""
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert (response.status_code, response["Location"]) == (301, "https://testserver/")


def test_search_index_files_are_private(db, settings, tmp_path, shop):
    from comptoir.catalog.services import do_create_offer
    from comptoir.search.services import do_rebuild_index

    settings.COMPTOIR_SEARCH_DIR = tmp_path / "search"
    do_create_offer(shop, {"sku": "B1", "name_fr": "Pain complet", "price": "2,40", "stock": "3"})
    do_rebuild_index()
    made = list((tmp_path / "search").rglob("*"))
    assert any(p.is_file() for p in made)
    assert {oct(mode(p)) for p in made if p.is_file()} == {"0o600"}
    assert {oct(mode(p)) for p in [tmp_path / "search", *made] if p.is_dir()} == {"0o700"}
