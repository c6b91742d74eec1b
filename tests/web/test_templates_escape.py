"""Text is data, at the level of the templates and the code that makes markup.

- Every template renders with every value hostile, and nothing of it becomes markup.
- A translator takes only a literal message id: a template that hands `_()`, `gettext` or
  `ngettext` a value does not compile (so data cannot be trusted as catalogue text).
- `|safe` is used only on what the Markdown sanitizer wrote, inside an hx-disable container.
- In app/, Markup is built only from literal markup (or by the sanitizer's render_markup).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jinja2 import TemplateSyntaxError, meta
from jinja2.runtime import Macro
from markupsafe import Markup

from app import i18n
from app.core import markdown
from app.search import highlight
from app.vorhaben import diff
from app.web import templating
from app.web.templating import ROOT, environment
from tests.web.hostile import EVALUATED, findings, hostile, text_of

TEMPLATES = sorted(environment.list_templates())
# Columns written only with app.core.markdown.render().
SANITIZED = ("body_html", "description_html", "lessons_learned_html")


class Hostile:
    """Any value a template asks for: its text is hostile, its attributes and items are
    more of it, it iterates as two of it (so `for a, b in x.items()` works)."""

    def __init__(self, path: str) -> None:
        self._path = path

    def __str__(self) -> str:
        return hostile("tpl")

    def __getattr__(self, name: str) -> Hostile | Markup:
        if name.startswith("__"):
            raise AttributeError(name)
        if name.endswith(SANITIZED):
            return markdown.render_markup(hostile("tpl"))
        return Hostile(f"{self._path}.{name}")

    def __getitem__(self, key: object) -> Hostile:
        return Hostile(f"{self._path}[{key}]")

    def __call__(self, *args: object, **kwargs: object) -> Hostile:
        return Hostile(f"{self._path}()")

    def __iter__(self) -> Iterator[Hostile]:
        return iter([Hostile(f"{self._path}[0]"), Hostile(f"{self._path}[1]")])

    def __len__(self) -> int:
        return 2

    def __bool__(self) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return id(self)

    def __lt__(self, other: object) -> bool:
        return False

    __gt__ = __le__ = __ge__ = __lt__

    def __index__(self) -> int:
        return 1

    def __contains__(self, item: object) -> bool:
        return False

    def __add__(self, other: object) -> Hostile:
        return self

    __radd__ = __sub__ = __rsub__ = __mul__ = __add__


def _tolerant(original: Callable[..., Any]) -> Callable[..., Any]:
    def apply(value: Any, *args: Any, **kwargs: Any) -> Any:
        return str(value) if isinstance(value, Hostile) else original(value, *args, **kwargs)

    return apply


def _undeclared(name: str, seen: set[str] | None = None) -> set[str]:
    """The names a template (and what it extends, includes or imports) reads."""
    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    source = environment.loader.get_source(environment, name)[0]  # type: ignore[union-attr]
    tree = environment.parse(source)
    names = set(meta.find_undeclared_variables(tree))
    for other in meta.find_referenced_templates(tree):
        names |= _undeclared(other or "base.html", seen)
    return names


@pytest.fixture(scope="module")
def hostile_environment() -> Any:
    env = environment.overlay()
    # overlay() shares the filter and global dicts with the app's environment: changing
    # them in place made every later test in this process render with tolerant filters.
    env.filters = dict(environment.filters)
    env.globals = dict(environment.globals)
    for name in ("when", "day", "number", "megabytes", "tojson", "translate"):
        if name in environment.filters:
            env.filters[name] = _tolerant(environment.filters[name])
    for name, function in (
        ("format_when", i18n.format_when),
        ("format_day", i18n.format_day),
        ("format_number", i18n.format_number),
    ):
        env.globals[name] = _tolerant(function)
    return env


# Values that say how to render, not what: a heading level, a layout, the language.
STRUCTURE = {"layout": "base.html", "htmx": False, "locale": "de", "heading_level": 2}
# Templates that show no value of their own (links and headings only).
NOTHING_TO_SHOW = {"moderation/_subnav.html"}


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_renders_hostile_values_as_text(hostile_environment: Any, name: str) -> None:
    """The template, and each macro it defines, with every value it reads hostile."""
    context: dict[str, Any] = {
        variable: Hostile(variable)
        for variable in _undeclared(name)
        if variable not in environment.globals
    }
    context.update(STRUCTURE)
    template = hostile_environment.get_template(name)
    renderings = [template.render(context)]
    module = template.make_module(context)
    for macro in vars(module).values():
        if isinstance(macro, Macro):
            values = {argument: Hostile(argument) for argument in macro.arguments}
            renderings.append(macro(**values))
    for rendered in renderings:
        assert EVALUATED not in rendered
        if name.endswith(".html"):
            assert findings(rendered) == []
    if name.endswith(".html") and name not in NOTHING_TO_SHOW:
        assert 'data-hostile="tpl"' in text_of("".join(renderings)), "the values were shown"


# -- translators take literal message ids ------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ _(reason) }}",
        "{{ _(target.hidden_reason) }}",
        "{{ gettext(label) }}",
        '{{ _("Begründung: " ~ reason) }}',
        "{{ _(*reasons) }}",
        "{{ _(message=reason) }}",
        '{{ _("Rolle: %(role)s", role=_(role)) }}',
        '{{ ngettext(one, "%(num)s Treffer", 2) }}',
        "{% set _ = 1 %}",
        "{{ labels | map(_) | join }}",
    ],
)
def test_a_template_cannot_translate_data(source: str) -> None:
    """Data given to a translator would be trusted as our catalogue text."""
    with pytest.raises(TemplateSyntaxError, match="literal message id"):
        environment.from_string(source)


def test_every_template_translates_only_literal_message_ids() -> None:
    """Every template compiles (the check runs at compile time, see templating.precompile)
    and no template source passes a value to a translator."""
    templating.precompile()
    pattern = re.compile(r"""(?<![\w.])(?:_|gettext|ngettext)\(\s*(?!["'])""")
    offenders = [
        f"{name}: {match.group(0)}"
        for name in TEMPLATES
        for match in pattern.finditer((ROOT / "templates" / name).read_text())
    ]
    assert offenders == []


def test_translations_and_data_are_escaped() -> None:
    values = {"reason": '<b data-hostile="x">', "label": "<i>Bildung</i>"}
    rendered = environment.from_string(
        '{{ _("Begründung: %(reason)s", reason=reason) }} {{ label | translate }}'
        ' {{ _("Rolle: %(role)s", role=label | translate) }}'
        ' {{ ngettext("%(num)s von %(who)s", "%(num)s von %(who)s", 2, who=reason) }}'
    ).render(values)
    assert "<b" not in rendered and "<i>" not in rendered
    assert "Begründung: &lt;b data-hostile=&#34;x&#34;&gt;" in rendered
    assert "2 von &lt;b" in rendered
    # A text mail is not HTML: there the values stay as they were typed.
    text = environment.overlay(autoescape=False).from_string(
        '{{ _("Begründung: %(reason)s", reason=reason) }}'
    )
    assert text.render(values) == 'Begründung: <b data-hostile="x">'


# -- |safe and Markup --------------------------------------------------------------------------


def test_safe_only_on_sanitizer_output_inside_hx_disable() -> None:
    """`|safe` marks HTML as ours: only the Markdown sanitizer's output may be, and its
    container tells htmx to leave it alone."""
    offenders = []
    for name in TEMPLATES:
        source = (ROOT / "templates" / name).read_text()
        for match in re.finditer(r"\{\{\s*([\w.]+)\s*\|\s*safe\s*\}\}", source):
            before = source[: match.start()]
            container = before[before.rfind("<") :]
            if not match.group(1).endswith(SANITIZED) or "hx-disable" not in container:
                offenders.append(f"{name}: {container}{match.group(0)}")
        if re.search(r"\|\s*safe\b(?!\s*\}\})|autoescape\s+false|Markup", source):
            offenders.append(f"{name}: other trusted markup")
    assert offenders == []


def _markup_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            name = function.attr if isinstance(function, ast.Attribute) else None
            name = function.id if isinstance(function, ast.Name) else name
            if name == "Markup":
                yield node


# Markup made from text that is not literal: the sanitizer's output, and rendered
# templates (autoescaped) put into a page; each with the reason it is safe.
TRUSTED = {
    ("app/core/markdown.py", "render_markup"): "nh3 output",
}


def test_markup_is_built_only_from_literal_markup() -> None:
    """Markup(value) would trust whatever the value holds; only literal strings (whose
    format and join escape what goes into them) and the listed renderings may be Markup."""
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text())
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        for call in _markup_calls(tree):
            literal = all(
                isinstance(arg, ast.Constant) and isinstance(arg.value, str) for arg in call.args
            )
            owner = next(
                (
                    function.name
                    for function in functions
                    if function.lineno <= call.lineno <= (function.end_lineno or 0)
                ),
                "",
            )
            if not literal and (relative, owner) not in TRUSTED:
                offenders.append(f"{relative}:{call.lineno} in {owner or 'module'}")
    assert offenders == []


def test_markup_helpers_escape_what_goes_into_them() -> None:

    marked = highlight.mark('<b data-hostile="m">Müll</b>', ["mull"])
    assert marked == Markup("&lt;b data-hostile=&#34;m&#34;&gt;<mark>Müll</mark>&lt;/b&gt;")
    [change] = diff.changes({"title": "<i>alt</i>"}, {"title": '<b data-hostile="d">neu'})
    assert findings(change.before + change.after) == []
    assert "<del>&lt;i&gt;alt&lt;/i&gt;</del>" in change.before
