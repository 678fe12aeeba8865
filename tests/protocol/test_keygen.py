"""`comptoir protocol keygen` writes usable keys readable by the owner only, and never overwrites silently."""

from __future__ import annotations

import json
import stat

import pytest
from django.core.management import CommandError, call_command

from comptoir.protocol.identity import load_identity
from comptoir.protocol.wire import challenge, signing


def test_keygen_writes_owner_only_keys_that_sign(tmp_path, settings, capsys):
    settings.COMPTOIR_HOME = tmp_path
    call_command("protocol", "keygen")
    path = tmp_path / "protocol" / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keys = json.loads(path.read_text())
    assert set(keys) == {
        "unique_key_id",
        "signing_private_key",
        "signing_public_key",
        "encr_private_key",
        "encr_public_key",
    }
    me = load_identity()
    assert me.signing.public == keys["signing_public_key"]
    header = signing.parse_header(
        signing.authorization_header(
            b"x", subscriber_id="s", unique_key_id="k", private=me.signing.private, created=1, expires=2
        )
    )
    signing.check_header(header, b"x", keys["signing_public_key"], now=1)
    other = challenge.EncryptionKeyPair.generate()
    secret = challenge.encrypt("hello", other.private, me.encryption.public)
    assert challenge.decrypt(secret, me.encryption.private, other.public) == "hello"
    assert keys["signing_public_key"] in capsys.readouterr().out
    with pytest.raises(CommandError, match="not replaced without --force"):
        call_command("protocol", "keygen")
    assert json.loads(path.read_text()) == keys
    call_command("protocol", "keygen", "--force")
    assert json.loads(path.read_text())["signing_public_key"] != keys["signing_public_key"]


def test_identity_without_keys_says_what_to_run(tmp_path, settings):
    settings.COMPTOIR_HOME = tmp_path
    with pytest.raises(Exception, match="comptoir protocol keygen"):
        load_identity()


def test_trust_refuses_a_key_that_is_not_ed25519(db):
    with pytest.raises(CommandError, match="not a base64 ed25519 public key"):
        call_command(
            "protocol", "trust", "peer.example", "k1", "BPP", "https://peer.example/beckn", "bm90LWEta2V5"
        )
    with pytest.raises(CommandError, match="role must be one of"):
        call_command(
            "protocol",
            "trust",
            "peer.example",
            "k1",
            "XYZ",
            "https://peer.example/beckn",
            signing.KeyPair.generate().public,
        )


def test_peers_commands_say_what_is_missing(tmp_path, settings, db):
    settings.COMPTOIR_HOME = tmp_path
    with pytest.raises(CommandError, match="comptoir protocol keygen"):
        call_command("peers", "search", "pain", "--wait", "0.1")
    call_command("protocol", "keygen")
    with pytest.raises(CommandError, match=r"unknown seller nowhere\.example"):
        call_command("peers", "pull", "nowhere.example", "--expect", "1")
