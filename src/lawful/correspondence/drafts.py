"""Answers drafted from templates, per intent and language, for staff to correct and approve.

A message in German, or in no language recognised, is answered in the person's own language on
file. The templates take the person's name, read through the gate, and nothing else: a draft
promises no outcome (no refund, no date) that a staff member has not written in themselves.
"""

from __future__ import annotations

from lawful.correspondence.corpus import Intent

ANSWER_LANGUAGES = ("fr", "nl", "en")

GREETING = {
    "fr": "Bonjour {name},",
    "nl": "Beste {name},",
    "en": "Dear {name},",
}
SIGNATURE = {
    "fr": "Nous restons à votre disposition pour toute question.\n\nBien cordialement,\n{sender}",
    "nl": "Hebt u nog vragen, dan helpen we u graag verder.\n\nMet vriendelijke groeten,\n{sender}",
    "en": "Please let us know if you have any further questions.\n\nKind regards,\n{sender}",
}
BODY: dict[str, dict[Intent, str]] = {
    "fr": {
        Intent.COMPLAINT: (
            "Nous avons bien reçu votre plainte et vous remercions de nous l'avoir signalée. "
            "Elle est enregistrée dans notre registre des plaintes et un gestionnaire l'examine. "
            "Vous recevrez notre réponse dans les délais légaux ; si nous avons besoin "
            "d'informations complémentaires, nous vous contacterons."
        ),
        Intent.CARD_BLOCK: (
            "Nous avons bien reçu votre message concernant votre carte. Pour la bloquer sans "
            "attendre, appelez Card Stop au 078 170 170, jour et nuit. Nous vous confirmerons "
            "ensuite l'envoi d'une nouvelle carte."
        ),
        Intent.ADDRESS_CHANGE: (
            "Merci de nous avoir communiqué votre nouvelle adresse. Nous l'enregistrons dans "
            "votre dossier dès que nous l'avons vérifiée et vous en informons."
        ),
        Intent.INFORMATION: (
            "Merci pour votre question. Voici les informations demandées : [à compléter par le "
            "collaborateur]."
        ),
        Intent.INSURANCE_CLAIM: (
            "Nous avons bien reçu votre déclaration de sinistre. Un gestionnaire ouvre votre "
            "dossier et vous indiquera les documents utiles (photos, factures). Conservez si "
            "possible les objets endommagés jusqu'à son passage."
        ),
        Intent.APPOINTMENT: (
            "Nous vous remercions de votre demande de rendez-vous. Nous vous proposons le "
            "[date et heure à compléter] à l'agence. Si ce moment ne vous convient pas, "
            "dites-le-nous."
        ),
        Intent.CANCELLATION: (
            "Nous avons bien reçu votre demande de résiliation. Nous la traitons et vous "
            "confirmerons par écrit la date à laquelle elle prend effet."
        ),
    },
    "nl": {
        Intent.COMPLAINT: (
            "We hebben uw klacht goed ontvangen en danken u dat u ze ons meldt. Ze is "
            "opgenomen in ons klachtenregister en een klachtenbehandelaar onderzoekt ze. U "
            "krijgt ons antwoord binnen de wettelijke termijn; als we meer informatie nodig "
            "hebben, nemen we contact met u op."
        ),
        Intent.CARD_BLOCK: (
            "We hebben uw bericht over uw kaart goed ontvangen. Om ze meteen te blokkeren, "
            "belt u Card Stop op 078 170 170, dag en nacht. Daarna bevestigen we u dat een "
            "nieuwe kaart verstuurd wordt."
        ),
        Intent.ADDRESS_CHANGE: (
            "Bedankt om ons uw nieuwe adres te bezorgen. We nemen het op in uw dossier zodra "
            "we het nagekeken hebben en laten het u weten."
        ),
        Intent.INFORMATION: (
            "Bedankt voor uw vraag. Hier is de gevraagde informatie: [aan te vullen door de "
            "medewerker]."
        ),
        Intent.INSURANCE_CLAIM: (
            "We hebben uw schadeaangifte goed ontvangen. Een dossierbeheerder opent uw dossier "
            "en laat u weten welke documenten nodig zijn (foto's, facturen). Bewaar de "
            "beschadigde voorwerpen zo mogelijk tot zijn bezoek."
        ),
        Intent.APPOINTMENT: (
            "Bedankt voor uw vraag om een afspraak. We stellen u [datum en uur aan te vullen] "
            "in het kantoor voor. Past dat moment niet, laat het ons dan weten."
        ),
        Intent.CANCELLATION: (
            "We hebben uw opzegging goed ontvangen. We verwerken ze en bevestigen u schriftelijk "
            "vanaf welke datum ze ingaat."
        ),
    },
    "en": {
        Intent.COMPLAINT: (
            "We have received your complaint and thank you for letting us know. It is recorded "
            "in our complaints register and a complaint handler is looking into it. You will "
            "receive our answer within the legal time limit; if we need more information, we "
            "will contact you."
        ),
        Intent.CARD_BLOCK: (
            "We have received your message about your card. To block it at once, call Card Stop "
            "on +32 78 170 170, day and night. We will then confirm that a new card is on its way."
        ),
        Intent.ADDRESS_CHANGE: (
            "Thank you for sending us your new address. We will record it in your file once we "
            "have checked it, and let you know."
        ),
        Intent.INFORMATION: (
            "Thank you for your question. Here is the information you asked for: [to be "
            "completed by the staff member]."
        ),
        Intent.INSURANCE_CLAIM: (
            "We have received your claim. A claims handler is opening your file and will tell "
            "you which documents are needed (photos, invoices). If possible, keep the damaged "
            "items until the visit."
        ),
        Intent.APPOINTMENT: (
            "Thank you for asking for an appointment. We suggest [date and time to be completed] "
            "at the branch. If that time does not suit you, please tell us."
        ),
        Intent.CANCELLATION: (
            "We have received your request to cancel. We are processing it and will confirm in "
            "writing the date from which it takes effect."
        ),
    },
}


def answer_language(detected: str | None, on_file: str | None) -> str:
    if detected in ANSWER_LANGUAGES:
        return detected
    return on_file if on_file in ANSWER_LANGUAGES else "en"


def compose(*, intent: Intent, language: str, name: str, sender: str) -> str:
    return "\n\n".join(
        (
            GREETING[language].format(name=name),
            BODY[language][intent],
            SIGNATURE[language].format(sender=sender),
        )
    )
