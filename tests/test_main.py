"""A server process settles its heap at start; tests build apps without doing so."""

from __future__ import annotations

import gc

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.main import create_app, settle_heap
from app.web.templating import environment


def test_settle_heap_compiles_every_template_and_freezes_the_long_lived_objects() -> None:
    gc.unfreeze()
    try:
        settle_heap()
        assert gc.get_freeze_count() > 10_000
        assert environment.cache is not None
        loaded = {key[1] for key in environment.cache}
        assert set(environment.list_templates()) <= loaded
    finally:
        gc.unfreeze()


def test_only_a_serving_process_freezes(settings: Settings, engine: Engine) -> None:
    gc.unfreeze()
    with TestClient(create_app(settings, engine=engine)):
        assert gc.get_freeze_count() == 0
    app = create_app(settings, engine=engine)
    app.state.serving = True
    try:
        with TestClient(app):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
