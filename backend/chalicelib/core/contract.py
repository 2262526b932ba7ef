"""The life of an STIS contract: who signs when, and how it ends.

    awaiting_guardian -> awaiting_teacher -> awaiting_principal -> approved
    awaiting_guardian  -> expired (not confirmed by the guardian in time)
    any awaiting state -> declined (teacher or principal, with a reason)
                       -> void (not fully signed when the first day starts)
    awaiting or approved -> cancelled (the guardian, or the office with a reason,
                            before the first day starts)
    approved -> awaiting_evaluation (the last day has ended; an office's early end
                                     moves the last day closer)
    awaiting_evaluation -> closed (every teacher has recorded the work)

The guardian's signature confirms the request: from then on it holds the
student's days (``State.holds_days``); until then it holds nothing.

Pure and immutable: every action returns a new ``Contract`` or raises
``WrongState``; times come from the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from .errors import WrongState


class State(StrEnum):
    AWAITING_GUARDIAN = "awaiting_guardian"
    AWAITING_TEACHER = "awaiting_teacher"
    AWAITING_PRINCIPAL = "awaiting_principal"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    VOID = "void"
    EXPIRED = "expired"
    AWAITING_EVALUATION = "awaiting_evaluation"  # the last day has ended: teachers record the work
    CLOSED = "closed"  # every teacher has recorded: the credited days are final

    @property
    def is_awaiting(self) -> bool:
        return self in AWAITING

    @property
    def holds_days(self) -> bool:
        """Confirmed contracts (the guardian has signed) count against the yearly cap."""
        return self in CONFIRMED

    @property
    def is_unconfirmed(self) -> bool:
        return self is State.AWAITING_GUARDIAN

    @property
    def is_final(self) -> bool:
        return self in FINAL


AWAITING = frozenset({State.AWAITING_GUARDIAN, State.AWAITING_TEACHER, State.AWAITING_PRINCIPAL})
CONFIRMED = frozenset(
    {
        State.AWAITING_TEACHER,
        State.AWAITING_PRINCIPAL,
        State.APPROVED,
        State.AWAITING_EVALUATION,
        State.CLOSED,
    }
)
FINAL = frozenset({State.APPROVED, State.DECLINED, State.CANCELLED, State.VOID, State.EXPIRED})
ENDED = FINAL - {State.APPROVED}


class Days(StrEnum):
    """What a change of state does to the student's days and open requests."""

    KEEP = "keep"
    CLAIM = "claim"  # the guardian confirmed: the days are held, the request is no longer open
    CLOSE = "close"  # an unconfirmed request ended: it is no longer open, it held no days
    RELEASE = "release"  # a confirmed contract ended: its days go back
    SHORTEN = "shorten"  # ended early by the office: the days after the new last day go back


def days_change(before: State, after: State) -> Days:
    if before is after:
        return Days.KEEP
    if before.is_unconfirmed:
        return Days.CLAIM if after.holds_days else Days.CLOSE
    if before.holds_days and not after.holds_days:
        return Days.RELEASE
    return Days.KEEP


class Role(StrEnum):
    GUARDIAN = "guardian"
    TEACHER = "teacher"
    PRINCIPAL = "principal"
    OFFICE = "office"  # the school office: views and cancels, never signs
    STUDENT = "student"  # signs beside the guardian (before_start) or the teacher (on_return); holds no link


@dataclass(frozen=True)
class Party:
    """One holder of a link: the guardian, one named teacher, the principal, or the office."""

    role: Role
    id: str

    @classmethod
    def guardian(cls) -> Party:
        return cls(Role.GUARDIAN, "guardian")

    @classmethod
    def principal(cls) -> Party:
        return cls(Role.PRINCIPAL, "principal")

    @classmethod
    def teacher(cls, teacher_id: str) -> Party:
        return cls(Role.TEACHER, teacher_id)

    @classmethod
    def office(cls) -> Party:
        return cls(Role.OFFICE, "office")

    @classmethod
    def student(cls) -> Party:
        """The student's signature is a ``Signature`` with this party, kept in
        ``Contract.signatures`` beside the others; it never takes a turn."""
        return cls(Role.STUDENT, "student")

    @property
    def key(self) -> str:
        return self.id if self.role is Role.TEACHER else self.role.value


@dataclass(frozen=True)
class Signature:
    party: Party
    name: str
    signed_at: datetime
    source_ip: str
    user_agent: str
    contract_sha256: str
    agreed: bool = True


@dataclass(frozen=True)
class Ending:
    """How a contract left the awaiting states other than by approval."""

    state: State
    by: Party | None
    at: datetime
    reason: str


@dataclass(frozen=True)
class DayRecord:
    """One teacher's judgement of the work for one school day of the contract."""

    day: date
    credited: bool  # the work is complete and earns credit
    received_on: date | None = None  # when the teacher received the work
    note: str = ""


@dataclass(frozen=True)
class Evaluation:
    """One teacher's record of the work after the absence, signed with a typed name."""

    party: Party
    name: str
    at: datetime
    source_ip: str
    user_agent: str
    days: tuple[DayRecord, ...]

    def credited(self, day: date) -> bool | None:
        """Whether this teacher credited ``day``; ``None`` when it is not in the record."""
        return next((r.credited for r in self.days if r.day == day), None)


@dataclass(frozen=True)
class EarlyEnd:
    """The office ended an approved contract after it started: ``last_day`` is
    its new last day, ``released`` the school days given back."""

    by: Party
    at: datetime
    reason: str
    last_day: date
    released: tuple[date, ...]


def evaluation_problems(dates: tuple[date, ...], records: tuple[DayRecord, ...]) -> dict[int, str]:
    """What is wrong with a teacher's day records for a contract of ``dates``,
    by index: ``repeated``, ``not_in_contract``; index -1 (``missing``) when a
    contract day has no record. Empty when each contract day is recorded once."""
    problems: dict[int, str] = {}
    seen: set[date] = set()
    wanted = set(dates)
    for index, record in enumerate(records):
        if record.day not in wanted:
            problems[index] = "not_in_contract"
        elif record.day in seen:
            problems[index] = "repeated"
        seen.add(record.day)
    if not problems and seen != wanted:
        problems[-1] = "missing"
    return problems


def day_credited(day: date, teacher_ids: tuple[str, ...], evaluations: tuple[Evaluation, ...]) -> bool | None:
    """A day earns credit when every teacher credits it; it does not as soon as
    one teacher has not; ``None`` (pending) while that is not yet known."""
    judged = [e.credited(day) for e in evaluations if e.party.id in teacher_ids]
    if any(j is False for j in judged):
        return False
    recorded = {e.party.id for e in evaluations}
    if all(t in recorded for t in teacher_ids) and all(j is True for j in judged):
        return True
    return None


@dataclass(frozen=True)
class Contract:
    teacher_ids: tuple[str, ...]
    state: State = State.AWAITING_GUARDIAN
    signatures: tuple[Signature, ...] = ()
    ending: Ending | None = None
    evaluations: tuple[Evaluation, ...] = ()
    early_end: EarlyEnd | None = None

    def parties(self) -> tuple[Party, ...]:
        teachers = tuple(Party.teacher(t) for t in self.teacher_ids)
        return (Party.guardian(), *teachers, Party.principal())

    def has_signed(self, party: Party) -> bool:
        return any(s.party == party for s in self.signatures)

    def whose_turn(self) -> tuple[Party, ...]:
        """The parties who may sign now (all unsigned teachers at once)."""
        if self.state is State.AWAITING_GUARDIAN:
            return (Party.guardian(),)
        if self.state is State.AWAITING_TEACHER:
            return tuple(Party.teacher(t) for t in self.teacher_ids if not self.has_signed(Party.teacher(t)))
        if self.state is State.AWAITING_PRINCIPAL:
            return (Party.principal(),)
        return ()

    def signers(self) -> tuple[Party, ...]:
        return tuple(s.party for s in self.signatures)

    def _refuse_unless_awaiting(self) -> None:
        if not self.state.is_awaiting:
            raise WrongState("ended", self.state.value)

    def sign(self, signature: Signature) -> Contract:
        self._refuse_unless_awaiting()
        party = signature.party
        if self.has_signed(party):
            raise WrongState("already_signed", self.state.value)
        if party not in self.whose_turn():
            if party not in self.parties():
                raise WrongState("not_allowed", self.state.value)
            raise WrongState("not_your_turn", self.state.value)
        if not signature.agreed:
            raise WrongState("not_agreed", self.state.value)
        signed = replace(self, signatures=(*self.signatures, signature))
        return replace(signed, state=signed._state_after_signing())

    def _state_after_signing(self) -> State:
        if self.state is State.AWAITING_GUARDIAN:
            return State.AWAITING_TEACHER
        if self.state is State.AWAITING_TEACHER:
            if self.whose_turn():
                return State.AWAITING_TEACHER
            return State.AWAITING_PRINCIPAL
        return State.APPROVED

    def decline(self, party: Party, reason: str, at: datetime) -> Contract:
        """A teacher or the principal refuses; allowed once the guardian has
        confirmed and while the contract is awaiting, for any named teacher who
        has not yet signed, and for the principal (who may refuse before the
        teachers have finished)."""
        self._refuse_unless_awaiting()
        if party.role in (Role.GUARDIAN, Role.OFFICE) or party not in self.parties():
            raise WrongState("not_allowed", self.state.value)
        if self.state.is_unconfirmed:
            raise WrongState("not_your_turn", self.state.value)
        if self.has_signed(party):
            raise WrongState("already_signed", self.state.value)
        return self._end(State.DECLINED, party, at, reason)

    def cancel(self, party: Party, at: datetime, first_day_starts: datetime, reason: str = "") -> Contract:
        """The guardian, or the school office with a reason, withdraws the
        request or the approved agreement before the first day starts."""
        if not (self.state.is_awaiting or self.state is State.APPROVED):
            raise WrongState("ended", self.state.value)
        if party.role not in (Role.GUARDIAN, Role.OFFICE):
            raise WrongState("not_allowed", self.state.value)
        if at >= first_day_starts:
            raise WrongState("too_late", self.state.value)
        return self._end(State.CANCELLED, party, at, reason)

    def expire(self, at: datetime, confirm_by: datetime) -> Contract:
        """Not confirmed by the guardian in time: the request lapses."""
        if not self.state.is_unconfirmed:
            raise WrongState("ended" if self.state.is_final else "not_allowed", self.state.value)
        if at < confirm_by:
            raise WrongState("too_early", self.state.value)
        return self._end(State.EXPIRED, None, at, "")

    def void(self, at: datetime, first_day_starts: datetime) -> Contract:
        """Still unsigned when the first day starts: the contract is null."""
        self._refuse_unless_awaiting()
        if at < first_day_starts:
            raise WrongState("too_early", self.state.value)
        return self._end(State.VOID, None, at, "")

    def _end(self, state: State, by: Party | None, at: datetime, reason: str) -> Contract:
        return replace(self, state=state, ending=Ending(state, by, at, reason))

    # --- after the absence ---------------------------------------------------------

    def has_evaluated(self, party: Party) -> bool:
        return any(e.party == party for e in self.evaluations)

    def evaluators_left(self) -> tuple[Party, ...]:
        """The teachers who have not yet recorded the work, in the request's order."""
        return tuple(Party.teacher(t) for t in self.teacher_ids if not self.has_evaluated(Party.teacher(t)))

    def begin_evaluation(self, at: datetime, last_day_ends: datetime) -> Contract:
        """The last day has ended: the teachers record the work."""
        if self.state is not State.APPROVED:
            raise WrongState("ended" if self.state.is_final else "not_allowed", self.state.value)
        if at < last_day_ends:
            raise WrongState("too_early", self.state.value)
        return replace(self, state=State.AWAITING_EVALUATION)

    def evaluate(
        self, evaluation: Evaluation, dates: tuple[date, ...], student: Signature | None = None
    ) -> Contract:
        """A teacher records, for every school day of the contract, whether the
        work earns credit (with ``on_return``, the student signs on that page)."""
        party = evaluation.party
        if party.role is not Role.TEACHER or party.id not in self.teacher_ids:
            raise WrongState("not_allowed", self.state.value)
        if self.has_evaluated(party):
            raise WrongState("already_recorded", self.state.value)
        if self.state is not State.AWAITING_EVALUATION:
            raise WrongState("not_yet" if self.state is State.APPROVED else "ended", self.state.value)
        if evaluation_problems(dates, evaluation.days):
            raise ValueError("every school day of the contract is recorded once")
        signatures = self.signatures
        if student is not None and not self.has_signed(Party.student()):
            if student.party != Party.student():
                raise ValueError("the student's signature names the student")
            signatures = (*signatures, student)
        recorded = replace(self, evaluations=(*self.evaluations, evaluation), signatures=signatures)
        return replace(recorded, state=State.CLOSED if not recorded.evaluators_left() else self.state)

    def end_early(
        self,
        by: Party,
        at: datetime,
        first_day_starts: datetime,
        reason: str,
        last_day: date,
        released: tuple[date, ...],
    ) -> Contract:
        """The office ends an approved contract once it has started; the days
        after ``last_day`` go back (the caller cuts the dates)."""
        if by.role is not Role.OFFICE:
            raise WrongState("not_allowed", self.state.value)
        if self.state is not State.APPROVED:
            raise WrongState("not_allowed" if self.state.is_awaiting else "ended", self.state.value)
        if at < first_day_starts:
            raise WrongState("not_started", self.state.value)
        if not released:
            raise WrongState("nothing_to_end", self.state.value)
        return replace(self, early_end=EarlyEnd(by, at, reason, last_day, released))
