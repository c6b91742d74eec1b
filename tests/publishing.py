"""Helpers for the export layer: a scene with a Vorhaben, and publishing it in one call."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.config import Settings
from app.export import review, service
from app.export.forms import PublicationForm
from app.export.models import Publication
from app.vorhaben.models import Vorhaben
from tests import factories


@dataclass
class Scene:
    owner: Account
    moderator: Account
    vorhaben: Vorhaben


def make_scene(db: Session) -> Scene:
    owner = factories.account(db, "Olga Owner", email="olga@owner.example")
    moderator = factories.account(db, "Mara Moser", role=factories.Role.MODERATOR)
    vorhaben = factories.vorhaben(
        db,
        owner,
        "Digitaler Bauantrag",
        summary="Intern: Budget 80k",
        description="Interne Notizen: Ansprechpartner Herr Geheim",
        stage="pilot",
        fields=["verwaltung-ozg"],
        tags="ozg, bauen",
    )
    return Scene(owner, moderator, vorhaben)


def publish(
    db: Session,
    settings: Settings,
    scene: Scene,
    *,
    title: str = "Digitaler Bauantrag",
    description: str = "Öffentliche Beschreibung",
    consent: bool = False,
) -> Publication:
    """Submit and release a publication of the scene's Vorhaben."""
    form = form_of(db, scene)
    form.title = title
    form.summary = "Anträge online stellen"
    form.description = description
    form.contact_consent = consent
    publication = service.submit(db, settings, scene.owner, scene.vorhaben.id, form)
    if publication.state.value == "submitted":
        publication = review.decide(db, settings, scene.moderator, publication.id, "release", "")
    return publication


def form_of(db: Session, scene: Scene) -> PublicationForm:
    return service.form_for(
        db, scene.vorhaben, service.of_vorhaben(db, scene.vorhaben.id), scene.owner
    )
