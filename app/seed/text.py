"""German texts assembled from templates: titles, summaries, descriptions, comments."""

from __future__ import annotations

import random
import re
import unicodedata

from app.seed import vocab
from app.seed.topics import Topic

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ł": "l"})
_NON_SLUG = re.compile(r"[^a-z0-9]+")

TITLE_PATTERNS = (
    "{name}",
    "{name} in {place}",
    "Pilotprojekt: {name}",
    "{name} – {phase}",
    "Interkommunal: {name}",
    "{name} mit Open-Source-Komponenten",
    "Einführung: {name} für {scope}",
    "{name} für {scope}",
    "Neustart: {name} in {place}",
    "{name} ({year})",
)
PHASES = (
    "Phase 2",
    "Konzept und Pilot",
    "Ausschreibung und Einführung",
    "Erfahrungen aus dem ersten Jahr",
    "gemeinsame Beschaffung",
    "Ausweitung auf alle Standorte",
)
SCOPES = (
    "die Kernverwaltung",
    "alle Ortsteile",
    "den ländlichen Raum",
    "kleine Gemeinden",
    "das Bürgeramt",
    "die ganze Region",
    "Schulen und Kitas",
)
STAGE_SENTENCES = {
    "idee": "Noch ist es eine Idee – wir suchen Kommunen, die Erfahrungen teilen.",
    "konzept": "Ein erstes Konzept liegt im Entwurf vor und wird gerade abgestimmt.",
    "pilot": "Seit einigen Monaten testen wir das in einem Pilotbereich.",
    "umsetzung": "Die Umsetzung läuft, der Abschluss ist für das kommende Jahr geplant.",
    "betrieb": "Die Lösung ist im Regelbetrieb und wird laufend verbessert.",
    "abgeschlossen": "Das Vorhaben ist abgeschlossen; wir teilen gern unsere Erfahrungen.",
    "eingestellt": "Wir haben das Vorhaben eingestellt und schreiben auf, warum.",
}
REPLY_OPENERS = (
    "Danke für die Rückfrage!",
    "Bei uns war es genau andersherum:",
    "Gute Frage, das haben wir uns auch gefragt.",
    "Dem kann ich nur zustimmen.",
)


def slugify(value: str) -> str:
    """ASCII slug for mail domains and URLs: Jörg Müller → joerg-mueller."""
    lowered = value.lower().translate(_TRANSLIT)
    ascii_only = "".join(
        char for char in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(char)
    )
    return _NON_SLUG.sub("-", ascii_only).strip("-")


def _slots(rng: random.Random, topic: Topic, year: int) -> dict[str, str]:
    return {
        "dept": rng.choice(vocab.DEPARTMENTS),
        "n": str(rng.randint(4, 60)),
        "n_small": str(rng.randint(3, 18)),
        "big": f"{rng.randint(2, 90) * 500:,}".replace(",", "."),
        "money": f"{rng.randint(8, 400) * 1000:,}".replace(",", "."),
        "pct": str(rng.randint(10, 60)),
        "month": rng.choice(vocab.MONTHS),
        "year": str(rng.randint(year - 3, year)),
        "partner": rng.choice(vocab.PARTNERS),
        "system": rng.choice(vocab.SYSTEMS),
        "funding": rng.choice(vocab.FUNDING),
        "short": topic.short,
    }


def _fill(rng: random.Random, template: str, topic: Topic, year: int) -> str:
    return template.format_map(_slots(rng, topic, year))


def _capital(value: str) -> str:
    return value[:1].upper() + value[1:]


def title(rng: random.Random, topic: Topic, place: str, year: int) -> str:
    """A title of 30 to 100 characters."""
    for _ in range(12):
        candidate = rng.choice(TITLE_PATTERNS).format(
            name=topic.name,
            place=place,
            phase=rng.choice(PHASES),
            scope=rng.choice(SCOPES),
            year=rng.randint(year - 2, year + 1),
        )
        if 30 <= len(candidate) <= 100:
            return candidate
    fallback = f"{topic.name} – {rng.choice(PHASES)}"
    return fallback if len(fallback) >= 30 else f"{fallback} in der Verwaltung"


def summary(rng: random.Random, topic: Topic, stage: str, year: int) -> str:
    """One to three sentences, 100 to 400 characters."""
    goals = rng.sample(topic.goals, k=min(2, len(topic.goals)))
    parts = []
    if rng.random() < 0.6:
        parts.append(topic.problem)
    parts.append(f"Wir wollen {' und '.join(goals)}.")
    if rng.random() < 0.7:
        parts.append(STAGE_SENTENCES[stage])
    text = " ".join(parts)
    while len(text) < 100:
        text += " " + _fill(rng, rng.choice(vocab.CONTEXT_SENTENCES), topic, year)
    while len(text) > 400 and len(parts) > 1:
        parts.pop(0)
        text = " ".join(parts)
    return text[:400]


def _sentences(rng: random.Random, topic: Topic, year: int, count: int) -> str:
    chosen = rng.sample(vocab.CONTEXT_SENTENCES, k=min(count, len(vocab.CONTEXT_SENTENCES)))
    return " ".join(_fill(rng, sentence, topic, year) for sentence in chosen)


def _section(rng: random.Random, topic: Topic, year: int, name: str, depth: int) -> str:
    if name == "Ausgangslage":
        return f"## Ausgangslage\n\n{topic.problem} {_sentences(rng, topic, year, depth + 1)}"
    if name == "Ziele":
        items = "\n".join(f"- {_capital(goal)}" for goal in topic.goals)
        return f"## Ziele\n\n{items}"
    if name == "Vorgehen":
        steps = rng.sample(topic.measures, k=rng.randint(2, len(topic.measures)))
        items = "\n".join(f"{index}. {step}" for index, step in enumerate(steps, 1))
        return f"## Vorgehen\n\n{items}\n\n{_sentences(rng, topic, year, depth)}".rstrip()
    if name == "Beteiligte":
        lead = f"Wir arbeiten mit {rng.choice(vocab.PARTNERS)} und dem "
        lead += f"{rng.choice(vocab.DEPARTMENTS)} zusammen."
        return f"## Beteiligte\n\n{lead} {_sentences(rng, topic, year, depth)}".rstrip()
    if name == "Zeitplan":
        start = rng.randint(year - 2, year)
        items = "\n".join(
            f"- **{rng.choice(vocab.MONTHS)} {start + index}:** {step}"
            for index, step in enumerate(rng.sample(topic.measures, k=3))
        )
        return f"## Zeitplan\n\n{items}"
    if name == "Kosten und Finanzierung":
        money = f"{rng.randint(20, 2500) * 1000:,}".replace(",", ".")
        lead = f"Wir rechnen mit Gesamtkosten von rund **{money} €**."
        return f"## Kosten und Finanzierung\n\n{lead} {_sentences(rng, topic, year, depth)}"
    if name == "Stand":
        chosen = rng.sample(vocab.STATUS_SENTENCES, k=2)
        return "## Stand\n\n" + " ".join(_fill(rng, entry, topic, year) for entry in chosen)
    questions = rng.sample(vocab.OPEN_QUESTIONS, k=3)
    return "## Offene Fragen\n\n" + "\n".join(f"- {question}" for question in questions)


OPTIONAL_SECTIONS = ("Beteiligte", "Zeitplan", "Kosten und Finanzierung", "Stand", "Offene Fragen")


def description(rng: random.Random, topic: Topic, year: int) -> str:
    """Markdown with ## headings and lists, 500 to 4,000 characters."""
    target = int(min(4000, max(500, rng.lognormvariate(7.25, 0.55))))
    depth = 1 + target // 900
    sections = [_section(rng, topic, year, name, depth) for name in ("Ausgangslage", "Ziele")]
    sections.append(_section(rng, topic, year, "Vorgehen", depth))
    optional = list(OPTIONAL_SECTIONS)
    rng.shuffle(optional)
    for name in optional:
        if sum(len(part) + 2 for part in sections) >= target:
            break
        sections.append(_section(rng, topic, year, name, depth))
    text = "\n\n".join(sections)
    while len(text) < target - 200:
        more = f"## Hintergrund\n\n{_sentences(rng, topic, year, 4)}"
        if len(text) + len(more) + 2 > 4000:
            break
        text += "\n\n" + more
    while len(text) > 4000:
        text = text.rsplit("\n\n", 1)[0]
    return text


def lessons_learned(rng: random.Random) -> str:
    good, bad = rng.sample(vocab.LESSONS, k=2), rng.sample(vocab.LESSONS, k=2)
    return (
        "## Was gut lief\n\n"
        + "\n".join(f"- {entry}" for entry in good)
        + "\n\n## Was wir anders machen würden\n\n"
        + "\n".join(f"- {entry}" for entry in bad)
    )


def comment(rng: random.Random, topic: Topic, year: int) -> str:
    """A comment of 50 to 1,500 characters, sometimes with a list or emphasis."""
    target = int(min(1500, max(50, rng.lognormvariate(5.6, 0.8))))
    parts: list[str] = []
    if rng.random() < 0.6:
        parts.append(rng.choice(vocab.COMMENT_OPENERS + REPLY_OPENERS))
    pools = (vocab.COMMENT_QUESTIONS, vocab.COMMENT_EXPERIENCES, vocab.COMMENT_OFFERS)
    used: set[str] = set()
    while sum(len(part) + 1 for part in parts) < target and len(used) < 20:
        template = rng.choice(rng.choices(pools, weights=(4, 5, 1))[0])
        if template not in used:
            used.add(template)
            parts.append(_fill(rng, template, topic, year))
    body = " ".join(parts)
    if len(body) > 400 and rng.random() < 0.3:
        items = rng.sample(vocab.COMMENT_EXPERIENCES, k=3)
        listing = "\n".join(f"- {_fill(rng, item, topic, year)}" for item in items)
        body = f"{body[: len(body) // 2].rsplit('. ', 1)[0]}.\n\nUnsere Erfahrungen:\n\n{listing}"
    elif rng.random() < 0.15:
        body = body.replace(topic.short, f"**{topic.short}**", 1)
    closer = rng.choice(vocab.COMMENT_CLOSERS)
    if closer:
        body += f"\n\n{closer}"
    if len(body) > 1500:
        body = body[:1500].rsplit(" ", 1)[0]
    return body
