"""The people of the API tests' usual request: a Ridgeline Middle School student
(the demo district's), two teachers, the principal and the school office, and
the guardian who sends it."""

from __future__ import annotations

from typing import Any

from tests.support.api import Api
from tests.support.bodies import submit_body

GUARDIAN = "elena.quintana@family.example"
CASTELLANOS = "i.castellanos@ridgeline.alder-creek.example"
ROJAS = "c.rojas@ridgeline.alder-creek.example"
PRINCIPAL = "principal@ridgeline.alder-creek.example"
OFFICE = "office@ridgeline.alder-creek.example"


def middle_school_request(api: Api, **changes: Any) -> tuple[str, str]:
    """Send the request (fields of ``submit_body``, changed by ``changes``), let its
    email go, and return the request id and the guardian's token from that email."""
    body = submit_body(school_id="ridgeline-middle", teacher_ids=["t-castellanos", "t-rojas"], **changes)
    assert api.post("/stis/requests", body).status_code == 201
    api.deliver()
    return api.link_for(GUARDIAN)
