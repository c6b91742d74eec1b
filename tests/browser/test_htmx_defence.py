"""htmx as defence in depth (PRODUCT.md invariant 7): should markup ever slip into a page,
htmx evaluates no JavaScript, runs no script tags, requests no other host, and ignores
htmx attributes inside the containers of rendered user text (hx-disable)."""

from __future__ import annotations

from playwright.sync_api import Page, Request

from tests.browser.conftest import LiveServer


def _requests(page: Page) -> list[str]:
    seen: list[str] = []

    def remember(request: Request) -> None:
        seen.append(request.url)

    page.on("request", remember)
    return seen


def _inject(page: Page, selector: str, html: str) -> None:
    """Put markup into an element the way a slip in escaping would, and let htmx see it."""
    page.evaluate(
        """([selector, html]) => {
            const target = document.querySelector(selector);
            target.insertAdjacentHTML("beforeend", html);
            htmx.process(target);
        }""",
        [selector, html],
    )


def test_htmx_is_configured_to_run_no_code_and_ask_only_this_host(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/impressum")
    page.wait_for_function("window.htmx !== undefined")
    config = page.evaluate(
        "({allowEval: htmx.config.allowEval, allowScriptTags: htmx.config.allowScriptTags,"
        " selfRequestsOnly: htmx.config.selfRequestsOnly})"
    )
    assert config == {"allowEval": False, "allowScriptTags": False, "selfRequestsOnly": True}


def test_htmx_attributes_in_user_text_containers_do_nothing(
    page: Page, live_server: LiveServer
) -> None:
    """The legal page's Markdown sits in an hx-disable container: an element with hx-get
    and a load trigger inside it requests nothing; the same element outside it does (so
    the probe itself works)."""
    page.goto(live_server.url + "/impressum")
    page.wait_for_function("window.htmx !== undefined")
    requested = _requests(page)
    probe = '<span hx-get="/{path}" hx-trigger="load" hx-swap="none">x</span>'
    _inject(page, ".prose[hx-disable]", probe.format(path="inside-user-text"))
    _inject(page, "main", probe.format(path="outside-user-text"))
    page.wait_for_timeout(500)
    assert any(url.endswith("/outside-user-text") for url in requested), requested
    assert not any(url.endswith("/inside-user-text") for url in requested), requested


def test_htmx_evaluates_nothing_and_asks_no_other_host(page: Page, live_server: LiveServer) -> None:
    """js: values and other hosts are refused even outside the user-text containers (the
    page fixture fails on any CSP violation an eval attempt would cause)."""
    page.goto(live_server.url + "/impressum")
    page.wait_for_function("window.htmx !== undefined")
    requested = _requests(page)
    _inject(
        page,
        "main",
        '<span hx-get="/probe-eval" hx-vals=\'js:{x: (window.pwned = 1)}\' hx-trigger="load"'
        ' hx-swap="none">e</span>'
        '<span hx-get="https://elsewhere.example/" hx-trigger="load" hx-swap="none">o</span>',
    )
    page.wait_for_timeout(500)
    assert page.evaluate("window.pwned") is None
    assert not any("elsewhere.example" in url for url in requested), requested
