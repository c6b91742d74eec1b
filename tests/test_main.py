"""A server process settles its heap at start; tests build apps without doing so."""

from __future__ import annotations

import gc
import subprocess
import sys

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


def test_a_worker_starts_without_the_libraries_only_some_requests_need() -> None:
    """boto3 (S3 storage), Pillow (images), icalendar (calendar files) and ua-parser (the
    devices page) are imported on first use: together 25 MB of every worker otherwise."""
    script = (
        "import sys, app.main\n"
        "app.main.create_app()\n"
        "print(' '.join(m for m in ('boto3', 'PIL', 'icalendar', 'ua_parser') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""
