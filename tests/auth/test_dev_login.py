"""The development sign-in: off by default (404), five personas for every role when on,
marked on every page, and never available in production."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from app.audit.models import AuditEvent
from app.config import ConfigurationError, Settings, load_settings
from app.main import create_app
from app.membership.personas import seed_personas
from tests import factories
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.commits

BANNER = "Entwicklungsmodus: Anmeldung als Testperson ist eingeschaltet"
PERSONAS = {
    "moderatorin": "Mara Moser",
    "admin": "Anton Albers",
    "leipzig": "Lena Lindner",
    "muenchen": "Max Maier",
    "antrag": "Paula Peters",
}


def _dev_login(client: TestClient, persona: str) -> str:
    token = factories.csrf_token(client, "/dev/login")
    response = client.post("/dev/login", data={"csrf_token": token, "persona": persona})
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_off_by_default_the_dev_sign_in_does_not_exist(client: TestClient) -> None:
    assert client.get("/dev/login").status_code == 404
    token = factories.csrf_token(client)
    response = client.post("/dev/login", data={"csrf_token": token, "persona": "admin"})
    assert response.status_code == 404
    login = client.get("/login").text
    assert BANNER not in login and 'href="/dev/login"' not in login
    assert client.get("/").status_code == 303  # nobody got signed in


class TestWhenEnabled:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, object]:
        return {"dev_login": True}

    def test_the_page_offers_the_five_personas(self, client: TestClient) -> None:
        page = client.get("/dev/login")
        assert page.status_code == 200
        for key, name in PERSONAS.items():
            assert f'name="persona" value="{key}"' in page.text
            assert name in page.text
        assert 'href="/dev/login"' in client.get("/login").text

    def test_each_persona_says_its_role_and_municipality(
        self, client: TestClient, db: Session
    ) -> None:

        factories.municipality(db, "Leipzig, Stadt", ags="14713000")
        factories.municipality(db, "Köln, Stadt", ags="05315000")
        seed_personas(db)
        db.flush()
        cards = {
            card.split("</h2>")[0]: card for card in client.get("/dev/login").text.split("<h2>")[1:]
        }
        assert "<strong>Mitglied</strong> · Leipzig, Stadt" in cards["Lena Lindner"]
        assert "<strong>Moderation</strong>" in cards["Mara Moser"]
        assert "<strong>Antrag in Prüfung</strong> · Köln, Stadt" in cards["Paula Peters"]

    @pytest.mark.parametrize(
        ("persona", "landing", "allowed", "refused"),
        [
            ("moderatorin", "/", "/moderation/applications", "/admin"),
            ("admin", "/", "/moderation/applications", None),
            ("leipzig", "/", "/konto", "/moderation/applications"),
            ("muenchen", "/", "/konto", "/moderation/applications"),
            ("antrag", "/membership/apply", "/membership/apply", "/konto"),
        ],
    )
    def test_each_persona_signs_in_with_its_role(
        self,
        client: TestClient,
        db: Session,
        persona: str,
        landing: str,
        allowed: str,
        refused: str | None,
    ) -> None:
        assert _dev_login(client, persona) == landing
        assert client.get(allowed).status_code == 200
        if refused is not None:
            assert client.get(refused).status_code == 403
        assert PERSONAS[persona] in client.get(allowed).text
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "dev_login")).one()
        assert event.actor_id is not None

    def test_an_unknown_persona_keeps_the_page(self, client: TestClient) -> None:
        token = factories.csrf_token(client, "/dev/login")
        response = client.post("/dev/login", data={"csrf_token": token, "persona": "nobody"})
        assert response.status_code == 422
        assert "Bitte wählen Sie eine Testperson" in response.text

    def test_every_page_says_so(self, client: TestClient) -> None:
        for path in ("/login", "/dev/login", "/impressum", "/datenschutz", "/gibt-es-nicht"):
            assert BANNER in client.get(path).text, path
        _dev_login(client, "leipzig")
        for path in ("/", "/konto", "/vorhaben"):
            page = client.get(path)
            assert page.status_code == 200, path
            assert BANNER in page.text, path


def test_production_refuses_the_dev_sign_in(database_url: str) -> None:
    with pytest.raises(ConfigurationError, match="ALLMENDE_DEV_LOGIN must be off"):
        load_settings(
            env="production",
            database_url=database_url,
            secret_key=TEST_SECRET,
            base_url="https://allmende.example",
            dev_login=True,
        )


def test_production_settings_built_around_the_check_still_get_404(
    settings: Settings, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    unsafe = settings.model_copy(
        update={"env": "production", "dev_login": True, "base_url": "https://allmende.example"}
    )
    app = create_app(unsafe, engine=engine, session_factory=session_factory)
    with TestClient(app, base_url="https://allmende.example", follow_redirects=False) as client:
        assert client.get("/dev/login").status_code == 404
