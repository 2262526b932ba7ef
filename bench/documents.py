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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, median, percentile, use_backend


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--renders", type=int, default=20, help="warm renders per language")
    args = parser.parse_args()
    use_backend()
    from chalicelib.config.loader import load
    from chalicelib.documents.agreement_pdf import render_agreement_pdf
    from chalicelib.documents.calendar_ics import render_calendar_ics
    from tests.support.approved import approved  # the record the document tests render

    district = load()

    site = "https://attendance.alder-creek.example"
    print(f"Documents of one approved request ({machine()})")
    print(f"{'document':42}{'first':>9}{'median':>9}{'p95':>9}  size")
    for language in ("en", "es"):
        request = approved(district, language)
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
