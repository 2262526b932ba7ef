"""Per-party link tokens: derived from a server secret, stored only as hashes.

A token is HMAC-SHA256(secret, request id, salt, party): 256 bits that only the
server can recreate (so a reminder or a retried email carries the same link),
while the table holds just the SHA-256 of each token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_salt() -> str:
    return secrets.token_hex(16)


def token_for(secret: str, request_id: str, salt: str, party_key: str) -> str:
    message = f"{request_id}\n{salt}\n{party_key}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def party_for(token: str, token_hashes: dict[str, str]) -> str | None:
    """The party key whose stored hash matches ``token`` (compared in constant time)."""
    if not token or len(token) > 128:
        return None
    candidate = token_hash(token)
    found = None
    for party, stored in token_hashes.items():
        if hmac.compare_digest(candidate, stored):
            found = party
    return found
