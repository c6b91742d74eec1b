"""Jinja environment and the one render() every HTML route uses.

One template serves the full page and the htmx fragment: pages extend `layout`, which is
`base.html` for a normal request and `fragment.html` (just the main block) for htmx.
"""

from __future__ import annotations

import functools
import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import markupsafe
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateSyntaxError,
    nodes,
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


# Template functions that translate, and how many of their first arguments are message ids.
_TRANSLATORS = {"_": 1, "gettext": 1, "ngettext": 2}


def _literal_message_ids(tree: nodes.Template, name: str | None, filename: str | None) -> None:
    """Refuse a template that hands anything but a literal message id to a translator:
    data (a reason, a label an admin typed) is translated with the `translate` filter."""
    called = {id(call.node) for call in tree.find_all(nodes.Call)}
    for call in tree.find_all(nodes.Call):
        if not isinstance(call.node, nodes.Name) or call.node.name not in _TRANSLATORS:
            continue
        ids = call.args[: _TRANSLATORS[call.node.name]]
        literal = len(ids) == _TRANSLATORS[call.node.name] and all(
            isinstance(arg, nodes.Const) and isinstance(arg.value, str) for arg in ids
        )
        if not literal or call.dyn_args is not None or call.dyn_kwargs is not None:
            raise TemplateSyntaxError(
                f"{call.node.name}() takes a literal message id; translate data with "
                "the `translate` filter",
                call.lineno,
                name,
                filename,
            )
    for reference in tree.find_all(nodes.Name):
        if reference.name in _TRANSLATORS and id(reference) not in called:
            raise TemplateSyntaxError(
                f"{reference.name} may only be called with a literal message id",
                reference.lineno,
                name,
                filename,
            )


class _Environment(Environment):
    """Checks every template as it is compiled (at start, see precompile())."""

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        _literal_message_ids(tree, name, filename)
        return tree


# Catalogue texts are escaped like any other text (none of them holds markup, so a
# translation cannot bring any either); Markup's % escapes every value put into them.
@pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    """The template's _(): a literal message id, translated, with escaped values."""
    if eval_ctx.autoescape:
        escaped = _escaped_translation(i18n.get_locale(), message)
        return escaped % variables if variables else escaped
    text = i18n.gettext(message)
    return text % variables if variables else text


# A page asks for a few hundred texts; the message ids are literals of the templates (checked
# as they are compiled) and the catalogues are loaded once, so each locale's escaped
# translation of each is looked up once per process.
@functools.cache
def _escaped_translation(locale: str, message: str) -> markupsafe.Markup:
    with i18n.using_locale(locale):
        return markupsafe.escape(i18n.gettext(message))


@pass_eval_context
def _ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any) -> str:
    """The template's ngettext(): like _(), with %(num)s the count."""
    text = i18n.plural_form(singular, plural, num)
    values = {"num": num, **variables}
    return (markupsafe.escape(text) if eval_ctx.autoescape else text) % values


def _translate(value: str | None) -> str:
    """Data that may name a catalogue text (a stage, a role, a reason from a fixed list),
    translated and returned as plain text: the template escapes it like any value."""
    return i18n.gettext(value) if value else ""


def _build_environment() -> Environment:
    env = _Environment(
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
    # {% trans %} blocks call gettext(message, **values) like _() does.
    env.newstyle_gettext = True  # type: ignore[attr-defined]
    env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    env.globals.update(
        static_url=static_url,
        format_when=i18n.format_when,
        format_day=i18n.format_day,
        format_number=i18n.format_number,
        get_locale=i18n.get_locale,
    )
    env.filters["when"] = i18n.format_when
    env.filters["day"] = i18n.format_day
    env.filters["clock"] = i18n.format_clock
    env.filters["instant"] = i18n.format_instant
    env.filters["number"] = i18n.format_number
    env.filters["megabytes"] = i18n.format_megabytes
    env.filters["translate"] = _translate
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
        "unread_messages": getattr(state, "unread_messages", 0),
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
