"""The use cases' results as the API's answers (SPEC section 5): each view
builds the response model that the OpenAPI document also describes."""

from __future__ import annotations

from ..config.schema import DistrictConfig, School
from ..core.contract import Party, Role, State
from ..core.request import StoredRequest, role_of
from ..core.rules import Quote
from ..service.issued import Verified
from ..service.records import RequestView
from ..service.submitting import Submitted
from . import responses as out


def schools(district: DistrictConfig, language: str) -> out.Schools:
    return out.Schools(
        schools=[
            out.SchoolListed(
                id=s.id,
                name=s.name,
                level=s.level,
                grades=s.grades,
                teachers=[
                    out.TeacherListed(id=t.id, name=t.name, grades=t.grades_in(language)) for t in s.teachers
                ],
            )
            for s in district.schools
        ]
    )


def quote(result: Quote) -> out.QuoteResult:
    return out.QuoteResult(
        school_year=result.school_year,
        school_days=result.school_days,
        dates=list(result.dates),
        notice_hours=result.notice_hours,
        notice_deadline=result.notice_deadline,
        notice_ok=result.notice_ok,
        earliest_first_day=result.earliest_first_day,
        first_day_past=result.first_day_begun,
    )


def submitted(result: Submitted) -> out.SubmitResult:
    return out.SubmitResult(
        id=result.request.id,
        ref=result.request.ref,
        status=result.request.state.value,
        school_days=result.request.school_days,
        days_used=result.days_used,
        days_remaining=result.days_remaining,
    )


def name_of(party: Party, request: StoredRequest, school: School | None) -> str:
    """The name a party goes by in this request."""
    if party.role is Role.GUARDIAN:
        return request.guardian.name
    if party.role is Role.STUDENT:
        return request.student.full_name
    if party.role is Role.OFFICE:
        return school.name if school else ""
    if school is None:  # a school since removed from the configuration
        return party.id
    if party.role is Role.PRINCIPAL:
        return school.principal.name
    return school.teacher_name(party.id)


def request(view: RequestView, district: DistrictConfig) -> out.RequestStatus:
    r = view.request
    school = district.school(r.school_id)

    def party(p: Party) -> out.PartyShown:
        return out.PartyShown(role=p.role.value, party=p.key, name=name_of(p, r, school))

    ending = r.contract.ending
    early = r.contract.early_end
    after_approval = r.state in (State.APPROVED, State.AWAITING_EVALUATION, State.CLOSED)
    return out.RequestStatus(
        id=r.id,
        ref=r.ref,
        status=r.state.value,
        school_year=r.school_year,
        first_day=r.first_day,
        last_day=r.last_day,
        first_day_starts=r.first_day_starts,
        school_days=r.school_days,
        dates=list(r.dates),
        school=out.SchoolShown(id=r.school_id, name=school.name if school else ""),
        student=out.StudentShown(
            first_name=r.student.first_name, last_name=r.student.last_name, grade=r.student.grade
        ),
        teachers=[
            out.TeacherShown(
                id=t,
                name=name_of(Party.teacher(t), r, school),
                signed=r.contract.has_signed(Party.teacher(t)),
            )
            for t in r.teacher_ids
        ],
        signatures=[
            out.SignatureShown(role=s.party.role.value, party=s.party.key, name=s.name, signed_at=s.signed_at)
            for s in r.contract.signatures
        ],
        whose_turn=[party(p) for p in r.contract.whose_turn()],
        viewer=out.ViewerShown(
            role=view.viewer.role.value,
            party=view.viewer.key,
            name=view.viewer_name,
            student=out.StudentSigning(signs=view.student_signs, name=r.student.full_name)
            if view.viewer.role is Role.GUARDIAN
            else None,
        ),
        student_signs=view.student_signs,
        can_sign=view.can_sign,
        can_decline=view.can_decline,
        can_cancel=view.can_cancel,
        can_evaluate=view.can_evaluate,
        can_end=view.can_end,
        student_signs_here=view.student_signs_here,
        sign_by=view.sign_by,
        phase=view.phase,
        evaluation_due=view.evaluation_due,
        results=[out.DayResultShown(date=day, result=result.value) for day, result in r.day_results().items()]
        if after_approval
        else [],
        credited_days=r.credited_days if r.state is State.CLOSED else None,
        evaluations=[
            out.EvaluationShown(
                teacher=e.party.id,
                name=e.name,
                at=e.at,
                credited_days=sum(1 for d in e.days if d.credited),
            )
            for e in r.contract.evaluations
        ],
        early_end=None
        if early is None
        else out.EarlyEndShown(
            at=early.at, reason=early.reason, last_day=early.last_day, released_days=len(early.released)
        ),
        ending=None
        if ending is None
        else out.EndingShown(
            state=ending.state.value,
            reason=ending.reason,
            at=ending.at,
            by_role=ending.by.role.value if ending.by else "",
            by_name=name_of(ending.by, r, school) if ending.by else "",
        ),
        language=view.language,
        contract_text=view.contract_text,
        contract_sha256=view.contract_sha256,
        audit=[
            out.AuditShown(at=e.at, event=e.event, role=role_of(e.party))
            for e in r.audit
            if e.event != "emailed"
        ],
    )


def verified(result: Verified) -> out.Verified:
    return out.Verified(
        genuine=True,
        ref=result.ref,
        status=result.status,
        school=result.school,
        first_day=result.first_day,
        last_day=result.last_day,
        approved_at=result.approved_at,
    )
