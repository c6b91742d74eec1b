"""Fill English translations into the catalogue from a JSON file {"German": "English"}.

Usage: python scripts/fill_translations.py translations.json [more.json ...]

For a plural entry the key is the German singular; the value is either one string (used for
both forms) or a list [singular, plural]. Entries already translated are kept unless the JSON
names them; the script reports what is still untranslated afterwards.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Message
from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/translations/en/LC_MESSAGES/messages.po"

Translation = str | tuple[str, str]


def _load(names: list[str]) -> dict[str, Translation]:
    """The wanted translations of all JSON files; later files win."""
    wanted: dict[str, Translation] = {}
    for name in names:
        data = json.loads(Path(name).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise SystemExit(f"{name}: expected a JSON object German -> English")
        for key, value in data.items():
            if isinstance(value, str):
                wanted[key] = value
            elif (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(form, str) for form in value)
            ):
                wanted[key] = (value[0], value[1])
            else:
                raise SystemExit(f"{name}: {key!r} needs a string or [singular, plural]")
    return wanted


def _apply(message: Message, value: Translation) -> str | None:
    """Set one entry's translation; returns a complaint if the value does not fit."""
    if isinstance(message.id, str):
        if not isinstance(value, str):
            return f"singular entry given plural forms: {message.id!r}"
        message.string = value
    else:
        message.string = (value, value) if isinstance(value, str) else value
    return None


def _translated(message: Message) -> bool:
    if message.string is None or isinstance(message.string, str):
        return bool(message.string)
    return all(message.string)


def main(argv: list[str]) -> int:
    wanted = _load(argv)
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    used: set[str] = set()
    problems: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in wanted:
            used.add(key)
            problem = _apply(message, wanted[key])
            if problem:
                problems.append(problem)
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, sort_output=True, width=76)
    for problem in problems:
        print("error:", problem)
    for key in sorted(set(wanted) - used):
        print("unknown msgid (not in catalogue):", key)
    for message in catalog:
        if message.id and not _translated(message):
            print("untranslated:", message.id)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
