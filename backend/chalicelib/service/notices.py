"""Which emails each event owes (SPEC section 4), one outbox message per
recipient. A new state or a new email is added here and nowhere else; the
dispatcher (``outbox.py``) sends what is owed after the change is stored."""

from __future__ import annotations

from datetime import datetime

from ..core.contract import Role, State
from ..core.request import OFFICE, OutboxMessage, StoredRequest


def _message(seq: int, kind: str, recipient: str, at: datetime) -> OutboxMessage:
    return OutboxMessage(f"{seq}-{kind}-{recipient}", kind, recipient, at)


def on_submit(at: datetime) -> tuple[OutboxMessage, ...]:
    """A new request: the guardian is asked to sign, and the office is told."""
    return (_message(0, "review_and_sign", "guardian", at), _message(0, "office_new_request", OFFICE, at))


def on_change(before: State, after: StoredRequest, at: datetime) -> tuple[OutboxMessage, ...]:
    """What a change of state owes: the next signers are asked, or everyone
    concerned hears the outcome; the office always hears."""
    if before is after.state:
        return ()
    seq = len(after.audit)
    contract = after.contract
    state = after.state
    if state is State.AWAITING_TEACHER:
        owed = [_message(seq, "review_and_sign", t, at) for t in contract.teacher_ids]
    elif state is State.AWAITING_PRINCIPAL:
        owed = [_message(seq, "review_and_sign", "principal", at)]
    elif state is State.APPROVED:
        owed = [
            _message(seq, "approved", "guardian", at),
            *(_message(seq, "approved", t, at) for t in contract.teacher_ids),
        ]
    else:
        signed = [p.key for p in contract.signers() if p.role is not Role.GUARDIAN]
        owed = [_message(seq, "ended", "guardian", at), *(_message(seq, "ended", key, at) for key in signed)]
    office_kind = "approved" if state is State.APPROVED else "status_changed"
    if state in (State.DECLINED, State.CANCELLED, State.VOID):
        office_kind = "ended"
    return (*owed, _message(seq, office_kind, OFFICE, at))


def reminders(request: StoredRequest, at: datetime) -> tuple[OutboxMessage, ...]:
    """A reminder to each party whose turn it is to sign."""
    seq = len(request.audit)
    return tuple(_message(seq, "reminder", p.key, at) for p in request.contract.whose_turn())
