"""Seal reasoning for stateless clients: AES-256-GCM under a key only the server holds.

A sealed blob is base64url(nonce || ciphertext+tag). The tag authenticates the ciphertext and
a fixed label, so a changed byte, a blob from another server, or a forged one fails to open.
The key comes from PONDER_SECRET_KEY (64 hex digits) or from a key file beside the database,
made once with mode 0600, so sealed reasoning survives a restart.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ponder.server.errors import invalid

LABEL = b"ponder/reasoning/v1"


class Sealer:
    def __init__(self, key: bytes):
        assert len(key) == 32, "AES-256 needs a 32-byte key"
        self._aead = AESGCM(key)

    def seal(self, reasoning: str) -> str:
        nonce = os.urandom(12)
        data = self._aead.encrypt(nonce, json.dumps({"reasoning": reasoning}).encode(), LABEL)
        return base64.urlsafe_b64encode(nonce + data).decode()

    def unseal(self, sealed: str) -> str:
        try:
            raw = base64.urlsafe_b64decode(sealed.encode())
            plain = self._aead.decrypt(raw[:12], raw[12:], LABEL)
            return json.loads(plain)["reasoning"]
        except (InvalidTag, ValueError, binascii.Error, KeyError, TypeError):
            raise invalid("encrypted_content", "the encrypted reasoning is invalid or was altered",
                          code="invalid_encrypted_content") from None


def load_key(secret_hex: str | None, key_file: Path | None) -> bytes:
    if secret_hex:
        try:
            key = bytes.fromhex(secret_hex)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise ValueError("PONDER_SECRET_KEY must be 64 hexadecimal digits (32 bytes)")
        return key
    if key_file is None:
        return os.urandom(32)  # an in-memory store: sealed reasoning lives as long as the process
    if key_file.exists():
        return bytes.fromhex(key_file.read_text().strip())
    key = os.urandom(32)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key.hex() + "\n")
    return key
