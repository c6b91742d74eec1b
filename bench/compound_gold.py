"""Hand-labelled compounds for comparing compound splitters (bench/compounds.py).

CORPUS: words from the demo content (app/demo_data/content.json) and the seed vocabulary
(app/seed/), labelled with the parts a searcher would type, in dictionary form; an
empty tuple marks a word that must stay whole (a derivation such as "Verwaltung", or a
compound nobody reads as two words, such as "Schnittstelle"). Words whose split is
debatable ("Haltestelle", "Bauleitplanung") were left out rather than labelled either way.

HELD_OUT: compounds that do not occur in that content, written down before the
lexicon was tuned on CORPUS, to show how the lexicon does on words it was not fitted to.
"""

from __future__ import annotations


def _gold(text: str) -> dict[str, tuple[str, ...]]:
    """Lines "Wort: Teil Teil" (no parts: stays whole)."""
    gold: dict[str, tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        word, _, parts = line.partition(":")
        gold[word.strip()] = tuple(parts.split())
    return gold


CORPUS = _gold(
    """
Abfallkalender: Abfall Kalender
Abfallwirtschaftsbetrieb: Abfall Wirtschaft Betrieb
Abfuhrtermine: Abfuhr Termin
Aktenzeichen: Akte Zeichen
Glascontainer: Glas Container
Amtsleitung: Amt Leitung
Antragsplattform: Antrag Plattform
Antragsportal: Antrag Portal
Arbeitsgruppe: Arbeit Gruppe
Arbeitsplatz: Arbeit Platz
Aufenthaltstitel: Aufenthalt Titel
Ausschreibungsunterlagen: Ausschreibung Unterlage
Bauantragsportal: Bau Antrag Portal
Bauaufsichtsbehörde: Bau Aufsicht Behörde
Baumbewässerung: Baum Bewässerung
Bearbeitungszeit: Bearbeitung Zeit
Begleitforschung: begleiten Forschung
Beratungsstellen: Beratung Stelle
Beteiligungsplattform: Beteiligung Plattform
Beteiligungsverfahren: Beteiligung Verfahren
Betriebskosten: Betrieb Kosten
Bewegungssensoren: Bewegung Sensor
Bewässerungssteuerung: Bewässerung Steuerung
Bilderkennung: Bild Erkennung
Bodenfeuchtesensoren: Boden Feuchte Sensor
Brandschutz: Brand Schutz
Bürgerbeteiligung: Bürger Beteiligung
Bürgerhaushalt: Bürger Haushalt
Bürgerportal: Bürger Portal
Bürgerservice: Bürger Service
Datenplattform: Daten Plattform
Datenqualität: Daten Qualität
Datenschutzbeauftragte: Daten Schutz Beauftragte
Denkmalschutz: Denkmal Schutz
Dienstvereinbarung: Dienst Vereinbarung
Digitalisierungsstrategie: Digitalisierung Strategie
Dokumentenmanagementsystem: Dokument Management System
Elternkommunikation: Eltern Kommunikation
Energieverbrauch: Energie Verbrauch
Erfahrungsaustausch: Erfahrung Austausch
Fachverfahren: Fach Verfahren
Förderprogramm: fördern Programm
Gesundheitsamt: Gesundheit Amt
Gewerbeanmeldung: Gewerbe Anmeldung
Gewerbeflächen: Gewerbe Fläche
Glasfaserausbau: Glas Faser Ausbau
Grünflächenamt: grün Fläche Amt
Grundschulen: Grund Schule
Hitzeaktionsplan: Hitze Aktion Plan
Informationssicherheit: Information Sicherheit
Informationssicherheitsbeauftragter: Information Sicherheit Beauftragter
Jugendschutz: Jugend Schutz
Katastrophenschutz: Katastrophe Schutz
Klimaanpassung: Klima Anpassung
Klimaschutz: Klima Schutz
Kreisverwaltung: Kreis Verwaltung
Landesportal: Land Portal
Lernplattform: lernen Plattform
Lizenzkosten: Lizenz Kosten
Luftqualität: Luft Qualität
Machbarkeitsstudie: Machbarkeit Studie
Markterkundung: Markt Erkundung
Mobilitätsplattform: Mobilität Plattform
Nachbargemeinden: Nachbar Gemeinde
Nahverkehrsplan: nah Verkehr Plan
Öffnungszeiten: Öffnung Zeit
Organisationsentwicklung: Organisation Entwicklung
Papierakten: Papier Akte
Parkraumbewirtschaftung: Park Raum Bewirtschaftung
Personalkosten: Personal Kosten
Pflegeeinrichtungen: Pflege Einrichtung
Pflegeberatung: Pflege Beratung
Pilotprojekt: Pilot Projekt
Projektleitung: Projekt Leitung
Prozessoptimierung: Prozess Optimierung
Rahmenvertrag: Rahmen Vertrag
Ratsinformationssystem: Rat Information System
Rechnungsbearbeitung: Rechnung Bearbeitung
Redaktionssystem: Redaktion System
Rettungsdienst: Rettung Dienst
Schulträger: Schule Träger
Schulverwaltungsamt: Schule Verwaltung Amt
Sensordaten: Sensor Daten
Spracherkennung: Sprache Erkennung
Sprachmodell: Sprache Modell
Stadtbibliothek: Stadt Bibliothek
Stadtentwicklung: Stadt Entwicklung
Stadtverwaltung: Stadt Verwaltung
Straßenbeleuchtung: Straße Beleuchtung
Straßenlaternen: Straße Laterne
Stromverbrauch: Strom Verbrauch
Terminvergabe: Termin Vergabe
Ticketsystem: Ticket System
Tourenplanung: Tour Planung
Verkehrsunternehmen: Verkehr Unternehmen
Verwaltungsleistungen: Verwaltung Leistung
Wartezeiten: warten Zeit
Wetterdaten: Wetter Daten
Wirtschaftsförderung: Wirtschaft Förderung
Wissensdatenbank: Wissen Daten Bank
Wissensmanagement: Wissen Management
Zeitreihendatenbank: Zeit Reihe Daten Bank
Personalvertretung: Personal Vertretung
Leistungsverzeichnis: Leistung Verzeichnis
Digitalisierung:
Verwaltung:
Beteiligung:
Ausschreibung:
Bearbeitung:
Informationen:
Infrastruktur:
Kommunikation:
Unterstützung:
Veranstaltungen:
Verantwortung:
Entscheidung:
Dokumentation:
Finanzierung:
Beschaffung:
Erfahrungen:
Herausforderungen:
Bevölkerung:
Transparenz:
Kooperation:
Integration:
Visualisierung:
Veröffentlichung:
Schnittstelle:
Abhängigkeit:
Anforderungen:
Voraussetzung:
Verzögerung:
Übersetzung:
Unternehmen:
Bibliotheken:
Vereinbarung:
Konfiguration:
Beobachtung:
Stellungnahme:
"""
)

HELD_OUT = _gold(
    """
Hundesteuer: Hund Steuer
Friedhofsverwaltung: Friedhof Verwaltung
Kitaplätze: Kita Platz
Elterngeldantrag: Eltern Geld Antrag
Personalausweis: Personal Ausweis
Meldebescheinigung: melden Bescheinigung
Geburtsurkunde: Geburt Urkunde
Gewerbesteuer: Gewerbe Steuer
Grundsteuerreform: Grund Steuer Reform
Bädersanierung: Bad Sanierung
Ratssitzung: Rat Sitzung
Sitzungsdienst: Sitzung Dienst
Wahlhelfer: Wahl Helfer
Briefwahlantrag: Brief Wahl Antrag
Schulentwicklungsplan: Schule Entwicklung Plan
Radverkehrskonzept: Rad Verkehr Konzept
Ladesäulen: laden Säule
Ladeinfrastruktur: laden Infrastruktur
Stadtwerke: Stadt Werk
Wärmeplanung: Wärme Planung
Kinderbetreuung: Kind Betreuung
Jugendamt: Jugend Amt
Sozialleistungen: sozial Leistung
Einwohnermeldeamt: Einwohner melden Amt
Bürgerbüro: Bürger Büro
Vergabeverfahren: Vergabe Verfahren
Haushaltsplanung: Haushalt Planung
Posteingangsbearbeitung: Post Eingang Bearbeitung
Aktenvernichtung: Akte Vernichtung
Datenstrategie: Daten Strategie
Cloudstrategie: Cloud Strategie
Softwareentwicklung: Software Entwicklung
Netzausbau: Netz Ausbau
Funkmast: Funk Mast
Winterdienst: Winter Dienst
Straßenreinigung: Straße Reinigung
Lärmschutz: Lärm Schutz
Abwassergebühren: Abwasser Gebühr
Fundbüro: Fund Büro
Tierheim: Tier Heim
Sportförderung: Sport Förderung
Kulturzentrum: Kultur Zentrum
Seniorenberatung: Senior Beratung
Integrationskurs: Integration Kurs
Sprachkurse: Sprache Kurs
Zuwanderungsbehörde: Zuwanderung Behörde
Gebühren:
Sanierung:
Genehmigung:
Erreichbarkeit:
Bescheinigung:
Anmeldung:
Abrechnung:
Ermäßigung:
"""
)
