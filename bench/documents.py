"""How long the documents of an approved request take to make: the agreement PDF
with its audit certificate (fpdf2) and the guardian's calendar file (icalendar).

The principal's signature makes the PDF once (its SHA-256 is stored at approval),
and the approved emails ask for it again (kept per process after that). Prints
the first render in this process (importing fpdf2 and reading the fonts
included) and the median and p95 of warm renders, for a request read in English
(agreement and certificate) and one read in Spanish (plus the English copy).

    python bench/documents.py [--renders 20]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, median, percentile, use_backend

APPROVED = datetime(2026, 12, 3, 12, 55, tzinfo=UTC)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def approved_request(language: str):  # type: ignore[no-untyped-def]
    """A Ridgeline request, two teachers, signed by all four and approved."""
    from chalicelib.config.loader import load
    from chalicelib.core.contract import Contract, Party, Signature, State
    from chalicelib.core.contract_text import sha256_of
    from chalicelib.core.request import AuditEvent, Guardian, StoredRequest, Student
    from chalicelib.service.agreement import contract_text

    district = load()
    dates = tuple(district.calendar().school_days_between(*_week()))
    signers = [
        (Party.guardian(), "Dolores Ferreira"),
        (Party.teacher("t-castellanos"), "Inés Castellanos"),
        (Party.teacher("t-rojas"), "Camila Rojas"),
        (Party.principal(), "Rafael Ibarra"),
    ]
    signatures = tuple(
        Signature(
            party,
            name,
            APPROVED - timedelta(hours=6 * (3 - i)),
            f"198.51.100.{23 + 17 * i}",
            BROWSER,
            "0" * 64,
        )
        for i, (party, name) in enumerate(signers)
    )
    audit = (
        AuditEvent(APPROVED - timedelta(days=1), "submitted", "guardian"),
        *(AuditEvent(s.signed_at, "signed", s.party.key, {"language": language}) for s in signatures),
        AuditEvent(APPROVED, "approved"),
    )
    request = StoredRequest(
        id="3f2b8c1e-5d4a-4e9b-8f00-bench0000001",
        request_key="bench",
        body_sha256="b" * 64,
        language=language,
        school_id="ridgeline-middle",
        student=Student("Mateo", "Quintana", "900123", "7"),
        guardian=Guardian("Dolores Ferreira", "dolores@family.example"),
        school_year="2026-2027",
        dates=dates,
        reason="",
        created_at=APPROVED - timedelta(days=1),
        contract=Contract(("t-castellanos", "t-rojas"), State.APPROVED, signatures),
        token_salt="salt",
        token_hashes={},
        first_day_starts=APPROVED + timedelta(days=30),
        expires_at=2_000_000_000,
        confirm_by=APPROVED,
        audit=audit,
    )
    # Each signer signed the text in the language they read: its SHA-256.
    signed = sha256_of(contract_text(district, request, language))
    signatures = tuple(replace(s, contract_sha256=signed) for s in signatures)
    return district, replace(request, contract=replace(request.contract, signatures=signatures))


def _week():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2027, 1, 4), date(2027, 1, 8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--renders", type=int, default=20, help="warm renders per language")
    args = parser.parse_args()
    use_backend()
    from chalicelib.documents.agreement_pdf import render_agreement_pdf
    from chalicelib.documents.calendar_ics import render_calendar_ics

    site = "https://attendance.alder-creek.example"
    print(f"Documents of one approved request ({machine()})")
    print(f"{'document':42}{'first':>9}{'median':>9}{'p95':>9}  size")
    for language in ("en", "es"):
        district, request = approved_request(language)
        pdf = functools.partial(render_agreement_pdf, district, request, site)
        ics = functools.partial(render_calendar_ics, district, request)
        for name, make in (
            (f"agreement PDF, read in {language}", pdf),
            (f"calendar file, read in {language}", ics),
        ):
            started = time.perf_counter()
            first = make()
            cold = (time.perf_counter() - started) * 1000
            times = []
            for _ in range(args.renders):
                started = time.perf_counter()
                again = make()
                times.append((time.perf_counter() - started) * 1000)
                assert hashlib.sha256(again).digest() == hashlib.sha256(first).digest(), "not deterministic"
            print(
                f"{name:42}{cold:>7.0f}ms{median(times):>7.0f}ms{percentile(times, 0.95):>7.0f}ms"
                f"  {len(first) / 1024:.0f} KiB"
            )
    print("every render of the same record gave the same bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
