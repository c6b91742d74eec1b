"""The municipality picker's template context (search results plus the current choice)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.municipalities import service
from app.municipalities.models import Municipality


def picker_context(db: Session, q: str, selected_ags: str) -> dict[str, object]:
    """Results for q, with the selected entry kept on top when the search moves on."""
    results: list[Municipality] = service.search(db, q) if q.strip() else []
    selected = service.get_by_ags(db, selected_ags) if selected_ags.strip() else None
    if selected is not None and all(entry.id != selected.id for entry in results):
        results.insert(0, selected)
    return {"q": q, "results": results, "selected_ags": selected_ags.strip()}


def runs_search(action: str, q: str, selected_ags: str) -> bool:
    """Whether a post of a form with the picker asks for the search: its search button, or a
    search text with no municipality chosen. Enter in the search field presses the form's
    default button (its main action), and without a municipality that action could only be
    refused, so the search is what the person asked for."""
    return action == "search" or (bool(q.strip()) and not selected_ags.strip())
