"""Every operation of the OpenAPI document, fuzzed by schemathesis against the
running local stack: data that fits the schema and data that does not, in
English and in Spanish, with and without a real link. No answer is a 5xx;
every answer has a documented status, the JSON content type and a body
valid against the document.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import figures
from tests.support.flows import MADRONE, Flow, school_days
from tests.support.live_stack import LiveStack

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def schema(live: LiveStack) -> Any:
    """The document as the API serves it (loaded from its body: schemathesis would
    leave out the operation that serves the document itself)."""
    served = live.get("/openapi.json")
    assert served.status == 200
    return schemathesis.openapi.from_dict(served.body)


@pytest.fixture(scope="module")
def request_and_link(live: LiveStack) -> tuple[str, str]:
    """A real request and its guardian's link, for the operations on one request."""
    days = school_days()
    flow = Flow(live, MADRONE, days[20], days[22])
    return flow.id, flow.token("guardian")


def operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_within_the_document_and_never_5xx(
    live: LiveStack, schema: Any, request_and_link: tuple[str, str], mode: GenerationMode, language: str
) -> None:
    request_id, token = request_and_link
    examples = figures.size(10, 150)
    fuzzed = 0
    for operation in operations(schema):
        on_one_request = "{request_id}" in operation.path
        # a real request and link for half the cases, random ones for the rest
        variants: list[dict[str, Any]] = [{}]
        if on_one_request:
            variants.append(
                {
                    "path_parameters": {"request_id": request_id},
                    "headers": {"Authorization": f"Bearer {token}"},
                }
            )
        for fixed in variants:
            strategy = operation.as_strategy(generation_mode=mode, **fixed)

            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                derandomize=not figures.LONG,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def run(case: Any) -> None:
                nonlocal fuzzed
                fuzzed += 1
                response = case.call(base_url=live.url, headers={"Accept-Language": language}, timeout=60)
                if response.status_code >= 500:
                    figures.add("server_errors")
                checks = [*CHECKS, negative_data_rejection] if mode is GenerationMode.NEGATIVE else CHECKS
                case.validate_response(response, checks=checks)

            run()
    figures.add("fuzz_api_cases", fuzzed)
    figures.add(
        "fuzz_api_operations",
        len(operations(schema)) if mode is GenerationMode.POSITIVE and language == "en" else 0,
    )
    assert fuzzed >= len(operations(schema))
