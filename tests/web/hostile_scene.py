"""A world in which every role wrote hostile text (tests.web.hostile) into every free-text
field it can write, through the services the routes call.

Each field's text is named (title, reason, …) so a finding or a field that was never shown
points at its source. FIELDS lists the names; test_text_is_data asserts that every one of
them reached some page, fragment, mail or feed as text, and none as markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import Account, AccountState, Identity, MailMode, Role
from app.admin import taxonomy
from app.auth import sessions
from app.circles import mails as circle_mails
from app.circles import service as circles
from app.comments import service as comments
from app.config import Settings
from app.core import clock
from app.export import partners, review, withdrawal
from app.export import service as publications
from app.export.forms import PublicationForm
from app.export.models import Partner, Publication, WebhookEndpoint
from app.membership import accounts
from app.membership import service as membership
from app.membership.models import Application
from app.moderation import reports
from app.municipalities.models import Municipality
from app.notifications import service as notifications
from app.outbox.models import OutboxMessage
from app.vorhaben import cooperation
from app.vorhaben import service as vorhaben_service
from app.vorhaben.forms import VorhabenForm
from app.vorhaben.models import Signal, Vorhaben
from tests import factories
from tests.web.hostile import hostile

# The identity provider's label (an admin's setting), see settings_overrides.
PROVIDER = {
    "name": "hostile",
    "label": hostile("provider"),
    "issuer": "https://idp.hostile.example",
    "client_id": "allmende",
    "client_secret": "secret",
}

# Names of every field the scene fills, by the role that writes it.
MEMBER_FIELDS = (
    "n-author", "n-reader", "n-contact", "n-applic", "n-declin", "n-susp", "position", "apposition",
    "appreason", "answer", "vtitle", "vsummary", "vdesc", "vlessons", "vfunding", "vtag",
    "vurl", "ctop", "creply", "cedited", "report", "review", "ptitle", "psummary", "pdesc",
    "ptag", "purl",
)  # fmt: skip
MODERATOR_FIELDS = (
    "n-mod", "hidereason", "dismissal", "lockreason", "appinfo", "appdecline", "suspension",
    "pdecline", "prelease", "pwithdraw", "cname", "cdesc",
)  # fmt: skip
ADMIN_FIELDS = (
    "n-admin", "fieldlabel", "partner", "pmail", "hookurl", "hookerror", "hookoff", "rolereason",
    "provider",
)  # fmt: skip
# What the identity provider or the browser sends: claims, a mail address, a user agent.
PROVIDED_FIELDS = ("email", "claim", "claimkey", "agent")
FIELDS = MEMBER_FIELDS + MODERATOR_FIELDS + ADMIN_FIELDS + PROVIDED_FIELDS


@dataclass
class World:
    """Who wrote what; the ids pages are reached by."""

    author: Account
    reader: Account
    moderator: Account
    admin: Account
    applicant: Account
    declined: Account
    suspended: Account
    municipality: Municipality
    vorhaben: Vorhaben
    hidden: Vorhaben
    publication: Publication
    withdrawn: Publication
    partner: Partner
    endpoint: WebhookEndpoint
    ids: dict[str, list[str]] = field(default_factory=dict)


def _named(db: Session, name: str, **values: object) -> Account:
    person = factories.account(db, hostile(name), **values)  # type: ignore[arg-type]
    person.position = hostile("position")
    db.flush()
    return person


def _form(**values: object) -> VorhabenForm:
    fields: dict[str, object] = {
        "title": hostile("vtitle"),
        "summary": hostile("vsummary"),
        "description": f"## {hostile('vdesc')}\n\n[link](https://example.org/?q=%22%3E) *x*",
        "stage": "idee",
        "tags": f"{hostile('vtag', 40)}, b",
        "funding_programme": hostile("vfunding"),
        "lessons_learned": hostile("vlessons"),
        "website_url": 'https://example.org/?a="><b data-hostile="vurl">',
    }
    return VorhabenForm(**{**fields, **values})  # type: ignore[arg-type]


def _publication_form(db: Session, owner: Account, vorhaben: Vorhaben) -> PublicationForm:
    form = publications.form_for(db, vorhaben, publications.of_vorhaben(db, vorhaben.id), owner)
    form.title = hostile("ptitle")
    form.summary = hostile("psummary")
    form.description = f"{hostile('pdesc')}\n\n</script><script>alert(1)</script>"
    form.tags = hostile("ptag", 40)
    form.website_url = 'https://example.org/?p="><b data-hostile="purl">'
    form.contact_consent = True
    return form


def build(db: Session, settings: Settings) -> World:
    """Every role writes hostile text everywhere it can; returns who and what."""
    settings = settings.model_copy(
        update={"webhooks_allow_private": True, "publication_review": True}
    )
    municipality = factories.municipality(db, "Feldstadt")
    admin = _named(db, "n-admin", role=Role.ADMIN, municipality=factories.municipality(db))
    moderator = _named(db, "n-mod", role=Role.MODERATOR)
    author = _named(db, "n-author", municipality=municipality)
    reader = _named(db, "n-reader")
    reader.email = '"><b data-hostile="email">@x.example'
    sessions.create(
        db, settings, author, provider="sso", auth_time=None, user_agent=hostile("agent")
    )
    contact = _named(db, "n-contact", municipality=municipality)

    label = taxonomy.add(db, admin, hostile("fieldlabel", 120))
    chosen = {"fields_of_action": [str(label.id)], "contacts": [str(contact.id)]}
    form = _form(**chosen)
    vorhaben = vorhaben_service.create(db, settings, author, form)
    cooperation.set_follow(db, reader, vorhaben.id, on=True)
    # A second version with a stage change: the version diff and the timeline.
    changed = _form(**chosen, stage="konzept", summary=hostile("vsummary") + " 2")
    vorhaben_service.update(db, settings, author, vorhaben.id, changed)
    author.mail_mode = MailMode.DIGEST
    admin_note = comments.post(db, settings, admin, vorhaben.id, hostile("ctop"), None)
    top = comments.post(db, settings, reader, vorhaben.id, hostile("ctop"), None)
    comments.post(db, settings, author, vorhaben.id, hostile("creply"), top.id)
    edited = comments.post(db, settings, reader, vorhaben.id, "Erstfassung", None)
    comments.edit(db, reader, edited.id, hostile("cedited"))
    cooperation.set_signal(db, settings, reader, vorhaben.id, "interested", on=True)
    reports.report(db, settings, author, "comment", top.id, "spam", hostile("report", 2000))
    reports.decide(db, settings, moderator, "comment", top.id, "dismiss", hostile("dismissal"))
    # The reproduction: a moderator hides an admin's comment with a reason.
    reports.decide(db, settings, moderator, "comment", admin_note.id, "hide", hostile("hidereason"))
    reports.report(db, settings, reader, "vorhaben", vorhaben.id, "other", hostile("report"))

    # A circle a site moderator named, with a Vorhaben in it, an invitation and a request.
    circle = circles.create(
        db,
        moderator,
        circles.CircleForm(
            name=hostile("cname"),
            description=f"## {hostile('cdesc')}",
            kind="network",
            listed=True,
            moderators=[str(author.id)],
        ),
    )
    circles.invite(db, author, circle, reader.id)
    circle_mails.invited(db, settings, circle, author, reader.id)
    circles.request_to_join(db, contact, circle)
    circle_mails.requested(db, settings, circle, contact)
    vorhaben_service.create(db, settings, author, _form(visibility=f"circle:{circle.id}"))

    hidden = vorhaben_service.create(db, settings, author, _form())
    reports.decide(db, settings, moderator, "vorhaben", hidden.id, "lock", hostile("lockreason"))
    reports.decide(db, settings, moderator, "vorhaben", hidden.id, "hide", hostile("hidereason"))
    reports.request_review(db, settings, author, "vorhaben", hidden.id, hostile("review"))

    partner, _key = partners.create(
        db, hostile("partner", 100), contact_email='"><b data-hostile="pmail">@x.example'
    )
    endpoint, _secret = partners.add_webhook(
        db, settings, partner, 'http://127.0.0.1:9/hook/"><b data-hostile="hookurl">?token=geheim'
    )
    publication = publications.submit(
        db, settings, author, vorhaben.id, _publication_form(db, author, vorhaben)
    )
    review.decide(db, settings, moderator, publication.id, "decline", hostile("pdecline"))
    publications.submit(db, settings, author, vorhaben.id, _publication_form(db, author, vorhaben))
    review.decide(db, settings, moderator, publication.id, "release", hostile("prelease"))
    third = vorhaben_service.create(db, settings, author, _form())
    withdrawn = publications.submit(
        db, settings, author, third.id, _publication_form(db, author, third)
    )
    review.decide(db, settings, moderator, withdrawn.id, "release", "")
    withdrawal.withdraw_by_moderator(db, settings, moderator, withdrawn.id, hostile("pwithdraw"))
    # What a partner's server answered, kept as the delivery's error.
    for row in db.scalars(
        select(OutboxMessage).where(OutboxMessage.webhook_endpoint_id == endpoint.id)
    ):
        row.last_error = hostile("hookerror")
    partners.disable_endpoint(db, settings, endpoint, hostile("hookoff"))

    applicant = _named(db, "n-applic", state=AccountState.PENDING)
    identity = db.scalars(select(Identity).where(Identity.account_id == applicant.id)).one()
    identity.claims = {**identity.claims, "name": hostile("claim"), hostile("claimkey", 60): "x"}
    application = _apply(db, settings, applicant)
    membership.decide(db, settings, moderator, application.id, "request_info", hostile("appinfo"))
    membership.answer_info_request(db, settings, applicant, hostile("answer"))
    declined = _named(db, "n-declin", state=AccountState.PENDING)
    turned_down = _apply(db, settings, declined)
    membership.decide(db, settings, moderator, turned_down.id, "decline", hostile("appdecline"))
    suspended = _named(db, "n-susp")
    accounts.suspend(db, settings, moderator, suspended.id, hostile("suspension"))
    accounts.set_role(db, settings, admin, contact.id, "moderator", hostile("rolereason"))

    # Digests go out after 7:00 for what came before: a day later, then back.
    day = dt.timedelta(days=1)
    clock.travel(day)
    notifications.send_digests(db, settings)
    clock.travel(-day)
    db.flush()
    world = World(
        author=author,
        reader=reader,
        moderator=moderator,
        admin=admin,
        applicant=applicant,
        declined=declined,
        suspended=suspended,
        municipality=municipality,
        vorhaben=vorhaben,
        hidden=hidden,
        publication=publication,
        withdrawn=withdrawn,
        partner=partner,
        endpoint=endpoint,
    )
    world.ids = _path_values(db, world, application, top.id, edited.id)
    world.ids["circle_id"] = [str(circle.id)]
    return world


def _apply(db: Session, settings: Settings, applicant: Account) -> Application:
    where = factories.municipality(db, "Antragsdorf")
    return membership.submit_application(
        db,
        settings,
        applicant,
        membership.ApplicationForm(
            municipality_ags=where.ags,
            position=hostile("apposition"),
            reason=hostile("appreason", 2000),
        ),
    )


def _path_values(
    db: Session,
    world: World,
    application: Application,
    comment_id: int,
    edited_id: int,
) -> dict[str, list[str]]:
    """Values for each path parameter of the app's routes: the objects of this world."""

    signals = db.scalars(select(Signal.id).where(Signal.vorhaben_id == world.vorhaben.id)).all()
    deliveries = db.scalars(
        select(OutboxMessage.id).where(OutboxMessage.webhook_endpoint_id == world.endpoint.id)
    ).all()
    keys = [str(key.id) for key in partners.keys_of(db, world.partner.id)]
    return {
        "vorhaben_id": [str(world.vorhaben.id), str(world.hidden.id)],
        "comment_id": [str(comment_id), str(edited_id)],
        "account_id": [str(person.id) for person in _people(world)],
        "application_id": [str(application.id)],
        "publication_id": [world.publication.id, world.withdrawn.id],
        "project_id": [world.publication.id, world.withdrawn.id],
        "partner_id": [str(world.partner.id)],
        "endpoint_id": [str(world.endpoint.id)],
        "key_id": keys,
        "message_id": [str(entry) for entry in deliveries[:1]],
        "signal_id": [str(entry) for entry in signals],
        "number": ["1", "2"],
        "ags": [world.municipality.ags],
        "provider": [str(PROVIDER["name"])],
    }


def _people(world: World) -> list[Account]:
    return [world.author, world.reader, world.applicant, world.declined, world.suspended]
