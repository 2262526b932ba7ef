"""The clock a person moves on the local stack (infra/local/clock.py) is for the
local stack only: the app answers no clock route, and no back-end code can
replace the clock while serving a request."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.api import Api

BACKEND = Path(__file__).parents[2] / "backend"


def test_the_app_has_no_route_that_sets_the_clock(api: Api) -> None:
    from app import app

    assert not [path for path in app.routes if "clock" in path.lower()]
    for method in ("POST", "DELETE", "GET"):
        answer = api.client.http.request(
            method,
            "/clock",
            headers={"Content-Type": "application/json"},
            body=b'{"now": "2030-01-01T00:00:00Z"}',
        )
        assert answer.status_code in (403, 404), method
    paths = api.get("/openapi.json").json_body["paths"]
    assert not [path for path in paths if "clock" in path.lower()]


def test_only_the_local_stack_may_replace_the_clock() -> None:
    """``wiring.use_clock`` is defined in the back end and used by none of it (the
    local stack, infra/local/stack.py, calls it), and only wiring.py reads ``_clock``."""
    used: list[str] = []
    for path in sorted(BACKEND.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = (
                node.id
                if isinstance(node, ast.Name)
                else node.attr
                if isinstance(node, ast.Attribute)
                else ""
            )
            if name == "use_clock" or (name == "_clock" and path.name != "wiring.py"):
                used.append(f"{path.relative_to(BACKEND)}:{node.lineno}")  # type: ignore[attr-defined]
    assert used == []
    local = (BACKEND.parent / "infra" / "local" / "stack.py").read_text(encoding="utf-8")
    assert "use_clock(" in local
