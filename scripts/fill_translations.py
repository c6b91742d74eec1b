"""Fill English translations into the catalogue from a JSON file {"German": "English"}.

Usage: python scripts/fill_translations.py translations.json
Entries already translated are kept unless the JSON names them; the script reports what is
still untranslated afterwards.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "app/translations/en/LC_MESSAGES/messages.po"


def main(argv: list[str]) -> int:
    wanted: dict[str, str] = {}
    for name in argv:
        wanted.update(json.loads(Path(name).read_text(encoding="utf-8")))
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in wanted:
            value = wanted[key]
            message.string = value if isinstance(message.id, str) else (value, value)
    with PO.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, sort_output=True, width=100)
    missing = [
        message.id
        for message in catalog
        if message.id
        and not (message.string if isinstance(message.string, str) else all(message.string))
    ]
    for item in missing:
        print("untranslated:", item)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
