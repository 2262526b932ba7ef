"""Shaping the use cases' results as the API's JSON (SPEC section 5)."""

from __future__ import annotations

from typing import Any

from ..config.schema import DistrictConfig
from ..core.contract import Party
from ..core.request import role_of
from ..core.rules import Quote
from ..service.stis import RequestView, Submitted


def schools(district: DistrictConfig, language: str) -> dict[str, Any]:
    return {
        "schools": [
            {
                "id": s.id,
                "name": s.name,
                "level": s.level,
                "grades": s.grades,
                "teachers": [
                    {"id": t.id, "name": t.name, "grades": t.grades_in(language)} for t in s.teachers
                ],
            }
            for s in district.schools
        ]
    }


def quote(result: Quote) -> dict[str, Any]:
    return {
        "school_year": result.school_year,
        "school_days": result.school_days,
        "dates": [d.isoformat() for d in result.dates],
        "notice_hours": result.notice_hours,
        "notice_deadline": result.notice_deadline.isoformat(),
        "notice_ok": result.notice_ok,
        "earliest_first_day": result.earliest_first_day.isoformat() if result.earliest_first_day else None,
    }


def submitted(result: Submitted) -> dict[str, Any]:
    return {
        "id": result.request.id,
        "ref": result.request.ref,
        "status": result.request.state.value,
        "school_days": result.request.school_days,
        "days_used": result.days_used,
        "days_remaining": result.days_remaining,
    }


def request(view: RequestView, district: DistrictConfig) -> dict[str, Any]:
    r = view.request
    school = district.school(r.school_id)
    principal = school.principal.name if school else ""

    def name_of(party: Party) -> str:
        if party.role.value == "guardian":
            return r.guardian.name
        if party.role.value == "principal":
            return principal
        return school.teacher_name(party.id) if school else party.id

    def party(p: Party) -> dict[str, str]:
        return {"role": p.role.value, "party": p.key, "name": name_of(p)}

    ending = r.contract.ending
    return {
        "id": r.id,
        "ref": r.ref,
        "status": r.state.value,
        "school_year": r.school_year,
        "first_day": r.first_day.isoformat(),
        "last_day": r.last_day.isoformat(),
        "first_day_starts": r.first_day_starts.isoformat(),
        "school_days": r.school_days,
        "dates": [d.isoformat() for d in r.dates],
        "school": {"id": r.school_id, "name": school.name if school else ""},
        "student": {
            "first_name": r.student.first_name,
            "last_name": r.student.last_name,
            "grade": r.student.grade,
        },
        "teachers": [
            {
                "id": t,
                "name": school.teacher_name(t) if school else t,
                "signed": r.contract.has_signed(Party.teacher(t)),
            }
            for t in r.teacher_ids
        ],
        "signatures": [
            {**party(s.party), "name": s.name, "signed_at": s.signed_at.isoformat()}
            for s in r.contract.signatures
        ],
        "whose_turn": [party(p) for p in r.contract.whose_turn()],
        "viewer": party(view.viewer),
        "can_sign": view.can_sign,
        "can_decline": view.can_decline,
        "can_cancel": view.can_cancel,
        "ending": None
        if ending is None
        else {
            "state": ending.state.value,
            "reason": ending.reason,
            "at": ending.at.isoformat(),
            "by_role": ending.by.role.value if ending.by else "",
        },
        "language": view.language,
        "contract_text": view.contract_text,
        "contract_sha256": view.contract_sha256,
        "audit": [
            {"at": e.at.isoformat(), "event": e.event, "role": role_of(e.party)}
            for e in r.audit
            if e.event != "emailed"
        ],
    }
