"""The answer of every mention finder (a Vorhaben's discussion, a circle's topics, a
conversation): the suggestions for htmx, or without JavaScript a page of its own that shows
what to type. Who may be suggested is decided by the caller (app.notifications.mentions,
message_mentions)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request
from fastapi.responses import Response

from app.notifications.mentions import Candidate
from app.web.templating import is_htmx, render


def answer(
    request: Request,
    *,
    heading: str,
    query: str,
    candidates: Sequence[Candidate],
    url: str,
    back_href: str,
    back_text: str,
    explain: str,
    nobody: str,
    nav: str,
) -> Response:
    context = {
        "page_title": heading,
        "query": query,
        "candidates": candidates,
        "mention_url": url,
        "back_href": back_href,
        "back_text": back_text,
        "explain": explain,
        "nobody": nobody,
    }
    if is_htmx(request):
        return render(request, "notifications/_mention_suggestions.html", context)
    request.state.nav = nav
    return render(request, "notifications/mentions.html", context)
