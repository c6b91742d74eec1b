"""Benchmark of similar Vorhaben: "similar while typing", the Vorhaben page's panel, and the
cost of indexing one Vorhaben (search entry and similar-Vorhaben terms) in its transaction.

    .venv/bin/python bench/similar.py --db sqlite|postgresql [--quick]
        [--members 5000 --vorhaben 10000 --comments 100000] [--skip-seed] [--rounds 5]
        [--name allmende_bench_search]

Uses bench/search.py's databases (same `--name` and sizes: a database seeded by one is
reused by the other with `--skip-seed`). As one signed-in member, one session per lookup
like a request: the form's lookup for 30 titles as typed (title alone, then title and
summary), each `--rounds` times after a warm-up round; the panel of 30 visible Vorhaben
(their own text, tags, fields of action and stage); and 200 re-indexings of existing
Vorhaben, each in a transaction that is rolled back. Prints p50/p95 per group.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.accounts.models import Account
from app.db import make_engine, make_session_factory
from app.search import index, similar
from app.vorhaben.models import Vorhaben, VorhabenTag
from app.vorhaben.visibility import visible_clause

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script
from bench import exchange
from bench import search as search_bench

TYPED = [
    ("Digitalisierungsstrategie", "Eine Strategie für die Verwaltung"),
    ("Bürgerbeteiligung online", "Beteiligung der Bürger an der Planung"),
    ("Beteiligungsplattform", "Eine Plattform für Beteiligungsverfahren"),
    ("OZG-Umsetzung", "Leistungen nach dem Onlinezugangsgesetz"),
    ("E-Akte einführen", "Dokumentenmanagement in allen Ämtern"),
    ("Müllabfuhr-Kalender als App", "Abfuhrtermine auf dem Smartphone"),
    ("Schulen mit WLAN", "Tablets und WLAN für alle Schulen"),
    ("Kita-Anmeldung online", "Kitaplätze digital vergeben"),
    ("Breitbandausbau", "Glasfaser für den ländlichen Raum"),
    ("Smarte Parkplätze", "Sensoren zeigen freie Parkplätze"),
    ("Radwegeplanung", "Radverkehr sicher machen"),
    ("KI im Bürgerbüro", "Künstliche Intelligenz beantwortet Fragen"),
    ("Open Data Portal", "Offene Daten der Verwaltung"),
    ("Digitaler Bauantrag", "Bauanträge online stellen"),
    ("Klimaschutzkonzept", "Energie sparen in kommunalen Gebäuden"),
    ("Energiemonitoring", "Verbrauch der Liegenschaften messen"),
    ("Mängelmelder", "Schlaglöcher und Schäden melden"),
    ("Ratsinformationssystem", "Sitzungen und Beschlüsse digital"),
    ("Terminvergabe Bürgeramt", "Termine online buchen"),
    ("Digitale Schule", "Lernplattform und Endgeräte"),
    ("Smart City Strategie", "Daten für die Stadtentwicklung"),
    ("Feuerwehr digital", "Einsatzplanung mit Tablets"),
    ("Geoportal", "Karten und Geodaten für alle"),
    ("Verkehrsdaten", "Verkehrsfluss mit Sensoren messen"),
    ("Hochwasser-Frühwarnung", "Pegel und Sensoren melden Gefahr"),
    ("Digitales Rathaus", "Alle Anträge online"),
    ("IT-Sicherheit", "Informationssicherheit in der Verwaltung"),
    ("Videokonferenzen im Rat", "Hybride Sitzungen des Gemeinderats"),
    ("Bürgerportal", "Ein Konto für alle Verwaltungsleistungen"),
    ("Formularserver", "Formulare online ausfüllen"),
]


def out(line: str) -> None:
    print(line, flush=True)


def timed(engine: Engine, calls: list[Callable[[Session], object]], rounds: int) -> list[float]:
    """Milliseconds per call, each in a session of its own; the first round warms up."""
    factory = make_session_factory(engine)
    timings: list[float] = []
    for round_number in range(rounds + 1):
        for call in calls:
            started = time.perf_counter()
            with factory() as db:
                call(db)
            if round_number:
                timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    args = search_bench.parse_args()
    url = exchange.prepare(args)
    engine = make_engine(url)
    search_bench.vacuum(engine)
    account_id = search_bench.member_id(engine)
    factory = make_session_factory(engine)
    with factory() as db:
        reader = db.scalars(select(Account).where(Account.id == account_id)).one()
        panel_ids = list(
            db.scalars(
                select(Vorhaben.id)
                .where(visible_clause(reader))
                .order_by(Vorhaben.id)
                .limit(30 * 97)
            )
        )[::97]

    def reader_of(db: Session) -> Account:
        return db.scalars(select(Account).where(Account.id == account_id)).one()

    def typing(title: str, summary: str) -> Callable[[Session], object]:
        return lambda db: similar.similar(db, reader_of(db), f"{title} {summary}")

    def panel(vorhaben_id: int) -> Callable[[Session], object]:
        def call(db: Session) -> object:
            if hasattr(similar, "similar_to"):
                return similar.similar_to(db, reader_of(db), vorhaben_id)
            # The finder before issue 18's item 5 (for the "before" numbers).
            vorhaben = db.get(Vorhaben, vorhaben_id)
            assert vorhaben is not None
            finder: Any = similar.similar
            return finder(
                db,
                reader_of(db),
                f"{vorhaben.title} {vorhaben.summary}",
                tags=tags_of(db, vorhaben_id),
                exclude_id=vorhaben_id,
            )

        return call

    titles = timed(engine, [typing(title, "") for title, _ in TYPED], args.rounds)
    both = timed(engine, [typing(title, summary) for title, summary in TYPED], args.rounds)
    panels = timed(engine, [panel(vorhaben_id) for vorhaben_id in panel_ids], args.rounds)
    writes = write_times(engine, panel_ids)
    with engine.connect() as connection:
        terms = connection.scalar(text("SELECT count(*) FROM vorhaben_terms"))
    engine.dispose()
    out("")
    out(f"similar Vorhaben in-process, {args.db}, sizes {args.sizes}, rounds {args.rounds}")
    out("| lookup | n | p50 ms | p95 ms | mean ms |")
    out("|---|---:|---:|---:|---:|")
    for name, values in (
        ("typing: title", titles),
        ("typing: title and summary", both),
        ("Vorhaben page panel", panels),
        ("index one Vorhaben (write)", writes),
    ):
        out(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{search_bench._percentile(values, 0.95):.1f} | {statistics.fmean(values):.1f} |"
        )
    out(f"similar-Vorhaben terms stored: {terms:,}")


def tags_of(db: Session, vorhaben_id: int) -> list[str]:
    return list(db.scalars(select(VorhabenTag.tag).where(VorhabenTag.vorhaben_id == vorhaben_id)))


def write_times(engine: Engine, ids: list[int]) -> list[float]:
    """Milliseconds to re-index one Vorhaben (flushed, then rolled back), as a write does."""
    factory = make_session_factory(engine)
    timings: list[float] = []
    for round_number in range(8):
        for vorhaben_id in ids:
            with factory() as db:
                vorhaben = db.get(Vorhaben, vorhaben_id)
                assert vorhaben is not None
                tags = tags_of(db, vorhaben_id)
                vorhaben.title = f"{vorhaben.title} Nachtrag{round_number}"
                db.flush()  # the Vorhaben's own row is not the index's cost
                started = time.perf_counter()
                index.index_vorhaben(db, vorhaben, tags)
                db.flush()
                elapsed = (time.perf_counter() - started) * 1000
                db.rollback()
            if round_number:
                timings.append(elapsed)
    return timings


if __name__ == "__main__":
    main()
