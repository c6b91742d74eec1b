"""/dev/mails: the development mail viewer, only with the development sign-in, never in
production."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.main import create_app
from app.outbox import service as outbox


def _queue(db: Session) -> None:
    outbox.enqueue_mail(
        db,
        to="lena.lindner@leipzig.example",
        subject="Neuer Kommentar zu <Schul-WLAN>",
        text="Jonas Krüger hat kommentiert:\n<script>alert(1)</script>",
        html="<p>html</p>",
    )
    db.flush()


def test_without_the_dev_sign_in_there_is_no_mail_viewer(client: TestClient, db: Session) -> None:
    _queue(db)
    response = client.get("/dev/mails")
    assert response.status_code == 404
    assert "lena.lindner" not in response.text


class TestWithTheDevSignIn:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"dev_login": True}

    def test_the_viewer_shows_each_mail_with_receiver_subject_and_text(
        self, client: TestClient, db: Session
    ) -> None:
        _queue(db)
        page = client.get("/dev/mails")
        assert page.status_code == 200
        assert "lena.lindner@leipzig.example" in page.text
        assert "Neuer Kommentar zu &lt;Schul-WLAN&gt;" in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<script>alert" not in page.text
        assert "Ausstehend" in page.text  # not yet delivered by the worker
        assert 'href="/dev/mails"' in client.get("/dev/login").text

    def test_production_settings_built_around_the_check_still_get_404(
        self,
        settings: Settings,
        engine: Engine,
        session_factory: sessionmaker[Session],
        db: Session,
    ) -> None:
        _queue(db)
        unsafe = settings.model_copy(
            update={"env": "production", "base_url": "https://allmende.example"}
        )
        app = create_app(unsafe, engine=engine, session_factory=session_factory)
        with TestClient(app, base_url="https://allmende.example") as client:
            assert client.get("/dev/mails").status_code == 404
