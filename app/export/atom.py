"""The Atom feed (RFC 4287) of published projects, paged (RFC 5005), with deleted entries
(RFC 6721) for withdrawn ones."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from app.config import Settings
from app.export.serializer import rfc3339

ATOM = "http://www.w3.org/2005/Atom"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"
PAGE_SIZE = 50
MAX_PAGES = 20  # the latest 1,000 changes; the JSON feed carries everything

ET.register_namespace("", ATOM)
ET.register_namespace("at", TOMBSTONES)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def render(
    settings: Settings, items: list[dict[str, Any]], *, page: int, pages: int, updated: str
) -> bytes:
    """One page of the feed, newest changes first: the reader's items and tombstones."""
    base = settings.base_url
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, "id", f"{base}/feeds/projects.atom")
    _sub(feed, "title", "Allmende – veröffentlichte Vorhaben")
    _sub(feed, "subtitle", "Digitalisierungsvorhaben deutscher Kommunen")
    _sub(feed, "updated", updated)
    _sub(feed, "link", rel="self", href=f"{base}/feeds/projects.atom?page={page}")
    _sub(feed, "link", rel="first", href=f"{base}/feeds/projects.atom")
    _sub(feed, "link", rel="last", href=f"{base}/feeds/projects.atom?page={pages}")
    if page > 1:
        _sub(feed, "link", rel="previous", href=f"{base}/feeds/projects.atom?page={page - 1}")
    if page < pages:
        _sub(feed, "link", rel="next", href=f"{base}/feeds/projects.atom?page={page + 1}")
    _sub(feed, "generator", "Allmende")
    author = _sub(feed, "author")
    _sub(author, "name", "Allmende")
    for item in items:
        if item["deleted"]:
            tomb = ET.SubElement(
                feed,
                f"{{{TOMBSTONES}}}deleted-entry",
                {"ref": f"urn:uuid:{item['id']}", "when": str(item["modified"])},
            )
            ET.SubElement(tomb, f"{{{TOMBSTONES}}}comment").text = "Zurückgezogen / withdrawn"
            continue
        _entry(feed, item)
    rendered: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return rendered


def _entry(feed: ET.Element, item: dict[str, Any]) -> None:
    element = _sub(feed, "entry")
    _sub(element, "id", f"urn:uuid:{item['id']}")
    _sub(element, "title", item["title"])
    _sub(element, "updated", item["modified"])
    _sub(element, "published", item["created"])
    _sub(element, "link", rel="alternate", type="text/html", href=item["url"])
    author = _sub(element, "author")
    _sub(author, "name", item["municipality"]["name"])
    if item["summary"]:
        _sub(element, "summary", item["summary"])
    _sub(element, "content", item["description_html"], type="html")
    _sub(element, "rights", rights(item))
    for slug in item["fields_of_action"]:
        _sub(element, "category", term=slug, label=slug)
    _sub(element, "category", term=f"stage:{item['stage']}", label=item["stage"])


# What a reader of the feed may do with an entry, in the words of its licence.
RIGHTS = {
    "CC-BY-4.0": "CC BY 4.0 – {name}",
    "CC0-1.0": "CC0 1.0 – {name}",
    "all-rights-reserved": "© {name}. Alle Rechte vorbehalten / all rights reserved",
}


def rights(item: dict[str, Any]) -> str:
    """The entry's atom:rights: the licence, whom to credit, and where the licence is."""
    text = RIGHTS[item["license_id"]].format(name=item["municipality"]["name"])
    return f"{text} ({item['license']})" if item["license"] else text


__all__ = ["MAX_PAGES", "PAGE_SIZE", "render", "rfc3339"]
