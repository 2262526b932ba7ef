"""The signed agreement as a PDF, with its audit certificate.

A pure function of the request as it stood when it was approved (``as_approved``),
the district file and the site's address: no clock, no randomness. The PDF's
dates come from the approval time and fpdf2's file id is a hash of the content,
so the same record gives the same bytes every time (its SHA-256 is stored at
approval, and ``GET /stis/verify/{sha256}`` finds it).

Pages: the agreement in the language the guardian read, with its headings and
the district's Education Code 51747 terms (the very text the signers saw,
``service.agreement.contract_text``), then an English copy when the guardian read
another language, then the audit certificate. Letter paper with margins that also
fit A4. fpdf2 is imported here only, so only the calls that make a document load it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..config.schema import DistrictConfig, School
from ..core.contract_text import sha256_of
from ..core.request import AuditEvent, StoredRequest, party_of, role_of
from ..i18n import (
    audit_label,
    contract_labels,
    datetime_label,
    format_time,
    gettext,
    language_name,
    party_label,
)
from ..i18n.text import N_
from ..service.agreement import contract_text
from .record import approved_at, approved_with_school

if TYPE_CHECKING:
    from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
ENGLISH = "en"
MARGIN = 20.0  # mm: Letter is 215.9 mm wide and A4 210 mm; 20 mm each side fits both
INK = (33, 37, 41)
MUTED = (90, 98, 106)
RULE = (200, 205, 210)
ACCENT = (13, 71, 161)

WORDS = {
    "page": N_("Page %(page)s of %(pages)s"),
    "english_copy": N_(
        "English copy. The parent or guardian read this agreement in %(read)s; the "
        "audit certificate says which text each signer read."
    ),
    "text_sha": N_("SHA-256 of this text: %(sha)s"),
    "signed_heading": N_("Signed electronically"),
    "certificate": N_("Audit certificate"),
    "certificate_intro": N_(
        "This certificate records who signed the agreement %(ref)s, when, from where, and which "
        "text each person read. Times are given in %(zone)s and in UTC."
    ),
    "reference": N_("Reference"),
    "school": N_("School"),
    "approved_at": N_("Approved"),
    "agreement_text": N_("Agreement text (%(language)s), SHA-256"),
    "signers": N_("Signers"),
    "typed_name": N_("Typed name"),
    "email": N_("Email"),
    "signed_at": N_("Signed"),
    "ip": N_("IP address"),
    "user_agent": N_("Browser (user agent)"),
    "language_read": N_("Language read"),
    "contract_sha": N_("SHA-256 of the text signed"),
    "agreed": N_("Agreed"),
    "agreed_yes": N_("Yes: ticked “I have read this agreement and I agree to it” and typed their name"),
    "audit_trail": N_("Audit trail"),
    "when": N_("When (%(zone)s)"),
    "utc": N_("UTC"),
    "event": N_("Event"),
    "by": N_("By"),
    "to": N_("to: %(who)s"),
    "none": N_("none"),
    "verify": N_(
        "To check that a copy of this file is genuine and unaltered, open %(url)s and choose "
        "the file: it is checked in your browser and never uploaded."
    ),
    "student_role": N_("Student"),
}


@dataclass(frozen=True)
class Signer:
    role: str
    name: str
    email: str
    signed_at: datetime
    ip: str
    user_agent: str
    language: str
    contract_sha256: str


def mask_email(address: str) -> str:
    """``dolores@family.example`` -> ``d•••••@family.example`` (the domain stays)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}•••••@{domain}" if domain else "•••••"


def _say(key: str, language: str, **facts: object) -> str:
    message = WORDS[key]  # (outside the call: the extractor would take the key for a msgid)
    return gettext(message, language, **facts)


def _words(language: str) -> dict[str, str]:
    return {key: gettext(msgid, language) for key, msgid in WORDS.items()}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _zone_label(name: str, language: str) -> str:
    """The district's time zone as people name it: "Pacific Time" / "hora del Pacífico"."""
    from babel.dates import get_timezone, get_timezone_name

    return str(get_timezone_name(get_timezone(name), "long", locale=language, zone_variant="generic"))


def _short(moment: datetime, language: str) -> str:
    """A time in the district's zone, short enough for a table: ``2026-12-01, 9:00 a.m.``."""
    return f"{moment.date().isoformat()}, {format_time(moment, language)}"


class _Pdf:
    """A thin layer over fpdf2: the portal's fonts, header, footer and blocks."""

    def __init__(self, district: DistrictConfig, request: StoredRequest, words: dict[str, str]) -> None:
        from fpdf import FPDF

        ref, district_name, page_words = request.ref, district.district.name, words["page"]

        class Document(FPDF):
            def header(self) -> None:
                self.set_font("DejaVu", "", 8)
                self.set_text_color(*MUTED)
                self.cell(0, 5, district_name, new_x="LMARGIN", new_y="TOP")
                self.cell(0, 5, ref, align="R", new_x="LMARGIN", new_y="NEXT")
                self.set_draw_color(*RULE)
                self.line(MARGIN, self.get_y() + 1, self.w - MARGIN, self.get_y() + 1)
                self.ln(6)

            def footer(self) -> None:
                self.set_y(-14)
                self.set_font("DejaVu", "", 8)
                self.set_text_color(*MUTED)
                text = page_words % {"page": self.page_no(), "pages": "{nb}"}
                self.cell(0, 5, text, align="C")

        pdf: FPDF = Document(orientation="P", unit="mm", format="letter")
        pdf.set_margins(MARGIN, 16, MARGIN)
        pdf.set_auto_page_break(True, margin=20)
        pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_creation_date(approved_at(request))
        pdf.set_producer(f"{district_name} STIS portal")
        pdf.set_creator(f"{district_name} STIS portal")
        pdf.set_title(f"{ref}")
        pdf.set_lang(request.language)
        pdf.set_text_color(*INK)
        self.pdf = pdf

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def title(self, text: str, over: str = "") -> None:
        pdf = self.pdf
        if over:
            pdf.set_font("DejaVu", "", 10)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(0, 5, over, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 16)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(0, 8, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.ln(2)

    def heading(self, text: str) -> None:
        pdf = self.pdf
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(0, 6, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        pdf.ln(1)

    def subheading(self, text: str, keep: float = 14) -> None:
        """A bold line, moved to the next page with the ``keep`` mm that follow it."""
        pdf = self.pdf
        if pdf.will_page_break(keep):
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(0, 5, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, size: float = 10, muted: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "", size)
        pdf.set_text_color(*(MUTED if muted else INK))
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)

    def pairs(self, rows: Sequence[tuple[str, str]], label_width: float = 48, size: float = 9.5) -> None:
        """Label and value side by side, each wrapping in its own column."""
        pdf = self.pdf
        line = size * 0.48
        value_width = self.width - label_width
        for label, value in rows:
            pdf.set_font("DejaVu", "B", size)
            label_lines = self._lines(label_width - 3, line, label)
            pdf.set_font("DejaVu", "", size)
            value_lines = self._lines(value_width, line, value)
            height = max(label_lines, value_lines) * line
            if pdf.will_page_break(height):
                pdf.add_page()
            top = pdf.get_y()
            pdf.set_font("DejaVu", "B", size)
            pdf.multi_cell(label_width - 3, line, label, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_xy(MARGIN + label_width, top)
            pdf.set_font("DejaVu", "", size)
            pdf.multi_cell(value_width, line, value, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(top + height + 0.9)

    def _lines(self, width: float, line: float, text: str) -> int:
        lines = self.pdf.multi_cell(width, line, text, dry_run=True, output="LINES")
        assert isinstance(lines, list)
        return len(lines)

    def table(self, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> None:
        pdf = self.pdf
        pdf.set_font("DejaVu", "", 8)
        pdf.set_draw_color(*RULE)
        with pdf.table(
            col_widths=tuple(widths),
            line_height=4,
            padding=1.2,
            first_row_as_headings=True,
            headings_style=_bold(),
            borders_layout="HORIZONTAL_LINES",
            text_align="LEFT",
        ) as table:
            for cells in (head, *rows):
                row = table.row()
                for cell in cells:
                    row.cell(cell)


def _bold() -> object:
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", color=INK)


SECTION = re.compile(r"^(\d+)\. (.+)$")


def _agreement(doc: _Pdf, text: str, language: str, note: str, words: dict[str, str]) -> None:
    """One copy of the agreement: the signed text, laid out with its headings."""
    labels = contract_labels(language)
    headings = {labels["facts_heading"], labels["terms_heading"], labels["signatures"]}
    lines = text.rstrip("\n").split("\n")
    doc.pdf.add_page()
    doc.title(lines[1], over=lines[0])
    if note:
        doc.paragraph(note, size=9, muted=True)
        doc.pdf.ln(1)
    facts: list[tuple[str, str]] = []
    in_terms = False
    for line in lines[2:]:
        if facts and not (": " in line and not in_terms and line not in headings):
            doc.pairs(facts)
            facts = []
        if not line:
            continue
        if line in headings:
            doc.heading(line)
            in_terms = line != labels["facts_heading"]
        elif not in_terms and ": " in line:
            label, _, value = line.partition(": ")
            facts.append((label, value))
        elif in_terms and SECTION.match(line) and len(line) < 120:
            doc.subheading(line)
        else:
            doc.paragraph(line)
    if facts:
        doc.pairs(facts)
    doc.pdf.ln(3)
    doc.paragraph(words["text_sha"] % {"sha": sha256_of(text)}, size=8, muted=True)


def _signed_block(
    doc: _Pdf, signers: Sequence[Signer], zone_of: str, language: str, words: dict[str, str]
) -> None:
    doc.heading(words["signed_heading"])
    rows = [
        (s.role, f"{s.name}\n{datetime_label(s.signed_at.astimezone(_zone(zone_of)), language)}")
        for s in signers
    ]
    doc.pairs(rows, label_width=58)


def _zone(name: str) -> tzinfo:
    return ZoneInfo(name)


def signers_of(
    district: DistrictConfig, school: School, request: StoredRequest, language: str
) -> list[Signer]:
    """Each signature of the approved record, with the facts the certificate gives."""
    teachers = {t.id: t.name for t in school.teachers}
    read_in = {e.party: e.detail.get("language", "") for e in request.audit if e.event == "signed"}
    found = []
    for signature in request.contract.signatures:
        party = signature.party
        role = party.role.value
        if role == "guardian":
            email = request.guardian.email
        elif role == "principal":
            email = school.principal.email
        elif role == "teacher":
            teacher = school.teacher(party.id)
            email = teacher.email if teacher else ""
        else:
            email = ""
        if role == "student":
            who = _say("student_role", language)
        else:
            who = party_label("", role, teachers, "", language)
        read = read_in.get(party.key, "")
        found.append(
            Signer(
                role=who,
                name=signature.name,
                email=mask_email(email) if email else "",
                signed_at=signature.signed_at,
                ip=signature.source_ip,
                user_agent=signature.user_agent,
                language=language_name(read, language) if read else "",
                contract_sha256=signature.contract_sha256,
            )
        )
    return found


def _event_rows(
    events: Sequence[AuditEvent],
    district: DistrictConfig,
    school: School,
    request: StoredRequest,
    language: str,
    words: dict[str, str],
) -> list[list[str]]:
    zone = _zone(district.district.time_zone)
    teachers = {t.id: t.name for t in school.teachers}

    def who(key: str) -> str:
        if not key:
            return ""
        return party_label(
            key, role_of(key), teachers, school.principal.name, language, request.guardian.name
        )

    rows = []
    for event in events:
        label = audit_label(event.event, language)
        detail = dict(event.detail)
        by = who(event.party)
        if event.event == "signed" and detail.get("language"):
            label += f" ({language_name(detail['language'], language)})"
        if event.event == "emailed" and detail.get("to"):
            label += " · " + words["to"] % {"who": party_label("", detail["to"], {}, "", language)}
        if event.event == "reminded" and detail.get("to"):
            roles = [
                party_label("", party_of(k).role.value, {}, "", language) for k in detail["to"].split(",")
            ]
            label += " · " + words["to"] % {"who": ", ".join(roles)}
        moment = event.at.astimezone(zone)
        rows.append([_short(moment, language), _utc(event.at), label, by])
    return rows


def render_agreement_pdf(district: DistrictConfig, request: StoredRequest, site_url: str) -> bytes:
    """The agreement and its audit certificate, as the record stood at approval."""
    record, school = approved_with_school(district, request)
    language = record.language
    words = _words(language)
    zone_name = district.district.time_zone
    zone = _zone(zone_name)
    doc = _Pdf(district, record, words)
    signers = signers_of(district, school, record, language)

    copies = [language] + ([ENGLISH] if language != ENGLISH and ENGLISH in district.languages else [])
    texts = {lang: contract_text(district, record, lang) for lang in copies}
    for lang in copies:
        note = ""
        if lang != language:
            note = _say("english_copy", lang, read=language_name(language, lang))
        copy_words = _words(lang)
        _agreement(doc, texts[lang], lang, note, copy_words)
        _signed_block(doc, signers_of(district, school, record, lang), zone_name, lang, copy_words)

    # The audit certificate.
    pdf = doc.pdf
    pdf.add_page()
    zone_label = _zone_label(zone_name, language)
    doc.title(words["certificate"], over=district.district.name)
    doc.paragraph(words["certificate_intro"] % {"ref": record.ref, "zone": zone_label}, size=9)
    pdf.ln(2)
    approved = approved_at(record)
    summary = [
        (words["reference"], record.ref),
        (words["school"], school.name),
        (words["approved_at"], f"{datetime_label(approved.astimezone(zone), language)}\n{_utc(approved)}"),
    ]
    summary += [
        (words["agreement_text"] % {"language": language_name(lang, language)}, sha256_of(texts[lang]))
        for lang in copies
    ]
    doc.pairs(summary, label_width=50, size=8.5)
    doc.heading(words["signers"])
    for signer in signers:
        doc.subheading(f"{signer.role}: {signer.name}", keep=64)
        rows = [(words["typed_name"], signer.name)]
        if signer.email:
            rows.append((words["email"], signer.email))
        rows += [
            (
                words["signed_at"],
                f"{datetime_label(signer.signed_at.astimezone(zone), language)}\n{_utc(signer.signed_at)}",
            ),
            (words["ip"], signer.ip or words["none"]),
            (words["user_agent"], signer.user_agent or words["none"]),
            (words["language_read"], signer.language or words["none"]),
            (words["contract_sha"], signer.contract_sha256),
            (words["agreed"], words["agreed_yes"]),
        ]
        doc.pairs(rows, label_width=50, size=8.5)
    doc.heading(words["audit_trail"])
    trail = _event_rows(record.audit, district, school, record, language, words)
    doc.table(
        [words["when"] % {"zone": zone_label}, words["utc"], words["event"], words["by"]],
        trail,
        (26, 30, 38, 30),
    )
    pdf.ln(4)
    doc.paragraph(
        words["verify"] % {"url": f"{site_url.rstrip('/')}/{_prefix(district, language)}stis/verify/"},
        size=8.5,
        muted=True,
    )
    return bytes(pdf.output())


def _prefix(district: DistrictConfig, language: str) -> str:
    return "" if language == district.languages[0] else f"{language}/"
