"""A signed-in device in words ("Chrome 131 unter Windows") from its user-agent string,
read with ua-parser (the maintained port of the uap-core rules)."""

from __future__ import annotations

from functools import lru_cache

from app.i18n import gettext as _

# Systems named by the device rather than the system ("auf iPhone (iOS)").
_HANDHELD = {"iOS", "Android", "iPadOS"}


def describe(user_agent: str | None) -> str:
    """Browser, version and system of a user agent in the reader's language."""
    if not user_agent or not user_agent.strip():
        return _("unbekannt")
    browser, version, system, device = _parsed(user_agent[:300])
    if not browser:
        return _("Unbekannter Browser")
    name = f"{browser} {version}".strip()
    if not system:
        return name
    if system in _HANDHELD and device and device != "Other" and not device.startswith("Generic"):
        return _(
            "%(browser)s auf %(device)s (%(system)s)", browser=name, device=device, system=system
        )
    return _("%(browser)s unter %(system)s", browser=name, system=system)


@lru_cache(maxsize=1024)
def _parsed(user_agent: str) -> tuple[str, str, str, str]:
    # Imported on first use: its rules take 6 MB that a worker needs only for the devices page.
    from ua_parser import parse  # noqa: PLC0415

    result = parse(user_agent)
    agent, system, device = result.user_agent, result.os, result.device
    return (
        agent.family if agent and agent.family != "Other" else "",
        agent.major or "" if agent else "",
        system.family if system and system.family != "Other" else "",
        device.family if device else "",
    )
