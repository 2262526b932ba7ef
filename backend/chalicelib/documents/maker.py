"""The ``Documents`` port (service/ports.py) for one district: each document made
once per process and kept (a few), since the same record always gives the same
bytes and an approval's emails ask for the same PDF several times.

An issued agreement PDF is kept by the store, in the approval's own write: once
a request has its ``agreement_sha256``, its PDF comes from there, so it is the
very file that was hashed even after the district file or fpdf2 has changed. A
request approved before the store kept PDFs has its PDF made again."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

from ..config.schema import DistrictConfig
from ..core.request import StoredRequest
from .record import approved_at

KEEP = 16


class IssuedPdfs(Protocol):
    """Where issued agreement PDFs are kept (the ``Store``)."""

    def issued_pdf(self, sha256: str) -> bytes | None: ...


class DistrictDocuments:
    def __init__(self, district: DistrictConfig, site_url: str, issued: IssuedPdfs | None = None) -> None:
        self.district = district
        self.site_url = site_url
        self.issued = issued
        self._made: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def _key(self, kind: str, request: StoredRequest) -> tuple[str, str, str]:
        return (kind, request.id, approved_at(request).isoformat())

    def _kept(self, key: tuple[str, str, str]) -> bytes | None:
        with self._lock:
            found = self._made.get(key)
            if found is not None:
                self._made.move_to_end(key)
            return found

    def _keep(self, key: tuple[str, str, str], data: bytes) -> bytes:
        with self._lock:
            self._made[key] = data
            while len(self._made) > KEEP:
                self._made.popitem(last=False)
        return data

    def agreement_pdf(self, request: StoredRequest) -> bytes:
        key = self._key("pdf", request)
        kept = self._kept(key)
        if kept is not None:
            return kept
        if request.agreement_sha256 and self.issued is not None:
            stored = self.issued.issued_pdf(request.agreement_sha256)
            if stored is not None:
                return self._keep(key, stored)
        from .agreement_pdf import render_agreement_pdf

        return self._keep(key, render_agreement_pdf(self.district, request, self.site_url))

    def calendar_ics(self, request: StoredRequest) -> bytes:
        key = self._key("ics", request)
        kept = self._kept(key)
        if kept is not None:
            return kept
        from .calendar_ics import render_calendar_ics

        return self._keep(key, render_calendar_ics(self.district, request))
