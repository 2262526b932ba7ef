"""Made-up people for tests that run against a shared stack: each call a new
student (a number the demo district accepts: 6 to 9 digits) or a new family
address, so that the per-student and per-address limits of one test never
meet another's."""

from __future__ import annotations

import secrets


def student_number() -> str:
    """A fresh 8-digit student id (no leading zero, so it is also its own canonical form)."""
    return str(secrets.randbelow(9 * 10**7) + 10**7)


def family_address(who: str) -> str:
    """A fresh address at the fictional ``family.example`` domain."""
    return f"{who}.{secrets.token_hex(4)}@family.example"
