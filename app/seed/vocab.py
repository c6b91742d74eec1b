"""Words the seed assembles people and texts from: names, positions, offices, phrases."""

from __future__ import annotations


def _words(value: str) -> tuple[str, ...]:
    return tuple(value.split())


FIRST_NAMES = _words(
    "Anna Andreas Anja Alexander Birgit Bernd Christina Christian Claudia Daniel Doris Dirk "
    "Elke Erik Eva Florian Frauke Frank Gabriele Georg Hanna Heiko Ines Ingo Jana Jan Julia "
    "Jens Katrin Kai Karin Klaus Laura Lars Lea Lukas Maria Markus Martina Matthias Monika "
    "Michael Nadine Niklas Nicole Oliver Petra Patrick Renate Ralf Sabine Stefan Sandra "
    "Sebastian Susanne Simon Tanja Thomas Ulrike Uwe Vanessa Volker Wiebke Wolfgang Yvonne "
    "Tobias Silke Jörg Bärbel Günter Jürgen Sören Hauke Maren Ole Merle Fenja Jannik Lena "
    "Deniz Ayşe Mehmet Elif Emre Olga Dmitri Katarzyna Piotr Luca Giulia Sofia Milan Ivana "
    "Frieda Clara Paul Greta Johannes Theresa Moritz Pia Henrik Svenja Malte Annika Carsten "
    "Dagmar Heike Kerstin Marion Rainer Detlef Holger Gesine Friederike Konstantin Leonie"
)

LAST_NAMES = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann "
    "Hartmann Lange Schmitt Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler "
    "Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn "
    "Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz Baumann "
    "Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt "
    "Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Schulte Dietrich "
    "Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer "
    "Petersen Jensen Hansen Nielsen Brodersen Thiesen Ahrens Janssen Eilers Gerdes Onken "
    "Yılmaz Kaya Demir Şahin Nowak Kowalski Wiśniewski Popović Rossi Ivanov Novak Aydın "
    "Kretschmer Ostermann Wendt Hüttner Lindner Brinkmann Reuter Feldmann Sander Witt Marx"
)

POSITIONS = (
    "CDO",
    "Chief Digital Officer",
    "Digitalisierungsbeauftragte",
    "Digitalisierungsbeauftragter",
    "Projektleitung",
    "Projektleitung Smart City",
    "Stabsstelle Digitalisierung",
    "Leitung IT",
    "IT-Koordination",
    "Informationssicherheitsbeauftragte",
    "Informationssicherheitsbeauftragter",
    "OZG-Koordination",
    "Sachgebietsleitung Bürgerservice",
    "Amtsleitung Hauptamt",
    "Organisationsentwicklung",
    "Referentin der Bürgermeisterin",
    "Referent des Bürgermeisters",
    "Kreisverwaltung IT",
    "E-Government-Beauftragte",
    "E-Government-Beauftragter",
    "Fachbereichsleitung Zentrale Dienste",
    "Datenschutzbeauftragte",
    "Wissensmanagement und Prozesse",
    "Open-Data-Koordination",
    "Schul-IT",
)

DEPARTMENTS = (
    "Bürgeramt",
    "Bauaufsichtsamt",
    "Ordnungsamt",
    "Amt für Digitalisierung",
    "Hauptamt",
    "Schulverwaltungsamt",
    "Tiefbauamt",
    "Grünflächenamt",
    "Kämmerei",
    "Jugendamt",
    "Sozialamt",
    "Standesamt",
    "Umweltamt",
    "Amt für Wirtschaftsförderung",
    "Personalamt",
    "Rechnungsprüfungsamt",
)

PARTNERS = (
    "dem kommunalen IT-Dienstleister",
    "dem Landkreis",
    "zwei Nachbargemeinden",
    "der örtlichen Hochschule",
    "dem Zweckverband",
    "dem Landesrechenzentrum",
    "den Stadtwerken",
    "einem regionalen Softwarehaus",
    "der Digitalagentur des Landes",
    "dem Städte- und Gemeindebund",
    "der Volkshochschule",
    "dem Kreismedienzentrum",
)

FUNDING = (
    "Modellprojekte Smart Cities",
    "DigitalPakt Schule",
    "OZG-Konjunkturpaket",
    "EFRE",
    "Kommunalrichtlinie (Nationale Klimaschutzinitiative)",
    "Förderprogramm Digitale Kommune des Landes",
    "LEADER",
    "Städtebauförderung",
)

SYSTEMS = (
    "Fachverfahren",
    "Dokumentenmanagementsystem",
    "Servicekonto",
    "Landesportal",
    "Finanzverfahren",
    "Geoinformationssystem",
    "Personalverwaltungssystem",
    "Ratsinformationssystem",
)

GENERIC_TAGS = (
    "Open Source",
    "Interkommunal",
    "Förderung",
    "Cloud",
    "Barrierefreiheit",
    "Datenschutz",
    "Nachnutzung",
    "EfA",
    "Low Code",
    "Prozessoptimierung",
    "Change Management",
    "Ausschreibung",
)

LICENSES = ("EUPL-1.2", "AGPL-3.0-or-later", "GPL-3.0-or-later", "MIT", "Apache-2.0")

MONTHS = _words(
    "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
)

# Sentences for any Vorhaben; the slots are filled by app.seed.text.
CONTEXT_SENTENCES = (
    "Im {dept} arbeiten derzeit {n} Beschäftigte mit dem bisherigen Verfahren.",
    "Pro Jahr gehen rund {big} Vorgänge ein, bisher nur ein kleiner Teil davon digital.",
    "Der Datenschutz war von Anfang an eingebunden; die Folgenabschätzung liegt vor.",
    "Die Personalvertretung hat der Einführung im {month} {year} zugestimmt.",
    "Wir setzen auf offene Standards und wollen Insellösungen vermeiden.",
    "Die Umsetzung erfolgt gemeinsam mit {partner}.",
    "Die Schnittstelle zum {system} war der aufwendigste Teil der Planung.",
    "Der Stadtrat hat das Vorhaben im {month} {year} einstimmig beschlossen.",
    "Die laufenden Kosten liegen bei etwa {money} Euro im Jahr.",
    "Eine Markterkundung hat gezeigt, dass mehrere Anbieter vergleichbare Lösungen haben.",
    "Viele Beschäftigte haben sich eine solche Lösung schon lange gewünscht.",
    "Wichtig war uns, die Fachämter nicht zu überfordern und schrittweise vorzugehen.",
    "Für die Schulungen haben wir Multiplikatorinnen und Multiplikatoren ausgebildet.",
    "Die Bürgerinnen und Bürger wurden über eine Umfrage mit {n} Antworten beteiligt.",
    "Der Betrieb liegt bei {partner}, die fachliche Verantwortung bleibt im {dept}.",
    "Ohne die Unterstützung der Verwaltungsspitze wäre das Vorhaben nicht möglich gewesen.",
    "Wir dokumentieren alle Entscheidungen offen, damit andere Kommunen nachnutzen können.",
    "Die Barrierefreiheit nach BITV 2.0 wird von einer externen Stelle geprüft.",
    "Ein erster Prototyp entstand in einem zweitägigen Workshop mit dem {dept}.",
    "Der Zeitplan hat sich wegen der Ausschreibung um etwa {n_small} Monate verschoben.",
    "Die Finanzierung erfolgt zu großen Teilen über {funding}.",
    "Der Nutzen lässt sich bereits messen: die Bearbeitungszeit sank um {pct} Prozent.",
)

STATUS_SENTENCES = (
    "Derzeit läuft die Abstimmung mit den beteiligten Fachämtern.",
    "Die Ausschreibung ist veröffentlicht, der Zuschlag soll im {month} erfolgen.",
    "Der Pilot läuft seit {month} {year} in einem Bereich der Verwaltung.",
    "Nach der Testphase folgt die schrittweise Ausweitung auf alle Standorte.",
    "Seit {month} {year} ist die Lösung im Regelbetrieb.",
    "Als Nächstes wollen wir die Erfahrungen auswerten und veröffentlichen.",
    "Wir suchen noch Kommunen, die sich an einer gemeinsamen Beschaffung beteiligen.",
)

OPEN_QUESTIONS = (
    "Wie organisieren andere Kommunen den Support im Betrieb?",
    "Welche Erfahrungen gibt es mit Rahmenverträgen des Landes?",
    "Wie lassen sich die Folgekosten dauerhaft im Haushalt absichern?",
    "Welche Kennzahlen eignen sich, um den Erfolg zu messen?",
    "Wie bindet man kleinere Ortsteile und ältere Menschen gut ein?",
    "Gibt es Muster für Dienstvereinbarungen, die wir nachnutzen können?",
    "Welche Anforderungen stellt der Datenschutz an den Betrieb in der Cloud?",
)

LESSONS = (
    "Früh mit der Personalvertretung sprechen spart später viel Zeit.",
    "Ein kleiner Pilot mit klaren Zielen überzeugt mehr als jedes Konzeptpapier.",
    "Die Datenqualität im Altbestand haben wir deutlich unterschätzt.",
    "Schulungen allein reichen nicht; Ansprechpersonen vor Ort sind entscheidend.",
    "Die Abhängigkeit von einem einzigen Anbieter war am Ende das größte Risiko.",
    "Offene Schnittstellen haben uns den Wechsel des Dienstleisters ermöglicht.",
    "Die Zusammenarbeit mit Nachbarkommunen hat Kosten und Aufwand halbiert.",
    "Wir hätten die Nutzerinnen und Nutzer früher einbeziehen sollen.",
)

COMMENT_OPENERS = (
    "Spannendes Vorhaben!",
    "Danke für die ausführliche Beschreibung.",
    "Wir stehen gerade vor genau derselben Frage.",
    "Kurze Rückfrage dazu:",
    "Sehr hilfreich, vielen Dank fürs Teilen.",
    "Das klingt nach einem Ansatz, den wir auch verfolgen könnten.",
    "Ergänzend zu dem, was oben schon geschrieben wurde:",
    "Bei uns sieht es ähnlich aus.",
    "Wir haben das vor zwei Jahren ebenfalls angefangen.",
)

COMMENT_QUESTIONS = (
    "Welchen Anbieter habt ihr beim Thema {short} ausgewählt?",
    "Wie lange hat die Ausschreibung bei euch gedauert?",
    "Habt ihr den Personalrat frühzeitig eingebunden?",
    "Gibt es beim Thema {short} schon Zahlen zur Nutzung?",
    "Läuft das bei euch über den IT-Dienstleister oder betreibt ihr es selbst?",
    "Wie hoch sind die laufenden Kosten pro Jahr ungefähr?",
    "Könnt ihr das Leistungsverzeichnis teilen?",
    "Wie habt ihr die Anbindung an das {system} gelöst?",
    "Welche Rolle spielt das Land bei der Finanzierung?",
    "Habt ihr eine Datenschutz-Folgenabschätzung gemacht, und wenn ja, mit welchem Ergebnis?",
)

COMMENT_EXPERIENCES = (
    "Bei uns hat das Projekt zum Thema {short} etwa {n_small} Monate bis zum Start gebraucht.",
    "Wir haben gute Erfahrungen damit gemacht, erst in einem Amt zu starten.",
    "Achtet auf die Schnittstellen zum {system}, das war bei uns der größte Aufwand.",
    "Die Akzeptanz im {dept} war anfangs gering, inzwischen will niemand mehr zurück.",
    "Wir haben das Thema {short} mit {partner} umgesetzt, das hat gut funktioniert.",
    "Der Betrieb kostet uns mehr Personal als ursprünglich geplant.",
    "Mit einer offenen Lösung waren wir am Ende deutlich flexibler.",
    "Die Schulungen haben wir in kurzen Einheiten von je einer Stunde gemacht.",
    "Bei der Datenmigration sind uns viele Altlasten aufgefallen.",
    "Die Nutzung ist nach einer Kampagne im Amtsblatt deutlich gestiegen.",
)

COMMENT_OFFERS = (
    "Gern teilen wir unser Leistungsverzeichnis – schreibt mir einfach.",
    "Unsere Dienstvereinbarung können wir gern zur Verfügung stellen.",
    "Wenn ihr mögt, machen wir einen kurzen Austausch per Video.",
    "Wir hätten Interesse an einer gemeinsamen Beschaffung.",
    "Die Präsentation aus unserem Ausschuss schicke ich gern mit.",
)

COMMENT_CLOSERS = ("Viele Grüße", "Beste Grüße", "Danke und viele Grüße", "", "", "")
