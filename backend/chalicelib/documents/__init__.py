"""The documents a request issues once approved: the agreement PDF with its audit
certificate, and the guardian's calendar file. Deterministic: the same record
gives the same bytes. fpdf2 and icalendar are imported only when a document is made."""

from __future__ import annotations

from .maker import DistrictDocuments

__all__ = ["DistrictDocuments"]
