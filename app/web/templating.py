"""Jinja environment and the one render() every HTML route uses.

One template serves the full page and the htmx fragment: pages extend `layout`, which is
`base.html` for a normal request and `fragment.html` (just the main block) for htmx.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import markupsafe
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from app import i18n
from app.web import csrf, flash

ROOT = Path(__file__).resolve().parent.parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"


@cache
def static_version(path: str) -> str:
    """A short content hash, so static URLs can be cached forever and still change."""
    file = (STATIC_DIR / path).resolve()
    if not file.is_relative_to(STATIC_DIR) or not file.is_file():
        return "0"
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12]


def static_url(path: str) -> str:
    return f"/static/{path}?v={static_version(path)}"


def is_htmx(request: Request) -> bool:
    """A request htmx made to swap part of a page (not a boosted full navigation)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _stage_label(value: str) -> str:
    from app.vorhaben.models import STAGE_LABELS, Stage

    try:
        return STAGE_LABELS[Stage(value)]
    except ValueError:
        return value


@pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    """Jinja's newstyle gettext without its wrappers (a page calls it a few hundred times):
    the translation is trusted markup, the variables are escaped into it."""
    text = i18n.gettext(message)
    if eval_ctx.autoescape:
        text = markupsafe.Markup(text)  # noqa: S704 - our own catalogue, not user input
    return text % variables if variables else text


def _build_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(("html", "xml")),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates change only with a new release, which restarts the server; checking
        # every template file's mtime on every render cost 3 % of a page.
        auto_reload=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True
    )
    env.globals.update(gettext=_gettext, _=_gettext)
    env.globals.update(
        static_url=static_url,
        format_when=i18n.format_when,
        format_day=i18n.format_day,
        format_number=i18n.format_number,
        get_locale=i18n.get_locale,
    )
    env.filters["when"] = i18n.format_when
    env.filters["day"] = i18n.format_day
    env.filters["number"] = i18n.format_number
    env.filters["stage_label"] = _stage_label
    return env


environment = _build_environment()
templates = Jinja2Templates(env=environment)


def precompile() -> None:
    """Load every template now rather than at its first request (a server's start)."""
    for name in environment.list_templates():
        environment.get_template(name)


def base_context(request: Request) -> dict[str, Any]:
    """What every page needs: the viewer, the CSRF token, settings, layout."""
    state = request.state
    htmx = is_htmx(request)
    return {
        "request": request,
        "htmx": htmx,
        "layout": "fragment.html" if htmx else "base.html",
        "csrf_token": csrf.request_token(request),
        "viewer": getattr(state, "viewer", None),
        "settings": request.app.state.settings,
        "locale": i18n.get_locale(),
        "nav": getattr(state, "nav", ""),
        "unread_count": getattr(state, "unread_count", 0),
        "flash": flash.peek(request),
    }


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a page (or its fragment for htmx) with the base context."""
    full_context = base_context(request)
    if context:
        full_context.update(context)
    response = templates.TemplateResponse(
        request, template, full_context, status_code=status_code, headers=headers
    )
    if full_context["htmx"]:
        response.headers["Vary"] = "HX-Request"
    if full_context["flash"]:
        flash.consume(request, response)
    return response


def render_string(template: str, context: dict[str, Any]) -> str:
    """Render a template outside a request (mails)."""
    return environment.get_template(template).render(context)


def markup(html: str) -> markupsafe.Markup:
    """Trust HTML that our own sanitizer produced."""
    return markupsafe.Markup(html)  # noqa: S704 - only called on nh3 output
