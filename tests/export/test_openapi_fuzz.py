"""schemathesis against the public API's own OpenAPI description, with valid and with
invalid (negative) generated inputs: no 5xx, every response matches the documented schema
and status codes, invalid input is refused with a documented 4xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode, checks
from sqlalchemy.orm import Session

from app.config import Settings
from tests.publishing import Scene, publish


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"feed_rate_limit_per_address": 100_000}


@pytest.fixture
def api_schema(app: FastAPI, db: Session, settings: Settings, scene: Scene) -> Any:
    publish(db, settings, scene)  # something to serve, items and a cursor
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


def test_the_description_matches_what_the_api_answers(api_schema: Any) -> None:
    raw = api_schema.raw_schema
    for operations in raw["paths"].values():
        for operation in operations.values():
            # Invalid parameters get 400 with the Error body, never FastAPI's 422.
            assert "422" not in operation["responses"]
            assert "400" in operation["responses"]
    body = raw["components"]["schemas"]["ErrorBody"]
    assert "errors" in body["properties"] and body["additionalProperties"] is False


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_public_api_keeps_its_contract(api_schema: Any, mode: GenerationMode) -> None:
    # schemathesis' pytest plugin does not support this pytest yet, so we drive its
    # Hypothesis strategies ourselves: every documented operation, generated inputs.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {operation.path for operation in operations} == {
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
        "/api/v1/vocabularies",
        "/api/v1/vocabularies/{name}",
    }
    # A schema-valid but forged cursor is rightly refused with 400, so the "positive data
    # must be accepted" check does not apply to this API; every other check does,
    # response_schema_conformance and status_code_conformance among them.
    excluded = [checks.positive_data_acceptance] if mode is GenerationMode.POSITIVE else []
    calls = 0
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not operation.query:
            continue  # any text is a valid id or name: there is no invalid input to make

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def call(case: Any) -> None:
            nonlocal calls
            # negative_data_rejection (one of the checks run here) asserts a documented 4xx
            # wherever the generated input really breaks the schema.
            response = case.call_and_validate(excluded_checks=excluded)
            assert response.status_code < 500
            calls += 1

        call()
    assert calls > 0
