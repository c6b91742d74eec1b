"""schemathesis against the public API's own OpenAPI description: no 5xx, and every
response matches the documented schema."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import checks
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


def test_the_public_api_keeps_its_contract(api_schema: Any) -> None:
    # schemathesis' pytest plugin does not support this pytest yet, so we drive its
    # Hypothesis strategies ourselves: every documented operation, generated inputs.
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {operation.path for operation in operations} == {
        "/api/v1/projects",
        "/api/v1/projects/{project_id}",
    }
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=60,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        def call(case: Any) -> None:
            # A schema-valid but forged cursor is rightly refused with 400, so the
            # "positive data must be accepted" check does not apply to this API.
            case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])

        call()
