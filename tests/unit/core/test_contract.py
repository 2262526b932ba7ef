from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.contract import Contract, Days, Party, Role, Signature, State, days_change
from chalicelib.core.errors import WrongState

AT = datetime(2027, 1, 2, 18, 0, tzinfo=UTC)
FIRST_DAY_STARTS = datetime(2027, 1, 4, 16, 0, tzinfo=UTC)
GUARDIAN, PRINCIPAL = Party.guardian(), Party.principal()
OKAFOR, SERRANO = Party.teacher("t-okafor"), Party.teacher("t-serrano")


def signature(party: Party, agreed: bool = True) -> Signature:
    return Signature(party, "Typed Name", AT, "192.0.2.10", "Firefox", "a" * 64, agreed)


def two_teachers() -> Contract:
    return Contract(teacher_ids=("t-okafor", "t-serrano"))


def test_signatures_go_guardian_then_every_teacher_in_any_order_then_principal() -> None:
    contract = two_teachers()
    assert contract.whose_turn() == (GUARDIAN,)
    contract = contract.sign(signature(GUARDIAN))
    assert contract.state is State.AWAITING_TEACHER
    assert set(contract.whose_turn()) == {OKAFOR, SERRANO}
    contract = contract.sign(signature(SERRANO))
    assert contract.state is State.AWAITING_TEACHER
    assert contract.whose_turn() == (OKAFOR,)
    contract = contract.sign(signature(OKAFOR))
    assert contract.state is State.AWAITING_PRINCIPAL
    contract = contract.sign(signature(PRINCIPAL))
    assert contract.state is State.APPROVED
    assert contract.signers() == (GUARDIAN, SERRANO, OKAFOR, PRINCIPAL)


def test_a_teacher_link_used_before_the_guardian_signs_nothing() -> None:
    with pytest.raises(WrongState) as refused:
        two_teachers().sign(signature(OKAFOR))
    assert refused.value.details["reason"] == "not_your_turn"


def test_the_principal_cannot_sign_before_the_teachers() -> None:
    contract = two_teachers().sign(signature(GUARDIAN)).sign(signature(OKAFOR))
    with pytest.raises(WrongState) as refused:
        contract.sign(signature(PRINCIPAL))
    assert refused.value.details["reason"] == "not_your_turn"


def test_nobody_signs_twice() -> None:
    contract = two_teachers().sign(signature(GUARDIAN))
    with pytest.raises(WrongState) as refused:
        contract.sign(signature(GUARDIAN))
    assert refused.value.details["reason"] == "already_signed"


def test_a_teacher_not_named_on_the_request_cannot_sign() -> None:
    contract = two_teachers().sign(signature(GUARDIAN))
    with pytest.raises(WrongState) as refused:
        contract.sign(signature(Party.teacher("t-brennan")))
    assert refused.value.details["reason"] == "not_allowed"


def test_signing_without_agreeing_is_refused() -> None:
    with pytest.raises(WrongState):
        two_teachers().sign(signature(GUARDIAN, agreed=False))


def test_a_teacher_declines_with_a_reason() -> None:
    contract = two_teachers().sign(signature(GUARDIAN)).decline(OKAFOR, "Exams that week", AT)
    assert contract.state is State.DECLINED
    assert contract.ending is not None
    assert contract.ending.reason == "Exams that week"
    assert contract.ending.by == OKAFOR


def test_the_guardian_cannot_decline_and_a_teacher_cannot_cancel() -> None:
    with pytest.raises(WrongState):
        two_teachers().decline(GUARDIAN, "no", AT)
    with pytest.raises(WrongState):
        two_teachers().cancel(OKAFOR, AT, FIRST_DAY_STARTS)


def test_the_guardian_may_cancel_only_before_the_first_day_starts() -> None:
    assert two_teachers().cancel(GUARDIAN, AT, FIRST_DAY_STARTS).state is State.CANCELLED
    with pytest.raises(WrongState) as refused:
        two_teachers().cancel(GUARDIAN, FIRST_DAY_STARTS, FIRST_DAY_STARTS)
    assert refused.value.details["reason"] == "too_late"


def test_an_unsigned_contract_becomes_void_when_the_first_day_starts() -> None:
    contract = two_teachers().sign(signature(GUARDIAN))
    with pytest.raises(WrongState):
        contract.void(FIRST_DAY_STARTS - timedelta(seconds=1), FIRST_DAY_STARTS)
    assert contract.void(FIRST_DAY_STARTS, FIRST_DAY_STARTS).state is State.VOID


def test_only_contracts_the_guardian_has_confirmed_hold_days() -> None:
    holding = {s for s in State if s.holds_days}
    assert holding == {
        State.AWAITING_TEACHER,
        State.AWAITING_PRINCIPAL,
        State.APPROVED,
        State.AWAITING_EVALUATION,
        State.CLOSED,
    }


def test_what_each_change_of_state_does_to_the_days() -> None:
    assert days_change(State.AWAITING_GUARDIAN, State.AWAITING_TEACHER) is Days.CLAIM
    for lapse in (State.EXPIRED, State.CANCELLED, State.VOID):
        assert days_change(State.AWAITING_GUARDIAN, lapse) is Days.CLOSE
    for end in (State.DECLINED, State.CANCELLED, State.VOID):
        assert days_change(State.AWAITING_PRINCIPAL, end) is Days.RELEASE
    assert days_change(State.APPROVED, State.CANCELLED) is Days.RELEASE
    assert days_change(State.AWAITING_TEACHER, State.AWAITING_PRINCIPAL) is Days.KEEP
    assert days_change(State.AWAITING_TEACHER, State.AWAITING_TEACHER) is Days.KEEP


def test_an_unconfirmed_request_expires_at_its_deadline_and_not_before() -> None:
    at = datetime(2027, 1, 2, 16, 0, tzinfo=UTC)
    with pytest.raises(WrongState):
        Contract(teacher_ids=("t",)).expire(at, at + timedelta(minutes=1))
    expired = Contract(teacher_ids=("t",)).expire(at, at)
    assert expired.state is State.EXPIRED and expired.ending is not None
    signed = Contract(teacher_ids=("t",)).sign(Signature(Party.guardian(), "A. Parent", at, "", "", "0" * 64))
    with pytest.raises(WrongState):
        signed.expire(at, at)


def test_the_office_cancels_with_its_reason_even_once_approved_but_never_signs() -> None:
    at = datetime(2027, 1, 2, 16, 0, tzinfo=UTC)
    starts = at + timedelta(days=2)
    contract = Contract(teacher_ids=("t",), state=State.APPROVED)
    cancelled = contract.cancel(Party.office(), at, starts, "The family phoned: the trip is off")
    assert cancelled.state is State.CANCELLED
    assert cancelled.ending is not None and cancelled.ending.reason.startswith("The family phoned")
    with pytest.raises(WrongState):
        contract.cancel(Party.office(), starts, starts, "too late")
    with pytest.raises(WrongState):
        Contract(teacher_ids=("t",)).sign(Signature(Party.office(), "Office", at, "", "", "0" * 64))


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["sign", "decline", "cancel", "void"]),
        st.sampled_from([GUARDIAN, OKAFOR, SERRANO, PRINCIPAL]),
    ),
    max_size=25,
)


def act(contract: Contract, action: str, party: Party) -> Contract:
    if action == "sign":
        return contract.sign(signature(party))
    if action == "decline":
        return contract.decline(party, "reason", AT)
    if action == "cancel":
        return contract.cancel(party, AT, FIRST_DAY_STARTS)
    return contract.void(FIRST_DAY_STARTS, FIRST_DAY_STARTS)


@given(actions=ACTIONS)
def test_no_action_ever_leaves_a_final_state(actions: list[tuple[str, Party]]) -> None:
    contract = two_teachers()
    for action, party in actions:
        before = contract
        try:
            contract = act(contract, action, party)
        except WrongState:
            assert contract is before
            continue
        assert not before.state.is_final, f"{action} by {party} left {before.state}"
    if contract.state is State.APPROVED:
        assert {s.party.role for s in contract.signatures} == set(Role)
    assert len(contract.signers()) == len(set(contract.signers()))
