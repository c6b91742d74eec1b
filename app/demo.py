"""`allmende demo` (what `make run` runs): migrate, load demo data, deliver mails, serve."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from app import demo_content, demo_scenes, migrate
from app import worker as workers
from app.config import Settings
from app.db import make_session_factory, unit_of_work
from app.membership import personas
from app.municipalities import commands as municipality_commands
from app.municipalities import organisations
from app.municipalities.models import OrganisationType

DEMO_REGISTRY = Path(__file__).parent / "municipalities" / "demo_gv100ad.txt"
# Members beyond the German registry (docs/organisations.md), for the picker to find.
DEMO_ORGANISATIONS = (
    ("KGSt", OrganisationType.VERBAND, "DE"),
    ("Deutscher Landkreistag", OrganisationType.VERBAND, "DE"),
    ("Stadt Wien", OrganisationType.KOMMUNE_AUSLAND, "AT"),
    ("Stadt Zürich", OrganisationType.KOMMUNE_AUSLAND, "CH"),
)

log = logging.getLogger("allmende.demo")


def with_address(settings: Settings, host: str, port: int) -> Settings:
    """The settings with a base URL at the address the demo serves on (feed links, mails
    and the console follow --host/--port), unless the operator set ALLMENDE_BASE_URL."""
    if "base_url" in settings.model_fields_set:
        return settings
    # A server on every interface is still opened in the browser on the loopback address.
    shown = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return settings.model_copy(update={"base_url": f"http://{shown}:{port}"})


def prepare(
    settings: Settings, engine: Engine, out: Callable[[str], None], *, registry: str | None
) -> None:
    """Bring the database to head and fill it with demo content (idempotent)."""
    migrate.upgrade(engine)
    out("database migrated")
    if registry:
        municipality_commands.import_file(Path(registry), engine, out)
    else:
        municipality_commands.import_file(DEMO_REGISTRY, engine, out, deactivate_missing=False)
    with unit_of_work(make_session_factory(engine)) as db:
        known = {entry.name for entry in organisations.listing(db)}
        for name, kind, country in DEMO_ORGANISATIONS:
            if name not in known:
                form = organisations.OrganisationForm(name, str(kind.value), country)
                organisations.create(db, None, form)
        personas.seed_personas(db)
        loaded = demo_content.load(db, settings)
        scenes = demo_scenes.load(db, settings, demo_content.content())
        total = len(personas.listing(db))
    out(f"{total} demo personas ready: sign in at {settings.base_url}/dev/login (README.md)")
    if loaded:
        out(f"{loaded} demo Vorhaben with comments and signals loaded")
    if scenes:
        out(f"demo scenes added: {', '.join(scenes)}")


class Delivery(threading.Thread):
    """The demo's worker: delivers the outbox (mails go to the log and to /dev/mails) and
    runs the periodic jobs (app.worker's schedule) in a thread of the serving process, so
    `make run` needs nothing else running. Production runs `allmende worker` instead."""

    def __init__(self, worker: workers.Schedule, poll_seconds: float) -> None:
        super().__init__(name="demo-delivery", daemon=True)
        self.worker = worker
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                if self.worker.tick() == 0:
                    self.stopping.wait(self.poll_seconds)
            except Exception:  # the demo keeps serving; the next round tries again
                log.exception("demo delivery failed")
                self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        """Finish the current round and end the thread."""
        self.stopping.set()
        self.join(timeout=30)


def start_delivery(settings: Settings, engine: Engine, *, poll_seconds: float = 2.0) -> Delivery:
    """Start delivering the outbox in this process (the worker `allmende worker` runs)."""
    delivery = Delivery(workers.build(settings, make_session_factory(engine)), poll_seconds)
    delivery.start()
    return delivery
