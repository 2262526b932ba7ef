"""Each email a request owes, composed: the recipient's address and language
from the configuration (never from the request, but for the guardian's own),
the facts formatted in that language, rendered from the templates.

The outbox's dispatcher calls this through the ``Composer`` port; it sends
nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from ..config.schema import DistrictConfig, School
from ..core.contract import Party
from ..core.request import OFFICE, DayResult, OutboxMessage, StoredRequest, role_of
from ..i18n import (
    audit_label,
    datetime_label,
    format_date,
    format_grade,
    join_names,
    language_name,
    party_label,
    result_label,
    state_label,
)
from ..service import tokens
from ..service.agreement import contract_text, signature_record, work_due_day
from ..service.ports import Attachment, Composed, Documents, NoRecipient
from .render import RenderedEmail, render_email

Renderer = Callable[[str, str, Mapping[str, Any]], RenderedEmail]


class EmailComposer:
    def __init__(
        self,
        district: DistrictConfig,
        token_secret: str,
        site_url: str,
        render: Renderer = render_email,
        documents: Documents | None = None,
    ) -> None:
        self.district = district
        self.documents = documents
        self.zone = district.rules().zone
        self.token_secret = token_secret
        self.site_url = site_url.rstrip("/")
        self.render = render

    def compose(self, request: StoredRequest, message: OutboxMessage) -> Composed:
        school = self.district.school(request.school_id)
        if school is None:
            raise NoRecipient(request.school_id)
        recipient = message.recipient
        language: str
        if recipient == OFFICE:
            address, language, name = school.office.email, school.office.language, ""
        elif recipient == "guardian":
            address, language, name = (
                request.guardian.email,
                request.language,
                request.guardian.name,
            )
        elif recipient == "principal":
            p = school.principal
            address, language, name = p.email, p.language, p.name
        else:
            teacher = school.teacher(recipient)
            if teacher is None:
                raise NoRecipient(recipient)
            address, language, name = teacher.email, teacher.language, teacher.name
        email = self.render(message.kind, language, self._context(request, message, school, language, name))
        return Composed(
            address, language, email.subject, email.text, email.html, self._attachments(request, message)
        )

    def _attachments(self, request: StoredRequest, message: OutboxMessage) -> tuple[Attachment, ...]:
        """The approved email carries the signed agreement (everyone) and the
        calendar file (the guardian); the office's result carries its CSV."""
        if message.kind == "result" and message.recipient == OFFICE:
            return (self.result_csv(request),)
        if message.kind != "approved" or not request.agreement_sha256 or self.documents is None:
            return ()
        pdf = Attachment(
            f"agreement-{request.ref}.pdf", "application/pdf", self.documents.agreement_pdf(request)
        )
        if message.recipient != "guardian":
            return (pdf,)
        ics = Attachment(
            f"independent-study-{request.ref}.ics", "text/calendar", self.documents.calendar_ics(request)
        )
        return (pdf, ics)

    def result_csv(self, request: StoredRequest) -> Attachment:
        """Each school day with its attendance code, for the office to post (SPEC 3b)."""
        codes = self.district.attendance_codes
        rows = ["student_id,date,attendance_code,result"]
        for day, result in request.day_results().items():
            code = codes.credited.code if result is DayResult.CREDITED else codes.not_credited.code
            if result is DayResult.PENDING:
                code = ""
            rows.append(f"{_csv(request.student.student_id)},{day.isoformat()},{_csv(code)},{result.value}")
        data = ("\r\n".join(rows) + "\r\n").encode()
        return Attachment(f"{request.ref}-attendance.csv", "text/csv", data)

    def _signatures(self, request: StoredRequest, language: str) -> list[dict[str, Any]]:
        return [asdict(line) for line in signature_record(self.district, request, language)]

    def link(self, request: StoredRequest, party_key: str, language: str) -> str:
        token = tokens.token_for(self.token_secret, request.id, request.token_salt, party_key)
        # The site serves its first language at the root, the others under /<language>/.
        prefix = "" if language == self.district.languages[0] else f"{language}/"
        return f"{self.site_url}/{prefix}stis/sign/#id={request.id}&token={token}"

    def _context(
        self,
        request: StoredRequest,
        message: OutboxMessage,
        school: School,
        language: str,
        recipient_name: str,
    ) -> dict[str, Any]:
        teachers = {t.id: t.name for t in school.teachers}  # as party_label wants them
        role = role_of(message.recipient)
        confirming = message.kind == "confirm_and_sign"
        context: dict[str, Any] = {
            "district_name": self.district.district.name,
            "school_name": school.name,
            "office_phone": school.office.phone,
            "office_email": school.office.email,
            # Nothing the requester typed goes to an address nobody has confirmed yet.
            "student_name": "" if confirming else request.student.full_name,
            "first_day": format_date(request.first_day, language),
            "last_day": format_date(request.last_day, language),
            "school_days": request.school_days,
            "recipient_name": "" if confirming else recipient_name,
            "recipient_role": role,
            "request_ref": request.ref,
            "family_language": language_name(request.language, language),
            "link": self.link(request, message.recipient, language),
            "teachers": [school.teacher_name(t) for t in request.teacher_ids],
            "deadline": datetime_label(
                (request.confirm_by if confirming else request.first_day_starts).astimezone(self.zone),
                language,
            ),
            "status_label": state_label(request.state.value, language),
        }
        turn = request.contract.whose_turn()
        guardian = request.guardian.name

        def who(key: str, role: str) -> str:
            return party_label(key, role, teachers, school.principal.name, language, guardian)

        # "; " because each label has its own comma ("Inés Castellanos, teacher").
        context["whose_turn"] = "; ".join(who(p.key, p.role.value) for p in turn)
        if message.kind in ("review_and_sign", "reminder"):  # when the work the signer prepares is due
            context["work_due"] = format_date(work_due_day(self.district, request), language)
        if message.kind in ("office_new_request", "status_changed", "approved"):
            context["signatures"] = self._signatures(request, language)
        if message.kind == "office_new_request":
            context.update(
                guardian_name=request.guardian.name,
                guardian_email=request.guardian.email,
                guardian_phone=request.guardian.phone,
                student_id=request.student.student_id,
                grade=format_grade(request.student.grade, language),
                reason=request.reason,
            )
        if message.kind == "approved":
            context.update(
                contract_text=contract_text(self.district, request, language),
                audit=[
                    {
                        "at": datetime_label(e.at.astimezone(self.zone), language),
                        "event": audit_label(e.event, language),
                        "who": who(e.party, role_of(e.party)) if e.party else "",
                    }
                    for e in request.audit
                    if e.event != "emailed"
                ],
                student_signs_on_return=self.district.stis.student_signs == "on_return",
                work_due=format_date(work_due_day(self.district, request), language),
            )
            if role == OFFICE:  # the copy the office files and posts attendance from
                codes = self.district.attendance_codes
                context.update(
                    student_id=request.student.student_id,
                    grade=format_grade(request.student.grade, language),
                    guardian_name=request.guardian.name,
                    guardian_email=request.guardian.email,
                    guardian_phone=request.guardian.phone,
                    day_list=[format_date(day, language) for day in request.dates],
                    attendance_codes=[
                        {"code": code.code, "label": code.label[language]}
                        for code in (codes.credited, codes.not_credited)
                    ],
                )
        context.update(self._after_approval(request, message.kind, school, language))
        if message.kind == "ended":
            ending = request.contract.ending
            by = ""
            if ending is not None and ending.by is not None:
                by = who(ending.by.key, ending.by.role.value)
            context.update(
                state=request.state.value,
                signed=request.approved_at is not None,  # a late cancel
                reason=ending.reason if ending else "",
                by=by,
            )
        return context

    def _after_approval(
        self, request: StoredRequest, kind: str, school: School, language: str
    ) -> dict[str, Any]:
        """The facts of the emails after approval: what to record and by when,
        the result, an early end."""
        if kind in ("record_the_work", "record_reminder", "evaluation_overdue"):
            due = self.district.calendar().school_days_after(
                request.last_day, self.district.stis.evaluation_due_school_days
            )
            left = [school.teacher_name(p.id) for p in request.contract.evaluators_left()]
            return {
                "due_date": format_date(due, language) if due else "",
                "day_list": [format_date(d, language) for d in request.dates],
                # Until the student has signed (on the first teacher's record).
                "student_signs_on_return": self.district.stis.student_signs == "on_return"
                and not request.contract.has_signed(Party.student()),
                "waiting_for": join_names(left, language),
            }
        if kind == "result":
            codes = self.district.attendance_codes
            results = []
            for day, result in request.day_results().items():
                code = codes.credited if result is DayResult.CREDITED else codes.not_credited
                results.append(
                    {
                        "date": format_date(day, language),
                        "result": result_label(result.value, language),
                        "code": code.code if result is not DayResult.PENDING else "",
                        "label": code.label[language] if result is not DayResult.PENDING else "",
                    }
                )
            return {
                "results": results,
                "results_table": [{"at": r["date"], "event": r["result"], "who": r["code"]} for r in results],
                "credited_days": request.credited_days,
            }
        if kind == "ended_early":
            early = request.contract.early_end
            return {
                "new_last_day": format_date(request.last_day, language),
                "released_days": len(early.released) if early else 0,
                "reason": early.reason if early else "",
            }
        return {}


def _csv(value: str) -> str:
    """One CSV field: quoted when it holds a comma or a quote; never read as a formula."""
    if value[:1] in ("=", "+", "-", "@"):
        value = "'" + value
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value
