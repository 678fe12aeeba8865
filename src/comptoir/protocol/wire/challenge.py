"""The registry's on_subscribe challenge: X25519 key agreement, then AES-256-ECB.

ONDC's registry proves that a subscriber holds the encryption key it published
by sending it a challenge encrypted with the shared secret of the registry's key
and the subscriber's; the subscriber answers with the plain text. Keys travel as
base64 DER (PKCS#8 for private keys, SubjectPublicKeyInfo for public keys), as
ONDC publishes them. ECB is ONDC's choice for this short random challenge, not ours.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


@dataclass(frozen=True)
class EncryptionKeyPair:
    private: str  # base64 PKCS#8 DER
    public: str  # base64 SubjectPublicKeyInfo DER

    @classmethod
    def generate(cls) -> EncryptionKeyPair:
        key = X25519PrivateKey.generate()
        private = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return cls(private=base64.b64encode(private).decode(), public=base64.b64encode(public).decode())


def shared_secret(private: str, public: str) -> bytes:
    key = serialization.load_der_private_key(base64.b64decode(private), password=None)
    peer = serialization.load_der_public_key(base64.b64decode(public))
    if not isinstance(key, X25519PrivateKey) or not isinstance(peer, X25519PublicKey):
        raise ValueError("the challenge needs X25519 keys")
    return key.exchange(peer)


def encrypt(text: str, private: str, public: str) -> str:
    padder = padding.PKCS7(128).padder()
    data = padder.update(text.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(shared_secret(private, public)), modes.ECB()).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def decrypt(ciphertext: str, private: str, public: str) -> str:
    decryptor = Cipher(algorithms.AES(shared_secret(private, public)), modes.ECB()).decryptor()
    data = decryptor.update(base64.b64decode(ciphertext)) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return (unpadder.update(data) + unpadder.finalize()).decode()
