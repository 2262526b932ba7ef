"""Which emails each event owes (SPEC section 4), one outbox message per
recipient. A new state or a new email is added here and nowhere else; the
dispatcher (``outbox.py``) sends what is owed after the change is stored.

Until the guardian has signed, a request owes one email only, to the address
it gives: a stranger's request reaches nobody else, and its subject and body
carry nothing the requester typed. The office, the teachers and the
principal hear of it once the guardian has confirmed.
"""

from __future__ import annotations

from datetime import datetime

from ..core.contract import Role, State
from ..core.request import OFFICE, OutboxMessage, StoredRequest


def _message(seq: int, kind: str, recipient: str, at: datetime) -> OutboxMessage:
    return OutboxMessage(f"{seq}-{kind}-{recipient}", kind, recipient, at)


def on_submit(at: datetime) -> tuple[OutboxMessage, ...]:
    """A new request: the guardian is asked to confirm it by signing."""
    return (_message(0, "confirm_and_sign", "guardian", at),)


def on_change(before: StoredRequest, after: StoredRequest, at: datetime) -> tuple[OutboxMessage, ...]:
    """What a change of state owes: the next signers are asked, or everyone
    concerned hears the outcome. After approval: everyone who signed hears of
    an early end; each teacher is asked to record the work once the last day
    has ended; the office and the family get the result once the last teacher
    has recorded it."""
    seq = len(after.audit)
    owed: list[tuple[str, str]] = []
    if after.contract.early_end is not None and before.contract.early_end is None:
        signers = [p.key for p in after.contract.signers() if p.role is not Role.STUDENT]
        owed += [("ended_early", key) for key in (*signers, OFFICE)]
    if before.state is after.state:
        return tuple(_message(seq, kind, key, at) for kind, key in owed)
    state = after.state
    if state is State.AWAITING_EVALUATION:
        owed += [("record_the_work", p.key) for p in after.contract.evaluators_left()]
    elif state is State.CLOSED:
        owed += [("result", OFFICE), ("result", "guardian")]
    else:
        owed += _signing_owed(before, after)
    return tuple(_message(seq, kind, key, at) for kind, key in owed)


def _signing_owed(before: StoredRequest, after: StoredRequest) -> list[tuple[str, str]]:
    contract = after.contract
    state = after.state
    owed: list[tuple[str, str]]
    if state is State.AWAITING_TEACHER:  # the guardian confirmed: now the school hears of it
        owed = [("review_and_sign", t) for t in contract.teacher_ids]
        owed.append(("office_new_request", OFFICE))
    elif state is State.AWAITING_PRINCIPAL:
        owed = [("review_and_sign", "principal"), ("status_changed", OFFICE)]
    elif state is State.APPROVED:
        owed = [
            ("approved", "guardian"),
            *(("approved", t) for t in contract.teacher_ids),
            ("approved", OFFICE),
        ]
    elif before.state.is_unconfirmed:  # expired, or withdrawn before anyone else was asked
        owed = [("ended", "guardian")]
    else:  # declined, cancelled or void: everyone asked so far, and the office
        asked = [key for key in before.asked() if key not in ("guardian", OFFICE)]
        owed = [("ended", "guardian"), *(("ended", key) for key in asked), ("ended", OFFICE)]
    ender = contract.ending.by if contract.ending else None
    if ender is not None and ender.role is not Role.GUARDIAN:
        owed = [(kind, key) for kind, key in owed if key != ender.key or key == OFFICE]
    return owed


def reminders(request: StoredRequest, at: datetime, most: int) -> tuple[OutboxMessage, ...]:
    """A reminder to each party whose turn it is, once the guardian has
    confirmed, and at most ``most`` times each."""
    if not request.state.holds_days:
        return ()
    seq = len(request.audit)
    turn = [p.key for p in request.contract.whose_turn() if request.reminders_sent(p.key) < most]
    return tuple(_message(seq, "reminder", key, at) for key in turn)


def evaluation_reminders(
    request: StoredRequest, at: datetime, most: int, overdue: bool
) -> tuple[OutboxMessage, ...]:
    """Once a day while the work is not recorded: a reminder to each teacher
    who has not recorded it (``most`` each at most), and, once the record is
    overdue, one notice to the office."""
    if request.state is not State.AWAITING_EVALUATION:
        return ()
    seq = len(request.audit)
    owed = [
        ("record_reminder", p.key)
        for p in request.contract.evaluators_left()
        if request.messages_sent("record_reminder", p.key) < most
    ]
    if overdue and not request.messages_sent("evaluation_overdue", OFFICE):
        owed.append(("evaluation_overdue", OFFICE))
    return tuple(_message(seq, kind, key, at) for kind, key in owed)
