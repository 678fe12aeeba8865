"""This node's protocol identity: subscriber id, key id, signing and encryption keys.

Keys live in ``$COMPTOIR_HOME/protocol/keys.json`` (mode 0600), written once by
``comptoir protocol keygen``; the rest comes from settings (environment).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from comptoir.core.errors import InvalidInput
from comptoir.protocol.wire.challenge import EncryptionKeyPair
from comptoir.protocol.wire.signing import KeyPair


@dataclass(frozen=True)
class Identity:
    subscriber_id: str
    unique_key_id: str
    url: str  # our Beckn endpoint base, e.g. https://node.example/beckn
    signing: KeyPair
    encryption: EncryptionKeyPair


def keys_path() -> Path:
    return Path(settings.COMPTOIR_HOME) / "protocol" / "keys.json"


def do_generate_keys(*, path: Path | None = None, force: bool = False) -> dict[str, str]:
    """Write fresh keys, readable by the node's user only; never overwrite without ``force``."""
    path = path or keys_path()
    if path.exists() and not force:
        raise InvalidInput(
            f"{path} exists: keys are not replaced without --force (peers know the old public key)"
        )
    signing, encryption = KeyPair.generate(), EncryptionKeyPair.generate()
    keys = {
        "unique_key_id": str(uuid.uuid4()),
        "signing_private_key": signing.private,
        "signing_public_key": signing.public,
        "encr_private_key": encryption.private,
        "encr_public_key": encryption.public,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(keys, handle, indent=1)
    os.chmod(path, 0o600)  # O_CREAT's mode does not apply to a file that already existed
    return keys


def load_identity() -> Identity:
    path = keys_path()
    if not path.exists():
        raise InvalidInput(f"no protocol keys in {path}: run `comptoir protocol keygen` first")
    keys = json.loads(path.read_text())
    return Identity(
        subscriber_id=settings.COMPTOIR_PROTOCOL_ID,
        unique_key_id=keys["unique_key_id"],
        url=settings.COMPTOIR_PROTOCOL_URL,
        signing=KeyPair.from_private(keys["signing_private_key"]),
        encryption=EncryptionKeyPair(private=keys["encr_private_key"], public=keys["encr_public_key"]),
    )
