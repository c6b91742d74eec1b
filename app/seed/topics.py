"""The subjects of seeded Vorhaben: municipal digitalisation, from OZG to sensors."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    name: str  # a title phrase: "Digitaler Bauantrag"
    short: str  # a bare noun for comments: "Bauantrag"
    fields: tuple[str, ...]  # slugs of fields of action
    tags: tuple[str, ...]
    problem: str  # one sentence on the situation before
    goals: tuple[str, ...]  # infinitive phrases: "Bearbeitungszeiten verkürzen"
    measures: tuple[str, ...]  # noun phrases for the list of steps
    ai: bool = False


def _topic(
    name: str, short: str, fields: str, tags: str, problem: str, goals: str, measures: str
) -> Topic:
    return Topic(
        name=name,
        short=short,
        fields=tuple(fields.split()),
        tags=tuple(tags.split("|")),
        problem=problem,
        goals=tuple(goals.split("|")),
        measures=tuple(measures.split("|")),
        ai="KI" in tags,
    )


TOPICS: tuple[Topic, ...] = (
    _topic(
        "Digitaler Bauantrag",
        "Bauantrag",
        "verwaltung-ozg",
        "Bauantrag|OZG|XBau|Bauaufsicht",
        "Bauanträge kommen bei uns noch in mehrfacher Ausfertigung auf Papier an.",
        "die Bearbeitungszeit von Bauanträgen deutlich verkürzen|Papierakten in der "
        "Bauaufsicht vollständig ablösen|Fachbehörden digital beteiligen",
        "Anbindung des Fachverfahrens an das Landesportal über XBau|digitale "
        "Beteiligung der Träger öffentlicher Belange|Schulung der Sachbearbeitung in der "
        "Bauaufsicht|Scannen des laufenden Aktenbestands",
    ),
    _topic(
        "Online-Terminvergabe im Bürgeramt",
        "Terminvergabe",
        "verwaltung-ozg",
        "Terminvergabe|Bürgeramt|Bürgerservice",
        "Vor dem Bürgeramt bilden sich morgens lange Schlangen, das Telefon ist dauerbelegt.",
        "Wartezeiten im Bürgeramt spürbar senken|Termine rund um die Uhr buchbar machen|"
        "Spitzenzeiten besser planen",
        "Auswahl eines Terminvergabesystems|Anbindung an die Aufrufanlage|"
        "Erinnerung per SMS und E-Mail|Auswertung der Auslastung je Dienstleistung",
    ),
    _topic(
        "Bürgerportal mit Servicekonto",
        "Bürgerportal",
        "verwaltung-ozg beteiligung",
        "Bürgerportal|Servicekonto|BundID|OZG",
        "Unsere Online-Dienste sind über viele Seiten verstreut und schwer zu finden.",
        "alle Online-Dienste an einem Ort bündeln|die Anmeldung mit BundID ermöglichen|"
        "den Bearbeitungsstand für Antragstellende sichtbar machen",
        "Aufbau eines zentralen Bürgerportals|Integration der EfA-Leistungen des Landes|"
        "Anbindung des Postfachs an das Servicekonto|Usability-Tests mit Bürgerinnen und Bürgern",
    ),
    _topic(
        "KI-Chatbot für Bürgeranfragen",
        "Chatbot",
        "verwaltung-ozg",
        "KI|Chatbot|Bürgerservice",
        "Ein Großteil der Anrufe in der Zentrale betrifft immer wieder dieselben Fragen.",
        "einfache Anfragen rund um die Uhr beantworten|die Telefonzentrale entlasten|"
        "Antworten in mehreren Sprachen anbieten",
        "Aufbereitung der Wissensdatenbank aus dem Behördenwegweiser|Auswahl eines "
        "Sprachmodells mit Betrieb in Deutschland|Testphase mit ausgewählten Ämtern|"
        "Regelmäßige Auswertung der unbeantworteten Fragen",
    ),
    _topic(
        "Einführung der E-Akte",
        "E-Akte",
        "verwaltung-ozg",
        "E-Akte|DMS|Digitale Verwaltung",
        "Akten wandern zwischen den Ämtern noch per Hauspost und sind oft nicht auffindbar.",
        "die Aktenführung vollständig digitalisieren|mobiles Arbeiten ermöglichen|"
        "Suchzeiten deutlich reduzieren",
        "Auswahl eines Dokumentenmanagementsystems|Erstellung eines Aktenplans|"
        "Einführung in Pilotämtern|Ersetzendes Scannen nach TR-RESISCAN",
    ),
    _topic(
        "Digitalisierungsstrategie",
        "Digitalisierungsstrategie",
        "verwaltung-ozg beteiligung",
        "Strategie|Digitalisierungsstrategie|Leitbild",
        "Viele Ämter digitalisieren für sich, ohne gemeinsame Ziele und Prioritäten.",
        "eine gemeinsame Digitalisierungsstrategie beschließen|Prioritäten für die "
        "nächsten fünf Jahre festlegen|Verantwortlichkeiten klar regeln",
        "Bestandsaufnahme in allen Fachbereichen|Workshops mit Verwaltung und Politik|"
        "Online-Beteiligung der Bürgerschaft|Beschluss im Rat und jährliches Monitoring",
    ),
    _topic(
        "Smart-City-Strategie",
        "Smart City",
        "infrastruktur-smart-city beteiligung",
        "Smart City|Strategie|Stadtentwicklung",
        "Einzelne Smart-City-Projekte laufen nebeneinander her, ohne gemeinsamen Rahmen.",
        "eine Smart-City-Strategie mit der Stadtgesellschaft entwickeln|Daten der Stadt "
        "gemeinwohlorientiert nutzen|Projekte messbar machen",
        "Aufbau einer urbanen Datenplattform|Bürgerwerkstätten in allen Stadtteilen|"
        "Festlegung von Leuchtturmprojekten|Evaluation durch eine Hochschule",
    ),
    _topic(
        "Open-Data-Portal",
        "Open Data",
        "beteiligung wirtschaftsfoerderung",
        "Open Data|Transparenz|Datenportal",
        "Daten der Verwaltung liegen in Fachverfahren und sind für Dritte nicht nutzbar.",
        "Verwaltungsdaten offen und maschinenlesbar bereitstellen|die Zusammenarbeit mit "
        "der Zivilgesellschaft stärken|eine Open-Data-Strategie verankern",
        "Aufbau eines Datenportals auf Basis von CKAN|Benennung von Datenpatinnen und "
        "Datenpaten|Veröffentlichung der ersten fünfzig Datensätze|Hackathon mit Schulen",
    ),
    _topic(
        "Intelligente Straßenbeleuchtung",
        "Straßenbeleuchtung",
        "infrastruktur-smart-city umwelt-klima",
        "Straßenbeleuchtung|LED|LoRaWAN|Energie",
        "Die Straßenbeleuchtung verbraucht einen großen Teil des kommunalen Stroms.",
        "den Stromverbrauch der Beleuchtung halbieren|Störungen automatisch erkennen|"
        "Lichtverschmutzung verringern",
        "Umrüstung auf LED-Leuchten|Steuerung über ein LoRaWAN-Netz|Bedarfsgerechte "
        "Dimmung in Nebenstraßen|Störungsmeldung direkt an den Bauhof",
    ),
    _topic(
        "Schul-WLAN und Netzinfrastruktur",
        "Schul-WLAN",
        "bildung",
        "Schul-WLAN|DigitalPakt|Schule",
        "In vielen Klassenräumen gibt es kein stabiles Netz, Tablets bleiben im Schrank.",
        "alle Schulen flächendeckend mit WLAN ausstatten|den Support zentral organisieren|"
        "Jugendschutz und Netztrennung sicherstellen",
        "Bestandsaufnahme aller Schulgebäude|Strukturierte Verkabelung bis in jeden "
        "Raum|Zentrales WLAN-Management|Wartungsvertrag mit einem regionalen Dienstleister",
    ),
    _topic(
        "Abfall-App und digitaler Müllabfuhrkalender",
        "Müllabfuhr",
        "abfall",
        "Müllabfuhr|Abfall-App|Abfallkalender",
        "Der gedruckte Abfallkalender ist teuer und schnell veraltet.",
        "Abfuhrtermine individuell und aktuell bereitstellen|Sperrmüll online anmelden "
        "lassen|Fehlwürfe durch Information verringern",
        "Einführung einer Abfall-App|Erinnerungsfunktion für Abfuhrtermine|"
        "Online-Formular für Sperrmüll|Anbindung an das Tourenplanungssystem",
    ),
    _topic(
        "Füllstandssensoren für Glascontainer",
        "Füllstandssensorik",
        "abfall infrastruktur-smart-city",
        "Sensorik|LoRaWAN|Abfall|IoT",
        "Glascontainer werden nach festem Plan geleert, egal ob sie voll oder leer sind.",
        "Leerfahrten vermeiden|überfüllte Standorte verhindern|Touren datenbasiert planen",
        "Ausstattung von Containern mit Ultraschallsensoren|Aufbau eines LoRaWAN-"
        "Gateways|Visualisierung im Dashboard des Bauhofs|Auswertung nach sechs Monaten",
    ),
    _topic(
        "Bodenfeuchtesensoren für Stadtbäume",
        "Baumbewässerung",
        "gruenflaechen umwelt-klima",
        "Sensorik|Stadtbäume|Klimaanpassung|IoT",
        "In den heißen Sommern sind viele junge Stadtbäume vertrocknet.",
        "Stadtbäume gezielt bewässern|Wasser sparen|Bürgerinnen und Bürger als Gießpaten gewinnen",
        "Bodenfeuchtesensoren an ausgewählten Bäumen|Gießkarte im Internet|Kopplung an "
        "Wetterdaten|Tourenplanung für den Grünflächenbetrieb",
    ),
    _topic(
        "Digitale Parkraumbewirtschaftung",
        "Handyparken",
        "mobilitaet",
        "Parken|Handyparken|Verkehr",
        "Parkscheinautomaten sind teuer im Unterhalt und werden häufig beschädigt.",
        "Parken bargeldlos ermöglichen|Parksuchverkehr reduzieren|Automaten abbauen",
        "Einführung von Handyparken mit mehreren Anbietern|Sensoren an Behindertenpark"
        "plätzen|Digitale Kontrolle durch das Ordnungsamt|Parkleitsystem mit Echtzeitdaten",
    ),
    _topic(
        "Mobilitätsplattform für den ländlichen Raum",
        "Mobilitätsplattform",
        "mobilitaet",
        "Mobilität|ÖPNV|Rufbus",
        "Außerhalb des Kernorts fährt der Bus nur wenige Male am Tag.",
        "Rufbus, Bürgerbus und ÖPNV in einer App buchbar machen|Mobilität ohne eigenes "
        "Auto ermöglichen|Fahrten bündeln",
        "Einführung eines On-Demand-Rufbusses|Integration des Bürgerbusvereins|"
        "Anbindung an die Fahrplanauskunft|Begleitforschung mit der Hochschule",
    ),
    _topic(
        "Digitaler Zwilling und 3D-Stadtmodell",
        "Digitaler Zwilling",
        "infrastruktur-smart-city",
        "Digitaler Zwilling|3D-Stadtmodell|GIS",
        "Planungen werden noch an Einzelplänen abgestimmt, Simulationen fehlen ganz.",
        "Planungen dreidimensional sichtbar machen|Starkregen und Hitze simulieren|"
        "Geodaten ämterübergreifend nutzen",
        "Befliegung und Aufbau des 3D-Modells|Integration der Fachdaten aus dem GIS|"
        "Simulationen für Starkregen|Öffentliche Ansicht für Beteiligungsverfahren",
    ),
    _topic(
        "Online-Beteiligungsplattform",
        "Bürgerbeteiligung",
        "beteiligung",
        "Bürgerbeteiligung|Beteiligung|Open Source",
        "An Bürgerversammlungen nehmen immer dieselben wenigen Menschen teil.",
        "mehr und andere Menschen an Planungen beteiligen|Ergebnisse transparent machen|"
        "Beteiligung dauerhaft verankern",
        "Einführung einer Open-Source-Beteiligungsplattform|Leitlinien für Bürger"
        "beteiligung|Schulung der Fachämter|Verknüpfung mit Präsenzveranstaltungen",
    ),
    _topic(
        "Digitale Ratsarbeit",
        "Ratsinformationssystem",
        "verwaltung-ozg",
        "Ratsinformationssystem|Gremien|Papierlos",
        "Für jede Ratssitzung werden tausende Seiten gedruckt und verteilt.",
        "die Gremienarbeit papierlos machen|Unterlagen barrierefrei veröffentlichen|"
        "Sitzungen hybrid ermöglichen",
        "Tablets für Ratsmitglieder|Neues Ratsinformationssystem mit App|"
        "Digitale Abstimmung in Ausschüssen|Livestream der Ratssitzungen",
    ),
    _topic(
        "Pflegeplatzbörse",
        "Pflegeplatzbörse",
        "pflege soziales",
        "Pflege|Pflegeplatzbörse|Soziales",
        "Angehörige telefonieren tagelang Heime ab, um einen freien Platz zu finden.",
        "freie Pflegeplätze tagesaktuell anzeigen|Angehörige entlasten|die "
        "Pflegeberatung unterstützen",
        "Plattform für freie Kurzzeit- und Dauerpflegeplätze|Einbindung der Träger|"
        "Schnittstelle zur Pflegeberatung|Kampagne in Arztpraxen und Kliniken",
    ),
    _topic(
        "Digitale Kita-Platzvergabe",
        "Kita-Platzvergabe",
        "soziales bildung",
        "Kita|Soziales|Familie",
        "Eltern melden ihr Kind bei vielen Einrichtungen gleichzeitig an.",
        "die Platzvergabe transparent und fair machen|Mehrfachanmeldungen vermeiden|"
        "die Bedarfsplanung verbessern",
        "Zentrales Vormerkportal für alle Träger|Abstimmung der Vergabekriterien|"
        "Schnittstelle zur Kita-Software|Beratungsangebot für Eltern ohne Internet",
    ),
    _topic(
        "Telemedizin im Rettungsdienst",
        "Telenotarzt",
        "gesundheit sicherheit",
        "Telemedizin|Rettungsdienst|Gesundheit",
        "Notärztinnen und Notärzte fehlen vor allem nachts in den ländlichen Bereichen.",
        "notärztliche Expertise schneller zum Patienten bringen|Einsatzzeiten verkürzen|"
        "Personal gezielter einsetzen",
        "Einrichtung einer Telenotarztzentrale|Ausstattung der Rettungswagen|"
        "Schulung des Rettungsdienstpersonals|Evaluation mit dem Universitätsklinikum",
    ),
    _topic(
        "Hochwasser-Frühwarnsystem",
        "Frühwarnsystem",
        "sicherheit umwelt-klima",
        "Hochwasser|Pegel|Sensorik|Katastrophenschutz",
        "Bei Starkregen steigen kleine Bäche schneller, als Warnungen uns erreichen.",
        "früher vor Hochwasser warnen|Einsatzkräfte gezielt alarmieren|die Bevölkerung "
        "besser informieren",
        "Pegelsensoren an kleinen Gewässern|Anbindung an die Warn-App|Schwellenwerte "
        "mit der Feuerwehr festlegen|Übungen mit dem Katastrophenschutz",
    ),
    _topic(
        "Digitale Gewerbeanmeldung",
        "Gewerbeanmeldung",
        "wirtschaftsfoerderung verwaltung-ozg",
        "Gewerbe|OZG|Wirtschaftsförderung",
        "Gewerbeanmeldungen werden noch abgetippt und per Post an andere Stellen verteilt.",
        "Gewerbe vollständig online anmelden lassen|Datenweitergabe automatisieren|"
        "Gründungen beschleunigen",
        "Nachnutzung des EfA-Dienstes des Landes|Anbindung an das Fachverfahren|"
        "Elektronische Weiterleitung an Kammern|Online-Bezahlung der Gebühren",
    ),
    _topic(
        "Leerstandsmanagement für die Innenstadt",
        "Leerstandsmanagement",
        "wirtschaftsfoerderung",
        "Innenstadt|Leerstand|Wirtschaftsförderung",
        "In der Innenstadt stehen immer mehr Ladenlokale leer.",
        "Leerstände frühzeitig erkennen|Eigentümer und Interessenten zusammenbringen|"
        "Zwischennutzungen ermöglichen",
        "Digitales Leerstandskataster|Standortportal für Gewerbeflächen|"
        "Frequenzzählung in der Fußgängerzone|Förderprogramm für Pop-up-Stores",
    ),
    _topic(
        "Digitale Angebote der Stadtbibliothek",
        "Onleihe",
        "kultur bildung",
        "Bibliothek|Onleihe|Kultur",
        "Die Bibliothek erreicht junge Erwachsene kaum noch.",
        "digitale Medien rund um die Uhr anbieten|Makerspaces aufbauen|die Bibliothek "
        "als dritten Ort stärken",
        "Ausbau der Onleihe|Open-Library-Konzept mit Selbstverbuchung|Makerspace mit "
        "3D-Druckern|Kurse zur digitalen Teilhabe",
    ),
    _topic(
        "Mehrsprachige Integrations-App",
        "Integrations-App",
        "integration soziales",
        "Integration|Mehrsprachigkeit|App",
        "Neu Zugewanderte finden sich im Angebot der Beratungsstellen kaum zurecht.",
        "Angebote in zehn Sprachen auffindbar machen|Beratungsstellen vernetzen|"
        "Termine einfach vereinbaren",
        "App mit allen Beratungsangeboten|Übersetzung mit Unterstützung durch KI|"
        "Pflege der Inhalte durch die Träger|Aushänge mit QR-Codes in Unterkünften",
    ),
    _topic(
        "Energiemonitoring kommunaler Gebäude",
        "Energiemonitoring",
        "umwelt-klima",
        "Energiemonitoring|Klimaschutz|Energie",
        "Verbräuche unserer Gebäude werden einmal im Jahr von Hand abgelesen.",
        "Energieverbräuche in Echtzeit erfassen|Einsparpotenziale erkennen|"
        "die Klimaschutzziele erreichen",
        "Fernauslesbare Zähler in allen Liegenschaften|Energiemanagementsoftware|"
        "Monatliche Berichte für die Hausmeister|Wettbewerb zwischen Schulen",
    ),
    _topic(
        "Glasfaserausbau in unterversorgten Gebieten",
        "Glasfaser",
        "infrastruktur-smart-city wirtschaftsfoerderung",
        "Glasfaser|Breitband|Infrastruktur",
        "Außenbereiche und Gewerbegebiete sind mit weniger als 30 Mbit/s angebunden.",
        "alle Haushalte mit Glasfaser versorgen|Gewerbegebiete zukunftsfest machen|"
        "Schulen gigabitfähig anbinden",
        "Markterkundungsverfahren|Förderantrag im Gigabitprogramm|Ausschreibung im "
        "Betreibermodell|Mitverlegung bei Tiefbaumaßnahmen",
    ),
    _topic(
        "Digitale Rechnungsbearbeitung mit E-Rechnung",
        "E-Rechnung",
        "verwaltung-ozg",
        "E-Rechnung|XRechnung|Finanzen",
        "Rechnungen werden ausgedruckt, abgezeichnet und von Hand erfasst.",
        "Rechnungen medienbruchfrei bearbeiten|Skonto besser nutzen|die Kämmerei entlasten",
        "Empfang von XRechnungen über das Landesportal|Digitaler Freigabeworkflow|"
        "Anbindung an das Finanzverfahren|Umstellung der Lieferanten",
    ),
    _topic(
        "Informationssicherheitsmanagement",
        "Informationssicherheit",
        "sicherheit verwaltung-ozg",
        "ISMS|BSI-Grundschutz|IT-Sicherheit",
        "Nach dem Cyberangriff auf eine Nachbarkommune wurde uns unsere Verwundbarkeit klar.",
        "ein Informationssicherheitsmanagement nach BSI-Grundschutz aufbauen|Notfälle "
        "üben|Beschäftigte sensibilisieren",
        "Benennung einer Informationssicherheitsbeauftragten|Strukturanalyse und "
        "Schutzbedarfsfeststellung|Notfallhandbuch und Wiederanlauftests|"
        "Phishing-Simulationen und Schulungen",
    ),
    _topic(
        "Souveräner Arbeitsplatz mit Open Source",
        "openDesk",
        "verwaltung-ozg",
        "Open Source|openDesk|Cloud|Digitale Souveränität",
        "Lizenzkosten steigen jedes Jahr, und wir hängen von wenigen Anbietern ab.",
        "Abhängigkeiten von einzelnen Herstellern verringern|Zusammenarbeit in der "
        "Cloud ermöglichen|Lizenzkosten senken",
        "Pilot mit openDesk in zwei Ämtern|Migration von Vorlagen und Makros|"
        "Betrieb im kommunalen Rechenzentrum|Cloud-Strategie für die Gesamtverwaltung",
    ),
    _topic(
        "Hitzeaktionsplan mit digitaler Hitzekarte",
        "Hitzekarte",
        "umwelt-klima gesundheit",
        "Hitze|Klimaanpassung|Gesundheit",
        "Ältere Menschen leiden in den Sommermonaten zunehmend unter der Hitze.",
        "kühle Orte in der Stadt sichtbar machen|gefährdete Menschen gezielt erreichen|"
        "Maßnahmen der Klimaanpassung priorisieren",
        "Hitzekarte auf Basis von Satellitendaten|Karte mit Trinkbrunnen und kühlen "
        "Orten|Telefonkette mit Pflegediensten|Verschattung von Spielplätzen",
    ),
    _topic(
        "Mängelmelder für den öffentlichen Raum",
        "Mängelmelder",
        "beteiligung infrastruktur-smart-city",
        "Mängelmelder|Bürgerservice|Bauhof",
        "Meldungen zu Schlaglöchern und wildem Müll gehen per Mail an viele Stellen.",
        "Meldungen schnell an die richtige Stelle bringen|Bearbeitungsstände "
        "zurückmelden|Schwerpunkte erkennen",
        "Einführung eines Mängelmelders mit Karte|Anbindung an die Software des Bauhofs|"
        "Automatische Zuordnung nach Kategorie|Jährlicher Bericht an den Rat",
    ),
)
