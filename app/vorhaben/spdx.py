"""Open-source licences offered in the form (SPDX identifiers of the common ones).

German names are marked with N_ and translated where the options are built."""

from __future__ import annotations

from app.i18n import N_

LICENSES: tuple[tuple[str, str], ...] = (
    ("EUPL-1.2", "European Union Public Licence 1.2"),
    ("AGPL-3.0-or-later", N_("GNU Affero General Public License 3.0 oder später")),
    ("AGPL-3.0-only", "GNU Affero General Public License 3.0"),
    ("GPL-3.0-or-later", N_("GNU General Public License 3.0 oder später")),
    ("GPL-3.0-only", "GNU General Public License 3.0"),
    ("GPL-2.0-or-later", N_("GNU General Public License 2.0 oder später")),
    ("LGPL-3.0-or-later", N_("GNU Lesser General Public License 3.0 oder später")),
    ("LGPL-2.1-or-later", N_("GNU Lesser General Public License 2.1 oder später")),
    ("MPL-2.0", "Mozilla Public License 2.0"),
    ("Apache-2.0", "Apache License 2.0"),
    ("MIT", "MIT License"),
    ("BSD-3-Clause", "BSD 3-Clause License"),
    ("BSD-2-Clause", "BSD 2-Clause License"),
    ("ISC", "ISC License"),
    ("Unlicense", "The Unlicense"),
    ("CC-BY-4.0", N_("Creative Commons Namensnennung 4.0")),
    (
        "CC-BY-SA-4.0",
        N_("Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0"),
    ),
    ("CC0-1.0", "Creative Commons Zero 1.0"),
    ("DL-DE-BY-2.0", N_("Datenlizenz Deutschland – Namensnennung 2.0")),
    ("DL-DE-ZERO-2.0", N_("Datenlizenz Deutschland – Zero 2.0")),
)
IDS = frozenset(identifier for identifier, _label in LICENSES)
