"""Synonyms and abbreviations of municipal German, applied when a query is analyzed.

A group lists expressions that mean the same ("OZG = Onlinezugangsgesetz"). Expanding
queries, not documents, means an edited list takes effect with the next search, without
rebuilding the index. The default list ships here; the list administrators edit is stored
in the database (app.search.synonym_list) and passed in as `Synonyms.parse(text)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_GROUPS = 2_000
MAX_EXPRESSIONS = 12  # per group
MAX_EXPRESSION_LENGTH = 80


@dataclass(frozen=True)
class Synonyms:
    """Groups of expressions that mean the same; immutable and hashable."""

    groups: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, groups: Iterable[Iterable[str]]) -> Synonyms:
        """Groups with blank and repeated expressions removed, and groups of one dropped."""
        cleaned: list[tuple[str, ...]] = []
        for group in groups:
            seen: dict[str, None] = {}
            for expression in group:
                text = " ".join(expression.split())[:MAX_EXPRESSION_LENGTH]
                if text and text.casefold() not in {known.casefold() for known in seen}:
                    seen[text] = None
            if len(seen) >= 2:
                cleaned.append(tuple(seen)[:MAX_EXPRESSIONS])
        return cls(tuple(cleaned[:MAX_GROUPS]))

    @classmethod
    def parse(cls, text: str) -> Synonyms:
        """One group per line (split at line feeds only), its expressions separated by "="
        ("KI = künstliche Intelligenz"); lines starting with "#" are comments."""
        return cls.of(
            line.split("=") for line in text.split("\n") if not line.lstrip().startswith("#")
        )

    def to_text(self) -> str:
        """The groups in the form parse() reads."""
        return "\n".join(" = ".join(group) for group in self.groups)

    def __add__(self, other: Synonyms) -> Synonyms:
        return Synonyms.of((*self.groups, *other.groups))


# The list shipped, in the form administrators edit (app.search.synonym_list).
DEFAULT_TEXT = """
# Gesetze, Programme, Standards
OZG = Onlinezugangsgesetz = Online-Zugangsgesetz
EfA = Einer-für-Alle
DSGVO = Datenschutz-Grundverordnung = Datenschutzgrundverordnung
BITV = Barrierefreie-Informationstechnik-Verordnung
KRITIS = kritische Infrastruktur = kritische Infrastrukturen
BSI = Bundesamt für Sicherheit in der Informationstechnik
EU = Europäische Union
# Technik
KI = künstliche Intelligenz = AI = artificial intelligence
IT = Informationstechnik = Informationstechnologie
IoT = Internet der Dinge = Internet of Things
DMS = Dokumentenmanagement = Dokumentenmanagementsystem
E-Akte = elektronische Akte = digitale Akte
E-Rechnung = elektronische Rechnung = XRechnung
E-Payment = Online-Bezahlung = elektronische Bezahlung
GIS = Geoinformationssystem = Geografisches Informationssystem
RIS = Ratsinformationssystem
ISMS = Informationssicherheitsmanagement = Informationssicherheitsmanagementsystem
ISB = Informationssicherheitsbeauftragter
DSB = Datenschutzbeauftragter
CDO = Chief Digital Officer
API = Programmierschnittstelle
SSO = Single Sign-on = Einmalanmeldung
2FA = Zwei-Faktor-Authentifizierung
WLAN = WiFi = Funknetz
OSS = Open Source = quelloffene Software
Open Data = offene Daten
SaaS = Software as a Service
VR = virtuelle Realität = Virtual Reality
AR = erweiterte Realität = Augmented Reality
UX = Nutzerfreundlichkeit = Benutzerfreundlichkeit = Usability
Chatbot = virtueller Assistent = digitaler Assistent
Videokonferenz = Webkonferenz = Videocall
Homeoffice = mobiles Arbeiten = Telearbeit
BundID = Nutzerkonto Bund
Smart City = Smart Cities
# Verwaltung und Daseinsvorsorge
Bürgeramt = Bürgerbüro = Bürgerservice
Bauantrag = Baugenehmigung
Perso = Personalausweis
Kfz = Kraftfahrzeug
HR = Personalwesen = Personalverwaltung
Kita = Kindertagesstätte = Kindertageseinrichtung = Kindergarten
VHS = Volkshochschule
ÖGD = öffentlicher Gesundheitsdienst
Katastrophenschutz = Bevölkerungsschutz
Nachnutzung = Wiederverwendung
# Mobilität, Umwelt, Abfall
ÖPNV = Nahverkehr = öffentlicher Nahverkehr = öffentlicher Personennahverkehr
E-Mobilität = Elektromobilität
Ladesäule = Ladestation = Ladepunkt
Radverkehr = Fahrradverkehr
Breitbandausbau = Glasfaserausbau
Müll = Abfall
Mülltonne = Abfallbehälter = Abfalltonne
Wertstoffhof = Recyclinghof
Sperrmüll = Sperrgut
"""
DEFAULT_SYNONYMS = Synonyms.parse(DEFAULT_TEXT)
