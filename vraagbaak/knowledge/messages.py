"""What `kb check` says to a volunteer, in English or Dutch: what is wrong and how to fix it.

Each problem has a code; the texts live here and nowhere else, so they can be reviewed (and
translated) as one list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# code -> language -> (what is wrong, how to fix it)
MESSAGES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "not_utf8": {
        "en": ("This file is not saved as UTF-8 text.", "Save it again as UTF-8 in your editor."),
        "nl": ("Dit bestand is niet als UTF-8-tekst opgeslagen.", "Sla het opnieuw op als UTF-8 in je editor."),
    },
    "no_start": {
        "en": ("The file must start with a line of three dashes (---).",
               "Put --- on the first line, then the fields (id:, lang:, ...), then --- again."),
        "nl": ("Het bestand moet beginnen met een regel met drie streepjes (---).",
               "Zet --- op de eerste regel, dan de velden (id:, lang:, ...), dan weer ---."),
    },
    "no_end": {
        "en": ("The fields at the top are never closed.",
               "Add a line with three dashes (---) after the last field, before the answer text."),
        "nl": ("De velden bovenaan worden niet afgesloten.",
               "Zet een regel met drie streepjes (---) na het laatste veld, voor de antwoordtekst."),
    },
    "tab": {
        "en": ("This line contains a tab. The fields at the top must use spaces.",
               "Replace the tab by two spaces."),
        "nl": ("Deze regel bevat een tab. De velden bovenaan moeten spaties gebruiken.",
               "Vervang de tab door twee spaties."),
    },
    "bad_yaml": {
        "en": ("The fields at the top cannot be read ({detail}).",
               "Check the colon after each field name and the indentation. Put text that contains a colon "
               "between double quotes."),
        "nl": ("De velden bovenaan zijn niet leesbaar ({detail}).",
               "Controleer de dubbele punt na elke veldnaam en het inspringen. Zet tekst met een dubbele punt "
               "tussen dubbele aanhalingstekens."),
    },
    "empty_front_matter": {
        "en": ("There are no fields between the two --- lines.", "Add id, lang, topic, title, questions, source and reviewed."),
        "nl": ("Er staan geen velden tussen de twee --- regels.", "Voeg id, lang, topic, title, questions, source en reviewed toe."),
    },
    "not_mapping": {
        "en": ("The top part must be lines like 'name: value'.", "Write each field as 'name: value' on its own line."),
        "nl": ("Het bovenste deel moet bestaan uit regels als 'naam: waarde'.", "Schrijf elk veld als 'naam: waarde' op een eigen regel."),
    },
    "duplicate_key": {
        "en": ("The field '{field}' appears twice.", "Keep one of the two lines."),
        "nl": ("Het veld '{field}' staat er twee keer.", "Houd één van de twee regels over."),
    },
    "missing_field": {
        "en": ("The field '{field}' is missing.", "Add a line '{field}: ...' between the two --- lines."),
        "nl": ("Het veld '{field}' ontbreekt.", "Voeg een regel '{field}: ...' toe tussen de twee --- regels."),
    },
    "unknown_field": {
        "en": ("Unknown field '{field}'; it is ignored.", "Check the spelling. Known fields: {known}."),
        "nl": ("Onbekend veld '{field}'; het wordt genegeerd.", "Controleer de spelling. Bekende velden: {known}."),
    },
    "bad_id": {
        "en": ("The id '{value}' is not valid.",
               "Write it as topic/name in small letters, digits and dashes, for example huisvuil/grofvuil."),
        "nl": ("De id '{value}' is niet geldig.",
               "Schrijf hem als onderwerp/naam met kleine letters, cijfers en streepjes, bijvoorbeeld huisvuil/grofvuil."),
    },
    "id_topic_mismatch": {
        "en": ("The id starts with '{prefix}' but the topic is '{topic}'.", "Make the first part of the id the same as the topic."),
        "nl": ("De id begint met '{prefix}' maar het onderwerp (topic) is '{topic}'.", "Maak het eerste deel van de id gelijk aan topic."),
    },
    "unknown_topic": {
        "en": ("Unknown topic '{value}'.", "Use one of: {known}."),
        "nl": ("Onbekend onderwerp (topic) '{value}'.", "Gebruik een van: {known}."),
    },
    "unknown_lang": {
        "en": ("Unknown language '{value}'.", "Use one of: {known}."),
        "nl": ("Onbekende taal '{value}'.", "Gebruik een van: {known}."),
    },
    "unknown_municipality": {
        "en": ("Unknown municipality '{value}'.", "Use one of: {known} (see knowledge/municipalities.yaml)."),
        "nl": ("Onbekende gemeente '{value}'.", "Gebruik een van: {known} (zie knowledge/municipalities.yaml)."),
    },
    "empty_text": {
        "en": ("The field '{field}' is empty or not text.", "Write a short text after '{field}:'."),
        "nl": ("Het veld '{field}' is leeg of geen tekst.", "Schrijf een korte tekst na '{field}:'."),
    },
    "bad_questions": {
        "en": ("'questions' must be a list of questions.", "Put each question on its own line, starting with '  - '."),
        "nl": ("'questions' moet een lijst met vragen zijn.", "Zet elke vraag op een eigen regel die begint met '  - '."),
    },
    "few_questions": {
        "en": ("Only {count} example question(s).", "Add more ways a newcomer would ask this (at least 3, better 8)."),
        "nl": ("Maar {count} voorbeeldvraag/vragen.", "Voeg meer manieren toe waarop een nieuwkomer dit vraagt (minstens 3, beter 8)."),
    },
    "bad_source": {
        "en": ("The source '{value}' is not a web address.", "Write the official page, starting with https://."),
        "nl": ("De bron '{value}' is geen webadres.", "Schrijf de officiële pagina, beginnend met https://."),
    },
    "safety_not_list": {
        "en": ("In a safety file, {section} must be a list.",
               "Write each pattern or example on its own line, starting with a dash: - \"ademt niet\"."),
        "nl": ("In een veiligheidsbestand moet {section} een lijst zijn.",
               "Zet elk patroon of voorbeeld op een eigen regel, met een streepje ervoor: - \"ademt niet\"."),
    },
    "safety_not_text": {
        "en": ("This line in {section} is empty or not a piece of text.",
               "Write the words between double quotes after the dash, or remove the line."),
        "nl": ("Deze regel in {section} is leeg of geen tekst.",
               "Zet de woorden tussen dubbele aanhalingstekens na het streepje, of haal de regel weg."),
    },
    "safety_bad_pattern": {
        "en": ("The pattern {value} has no words to look for.",
               "Write one or more words; use * only at the start or end of a word (for example adem*)."),
        "nl": ("Het patroon {value} bevat geen woorden om naar te zoeken.",
               "Schrijf een of meer woorden; gebruik * alleen aan het begin of eind van een woord (bijvoorbeeld adem*)."),
    },
    "safety_unknown_need": {
        "en": ("{value} is not a kind of danger the assistant knows.",
               "Use one of: {needs}."),
        "nl": ("{value} is geen soort gevaar die de assistent kent.",
               "Gebruik een van: {needs}."),
    },
    "safety_missing": {
        "en": ("There is no safety file for the language {lang}: emergencies in it are only recognised by meaning.",
               "Create knowledge/safety/{lang}.yaml like the other languages' files."),
        "nl": ("Er is geen veiligheidsbestand voor de taal {lang}: noodgevallen worden dan alleen op betekenis herkend.",
               "Maak knowledge/safety/{lang}.yaml, zoals de bestanden van de andere talen."),
    },
    "unofficial_source": {
        "en": ("The source {value} is not on a known official site.",
               "Use a government or municipal page (for example rijksoverheid.nl, duo.nl, toeslagen.nl, the municipality)."),
        "nl": ("De bron {value} staat niet op een bekende officiële site.",
               "Gebruik een pagina van de overheid of gemeente (bijvoorbeeld rijksoverheid.nl, duo.nl, toeslagen.nl, de gemeente)."),
    },
    "bad_date": {
        "en": ("'reviewed' must be a date like 2026-11-23; it says '{value}'.", "Write the date as year-month-day: YYYY-MM-DD."),
        "nl": ("'reviewed' moet een datum zijn zoals 2026-11-23; er staat '{value}'.", "Schrijf de datum als jaar-maand-dag: JJJJ-MM-DD."),
    },
    "future_date": {
        "en": ("'reviewed' is in the future ({value}).", "Write the date you checked the answer: today or earlier."),
        "nl": ("'reviewed' ligt in de toekomst ({value}).", "Schrijf de datum waarop je het antwoord hebt gecontroleerd: vandaag of eerder."),
    },
    "stale": {
        "en": ("Last checked on {value}, more than {days} days ago.",
               "Check the answer against the source; then set 'reviewed' to today's date."),
        "nl": ("Voor het laatst gecontroleerd op {value}, meer dan {days} dagen geleden.",
               "Controleer het antwoord met de bron; zet daarna 'reviewed' op de datum van vandaag."),
    },
    "bad_date_field": {
        "en": ("'{field}' must be a date like 2027-01-01; it says '{value}'.", "Write the date as year-month-day: YYYY-MM-DD."),
        "nl": ("'{field}' moet een datum zijn zoals 2027-01-01; er staat '{value}'.", "Schrijf de datum als jaar-maand-dag: JJJJ-MM-DD."),
    },
    "future_date_field": {
        "en": ("'{field}' is in the future ({value}).", "Write the date the translation was checked: today or earlier."),
        "nl": ("'{field}' ligt in de toekomst ({value}).", "Schrijf de datum waarop de vertaling is gecontroleerd: vandaag of eerder."),
    },
    "review_due": {
        "en": ("The figures in this answer (amounts, rules) must be checked again by {value}: {when}.",
               "Check the figures against the source ({source}) and update them; then set a new date in 'review_by' "
               "and set 'reviewed' to today's date."),
        "nl": ("De cijfers in dit antwoord (bedragen, regels) moeten uiterlijk {value} opnieuw gecontroleerd worden: {when}.",
               "Controleer de cijfers met de bron ({source}) en werk ze bij; zet daarna een nieuwe datum bij 'review_by' "
               "en zet 'reviewed' op de datum van vandaag."),
    },
    "unknown_review": {
        "en": ("Unknown value '{value}' for 'review'.",
               "Write 'review: machine' (not yet checked by a native speaker) or 'review: native' "
               "(a native speaker checked it: run vraagbaak kb reviewed on this file with --by and their handle)."),
        "nl": ("Onbekende waarde '{value}' bij 'review'.",
               "Schrijf 'review: machine' (nog niet gecontroleerd door een moedertaalspreker) of 'review: native' "
               "(een moedertaalspreker heeft het gecontroleerd: voer vraagbaak kb reviewed uit op dit bestand, met --by en diens gebruikersnaam)."),
    },
    "native_incomplete": {
        "en": ("'review: native' must say who checked the translation and when; missing: {fields}.",
               "Run vraagbaak kb reviewed on this file with --by and the reviewer's handle: it writes both fields."),
        "nl": ("Bij 'review: native' hoort wie de vertaling heeft gecontroleerd en wanneer; dit ontbreekt: {fields}.",
               "Voer vraagbaak kb reviewed uit op dit bestand, met --by en de gebruikersnaam van de controleur: dat schrijft beide velden."),
    },
    "native_fields_unused": {
        "en": ("This translation names a native reviewer, but 'review' is not 'native': the review is not counted.",
               "If a native speaker checked the current text, run vraagbaak kb reviewed on this file with --by and their "
               "handle; otherwise remove the native_reviewer and native_reviewed lines."),
        "nl": ("Deze vertaling noemt een moedertaalspreker als controleur, maar 'review' is niet 'native': de controle telt niet.",
               "Heeft een moedertaalspreker de huidige tekst gecontroleerd? Voer dan vraagbaak kb reviewed uit op dit bestand, "
               "met --by en diens gebruikersnaam; haal anders de regels native_reviewer en native_reviewed weg."),
    },
    "bad_handle": {
        "en": ("'{value}' is not a valid handle for the reviewer.",
               "Use a user name of 1 to 32 characters: letters a-z or A-Z, digits, _ - or . (no spaces), for example amina_k."),
        "nl": ("'{value}' is geen geldige gebruikersnaam (handle) voor de controleur.",
               "Gebruik een gebruikersnaam van 1 tot 32 tekens: letters a-z of A-Z, cijfers, _ - of . (geen spaties), bijvoorbeeld amina_k."),
    },
    "review_on_source": {
        "en": ("This is the Dutch source text: it needs no native review, so {fields} is ignored.",
               "Remove these lines; they belong in a translation (en, ar, ti)."),
        "nl": ("Dit is de Nederlandse brontekst: die hoeft niet door een moedertaalspreker gecontroleerd te worden, dus {fields} wordt genegeerd.",
               "Haal deze regels weg; ze horen in een vertaling (en, ar, ti)."),
    },
    "reviewed_source": {
        "en": ("This is the Dutch source text: only a translation gets a native review.",
               "Run kb reviewed on the en, ar or ti file of this article."),
        "nl": ("Dit is de Nederlandse brontekst: alleen een vertaling krijgt een controle door een moedertaalspreker.",
               "Voer kb reviewed uit op het en-, ar- of ti-bestand van dit artikel."),
    },
    "reviewed_invalid": {
        "en": ("This file has errors, so it cannot be marked as reviewed.",
               "Fix the errors listed above (vraagbaak kb check), then run kb reviewed again."),
        "nl": ("Dit bestand bevat fouten en kan daarom niet als gecontroleerd worden gemarkeerd.",
               "Herstel de fouten hierboven (vraagbaak kb check) en voer kb reviewed daarna opnieuw uit."),
    },
    "reviewed_not_article": {
        "en": ("This is not an article file in the knowledge base.",
               "Give the path of a translation, for example knowledge/en/werk/cv.md."),
        "nl": ("Dit is geen artikelbestand in de kennisbank.",
               "Geef het pad van een vertaling, bijvoorbeeld knowledge/en/werk/cv.md."),
    },
    "reviewed_outdated": {
        "en": ("The Dutch article changed after this translation was made, so the review would be of an old text.",
               "Bring the translation up to date with {source}, run vraagbaak kb translated {path}, then run kb reviewed again."),
        "nl": ("Het Nederlandse artikel is veranderd nadat deze vertaling is gemaakt: de controle zou over een oude tekst gaan.",
               "Werk de vertaling bij volgens {source}, voer vraagbaak kb translated {path} uit en daarna opnieuw kb reviewed."),
    },
    "empty_body": {
        "en": ("There is no answer text below the second --- line.", "Write the answer below the fields."),
        "nl": ("Er staat geen antwoordtekst onder de tweede --- regel.", "Schrijf het antwoord onder de velden."),
    },
    "wrong_script": {
        "en": ("The file says lang: {lang}, but most of its text is in {script} script.",
               "Check 'lang:' (nl, en, ar, ti) or move the text to the right file."),
        "nl": ("Het bestand zegt lang: {lang}, maar de meeste tekst is in {script} schrift.",
               "Controleer 'lang:' (nl, en, ar, ti) of zet de tekst in het juiste bestand."),
    },
    "path_mismatch": {
        "en": ("The file name does not fit its fields.", "For this id, language and municipality the file should be {expected}."),
        "nl": ("De bestandsnaam past niet bij de velden.", "Voor deze id, taal en gemeente hoort het bestand {expected} te zijn."),
    },
    "duplicate_version": {
        "en": ("Another file has the same id, language and municipality: {other}.", "Keep one; merge the texts if both are useful."),
        "nl": ("Een ander bestand heeft dezelfde id, taal en gemeente: {other}.", "Houd er één over; voeg de teksten samen als beide nuttig zijn."),
    },
    "missing_language": {
        "en": ("Article {id} has no {lang} version{where}.", "Create it with a translation of this file; until then the Dutch text is shown."),
        "nl": ("Artikel {id} heeft nog geen {lang}-versie{where}.", "Maak die aan met een vertaling van dit bestand; tot dan wordt de Nederlandse tekst getoond."),
    },
    "variant_without_general": {
        "en": ("This municipal variant has no general {lang} version of {id}.",
               "Write the general version too: it answers people in other municipalities."),
        "nl": ("Bij deze gemeentelijke versie hoort geen algemene {lang}-versie van {id}.",
               "Schrijf ook de algemene versie: die beantwoordt mensen in andere gemeenten."),
    },
    "outdated_translation": {
        "en": ("The Dutch article changed after this translation was made.",
               "Compare with {source}, update this translation, then run: vraagbaak kb translated {path}"),
        "nl": ("Het Nederlandse artikel is veranderd nadat deze vertaling is gemaakt.",
               "Vergelijk met {source}, werk deze vertaling bij en voer dan uit: vraagbaak kb translated {path}"),
    },
    "untranslated_text": {
        "en": ("This file still holds text waiting for translation (the TRANSLATE line).",
               "Replace the Dutch text below that line by the translation, then delete the line."),
        "nl": ("Dit bestand bevat nog tekst die vertaald moet worden (de regel met VERTAAL).",
               "Vervang de Nederlandse tekst onder die regel door de vertaling en haal de regel weg."),
    },
    "broken_link": {
        "en": ("The link to '{target}' points to a file that does not exist.", "Correct the link or remove it."),
        "nl": ("De link naar '{target}' wijst naar een bestand dat niet bestaat.", "Verbeter de link of haal hem weg."),
    },
    "bad_config": {
        "en": ("This settings file cannot be read ({detail}).", "Fix the YAML; each entry needs the fields shown in the file's comment."),
        "nl": ("Dit instellingenbestand is niet leesbaar ({detail}).", "Herstel de YAML; elk item heeft de velden uit het commentaar in het bestand nodig."),
    },
}


#: Parts of a sentence chosen by the code (a :class:`Phrase`), in the reader's language too.
PHRASES: Final[dict[str, dict[str, str]]] = {
    "review_past": {"en": "that date has passed", "nl": "die datum is voorbij"},
    "review_today": {"en": "that is today", "nl": "dat is vandaag"},
    "review_tomorrow": {"en": "that is tomorrow", "nl": "dat is morgen"},
    "review_soon": {"en": "that is in {days} days", "nl": "dat is over {days} dagen"},
}


@dataclass(frozen=True)
class Phrase:
    """A message parameter that is itself text (a key of PHRASES): rendered in the reader's
    language, filled with the other parameters."""

    key: str


def render(code: str, lang: str, params: dict[str, object]) -> tuple[str, str]:
    """The (problem, fix) sentences for a problem code, with its parameters filled in."""
    what, fix = MESSAGES[code].get(lang) or MESSAGES[code]["en"]
    values = {key: str(value) for key, value in params.items() if not isinstance(value, Phrase)}
    for key, value in params.items():
        if isinstance(value, Phrase):
            values[key] = (PHRASES[value.key].get(lang) or PHRASES[value.key]["en"]).format(**values)
    return what.format(**values), fix.format(**values)
