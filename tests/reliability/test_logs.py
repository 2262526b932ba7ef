"""The logs carry no personal data: after everything the reliability runs did
on the local stack (this module runs last), plus one flow of each ending with
names and text that could not appear by chance, its output (the API's JSON
log lines, the dispatcher's, Chalice's access log) is searched for every name,
email address, typed signature, reason and link token that was sent."""

from __future__ import annotations

from tests.support import figures
from tests.support.flows import MADRONE, RIDGELINE, Flow, school_days
from tests.support.live_stack import STACKS, LiveStack


def test_no_name_email_or_token_reaches_the_logs(live: LiveStack) -> None:
    days = school_days()
    people = {
        "student": {"first_name": "Xiomara", "last_name": "Quetzalli-Brandvold"},
        "guardian": {
            "name": "Wilhelmina Obiang-Thorsen",
            "email": "wilhelmina.obiang@family.example",
            "phone": "(555) 010-0147",
        },
        "reason": "Visiting Abuela Wilhelmina in Oaxaca",
    }
    approved = Flow(live, RIDGELINE, days[40], days[41], **people)
    approved.to_principal()
    approved.sign("principal", "rafael ibarra")
    declined = Flow(live, MADRONE, days[45], days[45], **people)
    declined.sign("guardian", "wilhelmina obiang thorsen")
    reason = "Cannot approve: Xiomara has the spelling bee"
    teacher = declined.token("t-serrano")
    assert live.post(f"/stis/requests/{declined.id}/decline", {"reason": reason}, token=teacher).status == 200
    cancelled = Flow(live, MADRONE, days[50], days[51], **people)
    assert (
        live.post(f"/stis/requests/{cancelled.id}/cancel", {}, token=cancelled.token("guardian")).status
        == 200
    )
    by_office = Flow(live, MADRONE, days[55], days[56], **people)
    by_office.sign("guardian", "Wilhelmina Obiang-Thorsen")
    phoned = "The family phoned: Xiomara stays home after all"
    answer = live.post(
        f"/stis/requests/{by_office.id}/cancel", {"reason": phoned}, token=by_office.token("office")
    )
    assert answer.status == 200, answer.body
    for flow in (approved, declined, cancelled, by_office):
        live.get(f"/stis/requests/{flow.id}", token=flow.token("guardian"))
    live.deliver()
    live.secrets.update({people["reason"], reason, phoned, people["guardian"]["phone"]})

    output = "\n".join(line for stack in STACKS for line in stack.output)
    assert '"msg": "request"' in output, "the stack's logs were not captured"
    secrets = {s for stack in STACKS for s in stack.secrets if len(s) >= 6}
    leaked = sorted(s for s in secrets if s in output)
    figures.add("leaked_secrets", len(leaked))
    assert not leaked, f"{len(leaked)} of {len(secrets)} secrets are in the logs"
    assert len(secrets) >= 15
