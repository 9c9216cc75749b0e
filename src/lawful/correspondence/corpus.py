"""The synthetic labelled corpus the intent classifier learns from, in French, Dutch and English.

Messages are made from templates per intent and language, with slots (product, amount, date,
street, city), a greeting and a closing picked at random, sometimes a sentence of context that
belongs to no intent, sometimes typos and lower case. The same seed gives the same corpus.

Each template has a number; the held-out split is every message made from the last template of
its intent and language, so the evaluation measures wording the model never saw, not the
templates it learnt by heart.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    COMPLAINT = "complaint"
    CARD_BLOCK = "card-block"
    ADDRESS_CHANGE = "address-change"
    INFORMATION = "information"
    INSURANCE_CLAIM = "insurance-claim"
    APPOINTMENT = "appointment"
    CANCELLATION = "cancellation"


LANGUAGES = ("fr", "nl", "en")

T = dict[str, dict[Intent, tuple[str, ...]]]
TEMPLATES: T = {
    "fr": {
        Intent.COMPLAINT: (
            "Je suis très mécontent : on m'a prélevé {amount} sur {product} sans aucune explication.",
            "Je souhaite introduire une plainte. Depuis le {date}, personne ne répond à mes messages concernant {product}.",
            "C'est inadmissible, les frais de {amount} sur {product} n'ont jamais été annoncés. Je demande un remboursement.",
            "Votre service est déplorable, j'attends depuis trois semaines une réponse au sujet de {product}.",
            "Je conteste formellement l'opération de {amount} du {date} sur {product} et j'exige une explication.",
            "Je ne suis pas du tout satisfait de la manière dont mon dossier a été traité et je veux déposer une réclamation au sujet de {product}.",
        ),
        Intent.CARD_BLOCK: (
            "J'ai perdu ma carte ce matin à {city}, pouvez-vous la bloquer immédiatement ?",
            "On m'a volé mon portefeuille avec ma carte de crédit, merci de faire opposition.",
            "Ma carte bancaire a été avalée par le distributeur à {city}, je voudrais la bloquer et en recevoir une nouvelle.",
            "Je ne retrouve plus ma carte Visa depuis le {date}. Veuillez la désactiver s'il vous plaît.",
            "Quelqu'un utilise ma carte sans mon accord, bloquez-la tout de suite.",
            "Ma carte de débit a disparu lors de mon voyage, pourriez-vous la mettre en opposition ?",
        ),
        Intent.ADDRESS_CHANGE: (
            "Je déménage le {date}. Ma nouvelle adresse est {street}, {city}.",
            "Veuillez noter mon changement d'adresse : j'habite désormais {street} à {city}.",
            "Merci de mettre à jour mes coordonnées, je viens d'emménager {street}, {city}.",
            "Pouvez-vous modifier l'adresse de mon dossier ? Nous habitons maintenant à {city}.",
            "Mon adresse postale a changé, envoyez dorénavant le courrier {street} à {city}.",
            "Suite à notre déménagement, notre domicile se trouve à présent {street}, {city}.",
        ),
        Intent.INFORMATION: (
            "Pourriez-vous m'indiquer le taux actuel pour {product} ?",
            "J'aimerais savoir quels documents sont nécessaires pour ouvrir un compte d'épargne.",
            "Quelles sont les conditions pour augmenter la limite de {product} ?",
            "Je souhaiterais recevoir des informations sur vos formules de prêt hypothécaire.",
            "Est-il possible de consulter l'historique de {product} dans l'application ?",
            "Je me demande combien coûte l'envoi d'un virement vers l'étranger, pouvez-vous me renseigner ?",
        ),
        Intent.INSURANCE_CLAIM: (
            "Je dois déclarer un sinistre : un dégât des eaux a abîmé notre cuisine le {date}.",
            "Suite à la tempête du {date}, une partie de notre toiture s'est envolée. Comment déclarer le sinistre ?",
            "Notre cave a été inondée après les fortes pluies, je souhaite ouvrir un dossier auprès de l'assurance habitation.",
            "Un incendie s'est déclaré dans notre garage le {date}, voici la déclaration de sinistre.",
            "Des voleurs sont entrés chez nous le {date}, je voudrais faire intervenir mon assurance.",
            "Une canalisation a éclaté et les dégâts dans le salon sont importants, quelle est la marche à suivre pour l'indemnisation ?",
        ),
        Intent.APPOINTMENT: (
            "Je souhaiterais prendre rendez-vous avec mon conseiller la semaine prochaine.",
            "Serait-il possible de me fixer un rendez-vous à l'agence de {city} le {date} ?",
            "Pouvons-nous convenir d'un entretien pour parler de {product} ?",
            "J'aimerais rencontrer un conseiller pour discuter d'un projet immobilier, quelles sont vos disponibilités ?",
            "Merci de me proposer un créneau pour un rendez-vous en agence.",
            "Mon épouse et moi voudrions voir quelqu'un à l'agence pour faire le point sur nos placements, quand êtes-vous libre ?",
        ),
        Intent.CANCELLATION: (
            "Je souhaite résilier {product} à partir du {date}.",
            "Par la présente, je mets fin à mon contrat d'assurance habitation à son échéance.",
            "Veuillez clôturer mon compte et virer le solde sur mon autre compte.",
            "Je ne veux plus de {product}, merci de procéder à la résiliation.",
            "Je vous informe de ma décision de clôturer {product} dès que possible.",
            "Comme convenu par téléphone, je vous demande d'arrêter le contrat et de m'envoyer une confirmation de la fin.",
        ),
    },
    "nl": {
        Intent.COMPLAINT: (
            "Ik ben zeer ontevreden: er werd {amount} van {product} afgehaald zonder enige uitleg.",
            "Ik wil een klacht indienen. Sinds {date} antwoordt niemand op mijn berichten over {product}.",
            "Dit is onaanvaardbaar, de kosten van {amount} op {product} werden nooit aangekondigd. Ik vraag een terugbetaling.",
            "Uw dienstverlening is bedroevend, ik wacht al drie weken op een antwoord over {product}.",
            "Ik betwist de verrichting van {amount} van {date} op {product} en eis een verklaring.",
            "Ik ben helemaal niet tevreden over de behandeling van mijn dossier en wil een klacht neerleggen over {product}.",
        ),
        Intent.CARD_BLOCK: (
            "Ik ben vanmorgen mijn kaart verloren in {city}, kunt u ze onmiddellijk blokkeren?",
            "Mijn portefeuille met mijn kredietkaart is gestolen, gelieve de kaart te laten blokkeren.",
            "Mijn bankkaart is ingeslikt door de automaat in {city}, ik wil ze blokkeren en een nieuwe ontvangen.",
            "Ik vind mijn Visa-kaart niet meer terug sinds {date}. Wilt u ze deactiveren?",
            "Iemand gebruikt mijn kaart zonder mijn toestemming, blokkeer ze meteen.",
            "Mijn debetkaart is tijdens mijn reis verdwenen, kunnen jullie ze laten stopzetten?",
        ),
        Intent.ADDRESS_CHANGE: (
            "Ik verhuis op {date}. Mijn nieuwe adres is {street}, {city}.",
            "Gelieve mijn adreswijziging te noteren: ik woon nu in de {street} in {city}.",
            "Wilt u mijn gegevens bijwerken, ik ben net verhuisd naar {street}, {city}.",
            "Kunt u het adres in mijn dossier aanpassen? We wonen nu in {city}.",
            "Mijn postadres is veranderd, stuur de post voortaan naar {street} in {city}.",
            "Na onze verhuizing is onze woonplaats nu {street}, {city}.",
        ),
        Intent.INFORMATION: (
            "Kunt u mij de huidige rentevoet voor {product} meedelen?",
            "Ik wil graag weten welke documenten nodig zijn om een spaarrekening te openen.",
            "Wat zijn de voorwaarden om de limiet van {product} te verhogen?",
            "Ik had graag informatie ontvangen over uw formules voor een hypothecaire lening.",
            "Is het mogelijk om de geschiedenis van {product} in de app te bekijken?",
            "Ik vraag me af hoeveel een overschrijving naar het buitenland kost, kunt u me inlichten?",
        ),
        Intent.INSURANCE_CLAIM: (
            "Ik moet schade aangeven: waterschade heeft onze keuken beschadigd op {date}.",
            "Na de storm van {date} is een deel van ons dak weggewaaid. Hoe geef ik de schade aan?",
            "Onze kelder is ondergelopen na de zware regen, ik wil een schadedossier openen bij de woningverzekering.",
            "Op {date} is er brand uitgebroken in onze garage, hierbij de schadeaangifte.",
            "Er is bij ons ingebroken op {date}, ik wil een beroep doen op mijn verzekering.",
            "Een leiding is gesprongen en de schade in de woonkamer is groot, wat moet ik doen voor de vergoeding?",
        ),
        Intent.APPOINTMENT: (
            "Ik wil graag een afspraak maken met mijn adviseur volgende week.",
            "Kan ik een afspraak krijgen in het kantoor van {city} op {date}?",
            "Kunnen we een gesprek plannen over {product}?",
            "Ik zou een adviseur willen ontmoeten om een vastgoedproject te bespreken, wanneer past het?",
            "Gelieve mij een moment voor te stellen voor een afspraak in het kantoor.",
            "Mijn vrouw en ik willen iemand in het kantoor spreken over onze beleggingen, wanneer bent u vrij?",
        ),
        Intent.CANCELLATION: (
            "Ik wil {product} opzeggen vanaf {date}.",
            "Hierbij zeg ik mijn woningverzekering op tegen de vervaldag.",
            "Gelieve mijn rekening af te sluiten en het saldo naar mijn andere rekening over te schrijven.",
            "Ik wil {product} niet meer, gelieve de opzegging te verwerken.",
            "Ik laat u weten dat ik {product} zo snel mogelijk wil beëindigen.",
            "Zoals telefonisch afgesproken vraag ik u het contract stop te zetten en mij een bevestiging van de stopzetting te sturen.",
        ),
    },
    "en": {
        Intent.COMPLAINT: (
            "I am very unhappy: {amount} was taken from {product} without any explanation.",
            "I wish to file a complaint. Since {date} nobody has answered my messages about {product}.",
            "This is unacceptable, the {amount} fee on {product} was never announced. I want a refund.",
            "Your service is appalling, I have been waiting three weeks for an answer about {product}.",
            "I formally dispute the {amount} transaction of {date} on {product} and demand an explanation.",
            "I am not at all satisfied with how my case was handled and want to lodge a grievance about {product}.",
        ),
        Intent.CARD_BLOCK: (
            "I lost my card this morning in {city}, can you block it immediately?",
            "My wallet with my credit card was stolen, please cancel the card.",
            "The cash machine in {city} swallowed my bank card, I would like to block it and get a new one.",
            "I cannot find my Visa card since {date}. Please deactivate it.",
            "Someone is using my card without my consent, block it right away.",
            "My debit card went missing during my trip, could you put a stop on it?",
        ),
        Intent.ADDRESS_CHANGE: (
            "I am moving on {date}. My new address is {street}, {city}.",
            "Please note my change of address: I now live at {street} in {city}.",
            "Please update my details, I have just moved to {street}, {city}.",
            "Can you change the address on my file? We now live in {city}.",
            "My postal address has changed, from now on send the mail to {street}, {city}.",
            "Following our relocation, our home is now at {street}, {city}.",
        ),
        Intent.INFORMATION: (
            "Could you tell me the current rate for {product}?",
            "I would like to know which documents are needed to open a savings account.",
            "What are the conditions for raising the limit of {product}?",
            "I would like to receive information about your mortgage loan offers.",
            "Is it possible to see the history of {product} in the app?",
            "I wonder how much a transfer abroad costs, can you let me know?",
        ),
        Intent.INSURANCE_CLAIM: (
            "I need to report a claim: water damage ruined our kitchen on {date}.",
            "After the storm of {date} part of our roof blew off. How do I report the damage?",
            "Our cellar flooded after the heavy rain, I want to open a claim under the home insurance.",
            "A fire broke out in our garage on {date}, here is the claim form.",
            "We were burgled on {date}, I would like my insurance to cover it.",
            "A pipe burst and the damage in the living room is serious, what should I do to be compensated?",
        ),
        Intent.APPOINTMENT: (
            "I would like to book a meeting with my adviser next week.",
            "Could I have an appointment at the {city} branch on {date}?",
            "Can we schedule a conversation about {product}?",
            "I would like to meet an adviser to discuss a property project, when would suit you?",
            "Please suggest a time slot for an appointment at the branch.",
            "My wife and I would like to see someone at the branch to review our investments, when are you free?",
        ),
        Intent.CANCELLATION: (
            "I want to cancel {product} from {date}.",
            "I hereby terminate my home insurance contract at its renewal date.",
            "Please close my account and transfer the balance to my other account.",
            "I no longer want {product}, please process the termination.",
            "I am letting you know I want to end {product} as soon as possible.",
            "As agreed on the phone, please stop the contract and send me a confirmation that it has ended.",
        ),
    },
}

# Sentences that often come with an intent, whatever the main sentence says: one is added to about
# half the messages, so that the wording of a request is learnt apart from any single template.
MARKERS: T = {
    "fr": {
        Intent.COMPLAINT: (
            "Je trouve cela inacceptable.",
            "Je compte sur un geste de votre part.",
            "Sinon, je m'adresserai à l'Ombudsman.",
        ),
        Intent.CARD_BLOCK: (
            "C'est urgent, merci de faire vite.",
            "Je crains une utilisation frauduleuse.",
            "J'ai besoin d'une carte de remplacement.",
        ),
        Intent.ADDRESS_CHANGE: (
            "Le changement vaut aussi pour mes extraits.",
            "Mon numéro de téléphone ne change pas.",
            "Je joins une copie de ma nouvelle carte d'identité.",
        ),
        Intent.INFORMATION: (
            "Pouvez-vous me renseigner ?",
            "J'aimerais en savoir plus.",
            "Merci de m'envoyer une brochure.",
        ),
        Intent.INSURANCE_CLAIM: (
            "Je joins des photos des dégâts.",
            "Un expert peut-il passer ?",
            "Les réparations sont urgentes.",
        ),
        Intent.APPOINTMENT: (
            "Je suis disponible en fin de journée.",
            "Un entretien vidéo me convient aussi.",
            "Le mardi m'arrange le mieux.",
        ),
        Intent.CANCELLATION: (
            "Merci de me confirmer la date de fin.",
            "Je ne souhaite pas d'offre de remplacement.",
            "Veuillez arrêter les prélèvements.",
        ),
    },
    "nl": {
        Intent.COMPLAINT: (
            "Ik vind dit onaanvaardbaar.",
            "Ik reken op een gebaar van uw kant.",
            "Anders stap ik naar de Ombudsman.",
        ),
        Intent.CARD_BLOCK: (
            "Het is dringend, graag snel.",
            "Ik vrees misbruik van de kaart.",
            "Ik heb een vervangkaart nodig.",
        ),
        Intent.ADDRESS_CHANGE: (
            "De wijziging geldt ook voor mijn uittreksels.",
            "Mijn telefoonnummer blijft hetzelfde.",
            "In bijlage een kopie van mijn nieuwe identiteitskaart.",
        ),
        Intent.INFORMATION: (
            "Kunt u me inlichten?",
            "Ik had graag meer geweten.",
            "Stuur me gerust een brochure.",
        ),
        Intent.INSURANCE_CLAIM: (
            "In bijlage foto's van de schade.",
            "Kan er een expert langskomen?",
            "De herstellingen zijn dringend.",
        ),
        Intent.APPOINTMENT: (
            "Ik ben beschikbaar op het einde van de dag.",
            "Een videogesprek past ook.",
            "Dinsdag past mij het best.",
        ),
        Intent.CANCELLATION: (
            "Gelieve de einddatum te bevestigen.",
            "Ik wil geen vervangend aanbod.",
            "Gelieve de domiciliëring stop te zetten.",
        ),
    },
    "en": {
        Intent.COMPLAINT: (
            "I find this unacceptable.",
            "I expect a gesture from your side.",
            "Otherwise I will go to the Ombudsman.",
        ),
        Intent.CARD_BLOCK: (
            "It is urgent, please be quick.",
            "I fear the card is being misused.",
            "I need a replacement card.",
        ),
        Intent.ADDRESS_CHANGE: (
            "The change applies to my statements too.",
            "My phone number stays the same.",
            "Attached is a copy of my new identity card.",
        ),
        Intent.INFORMATION: (
            "Can you let me know?",
            "I would like to know more.",
            "Feel free to send me a brochure.",
        ),
        Intent.INSURANCE_CLAIM: (
            "Attached are photos of the damage.",
            "Can an expert come by?",
            "The repairs are urgent.",
        ),
        Intent.APPOINTMENT: (
            "I am free at the end of the day.",
            "A video call suits me too.",
            "Tuesday suits me best.",
        ),
        Intent.CANCELLATION: (
            "Please confirm the end date.",
            "I do not want a replacement offer.",
            "Please stop the direct debits.",
        ),
    },
}

PRODUCTS = {
    "fr": (
        "ma carte de crédit",
        "mon compte à vue",
        "mon prêt hypothécaire",
        "mon assurance habitation",
        "mon compte d'épargne",
        "ma carte Visa",
    ),
    "nl": (
        "mijn kredietkaart",
        "mijn zichtrekening",
        "mijn hypothecaire lening",
        "mijn woningverzekering",
        "mijn spaarrekening",
        "mijn Visa-kaart",
    ),
    "en": (
        "my credit card",
        "my current account",
        "my mortgage",
        "my home insurance",
        "my savings account",
        "my Visa card",
    ),
}
GREETINGS = {
    "fr": ("Bonjour,", "Madame, Monsieur,", "Chère Madame,", "Bonjour Madame,", ""),
    "nl": ("Goedendag,", "Geachte mevrouw, meneer,", "Beste,", "Hallo,", ""),
    "en": ("Hello,", "Dear Sir or Madam,", "Dear team,", "Hi,", ""),
}
CLOSINGS = {
    "fr": (
        "Cordialement,",
        "Bien à vous,",
        "Merci d'avance.",
        "Veuillez agréer mes salutations distinguées.",
        "",
    ),
    "nl": ("Met vriendelijke groeten,", "Alvast bedankt.", "Groeten,", "Hoogachtend,", ""),
    "en": ("Kind regards,", "Thanks in advance.", "Best wishes,", "Yours faithfully,", ""),
}
CONTEXT = {
    "fr": (
        "Je suis client chez vous depuis quinze ans.",
        "Je vous écris depuis l'étranger.",
        "Mon numéro de client figure ci-dessous.",
        "J'ai déjà appelé hier.",
    ),
    "nl": (
        "Ik ben al vijftien jaar klant bij u.",
        "Ik schrijf u vanuit het buitenland.",
        "Mijn klantnummer staat hieronder.",
        "Ik heb gisteren al gebeld.",
    ),
    "en": (
        "I have been your customer for fifteen years.",
        "I am writing from abroad.",
        "My customer number is below.",
        "I already called yesterday.",
    ),
}
CITIES = (
    "Bruxelles",
    "Gent",
    "Liège",
    "Antwerpen",
    "Namur",
    "Leuven",
    "Mons",
    "Brugge",
    "Hasselt",
    "Charleroi",
)
STREETS = (
    "rue de la Loi 16",
    "Veldstraat 12",
    "Meir 45",
    "rue Neuve 3",
    "Grote Markt 1",
    "chaussée de Waterloo 210",
    "Bondgenotenlaan 8",
)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: Intent
    language: str
    template: int
    held_out: bool


def _typos(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randrange(1, 4)):
        i = rng.randrange(len(chars) - 1)
        if chars[i].isalpha() and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def _fill(rng: random.Random, template: str, language: str) -> str:
    return template.format(
        product=rng.choice(PRODUCTS[language]),
        amount=f"{rng.randrange(5, 900)},{rng.randrange(100):02d} EUR",
        date=f"{rng.randrange(1, 29)}/{rng.randrange(1, 13):02d}",
        city=rng.choice(CITIES),
        street=rng.choice(STREETS),
    )


def message(rng: random.Random, intent: Intent, language: str, template: int) -> str:
    """One message of `intent` in `language` from template number `template`."""
    lines = [rng.choice(GREETINGS[language])]
    if rng.random() < 0.3:
        lines.append(rng.choice(CONTEXT[language]))
    lines.append(_fill(rng, TEMPLATES[language][intent][template], language))
    if rng.random() < 0.5:
        lines.append(rng.choice(MARKERS[language][intent]))
    if rng.random() < 0.2:
        lines.append(rng.choice(CONTEXT[language]))
    lines.append(rng.choice(CLOSINGS[language]))
    text = "\n".join(line for line in lines if line)
    if rng.random() < 0.15:
        text = _typos(rng, text)
    if rng.random() < 0.1:
        text = text.lower()
    return text


def generate(*, per_class: int = 480, seed: int = 20261207) -> list[Example]:
    """`per_class` distinct messages of each intent (fewer only if a template cannot make that
    many), spread evenly over the languages and templates."""
    rng = random.Random(seed)
    out = []
    seen: set[str] = set()
    for intent in Intent:
        for i in range(per_class):
            language = LANGUAGES[i % len(LANGUAGES)]
            count = len(TEMPLATES[language][intent])
            template = (i // len(LANGUAGES)) % count
            # No message twice: a held-out message must not be one trained on.
            for _ in range(50):
                text = message(rng, intent, language, template)
                if text not in seen:
                    break
            else:
                continue
            seen.add(text)
            out.append(Example(text, intent, language, template, template == count - 1))
    return out


def stream(seed: int) -> Iterator[tuple[str, Intent, str]]:
    """Messages without end, of every intent and language: the benchmark's mail."""
    rng = random.Random(seed)
    while True:
        intent = rng.choice(list(Intent))
        language = rng.choice(LANGUAGES)
        template = rng.randrange(len(TEMPLATES[language][intent]))
        yield message(rng, intent, language, template), intent, language
