"""What the assistant says, in French, Dutch and English. Every fact in an answer is a value
filled in from the customer file, the register or the ledger; the wording around it is fixed."""

from __future__ import annotations

REPLIES: dict[str, dict[str, str]] = {
    "notice": {
        "fr": (
            "Bonjour, je suis {assistant}. Notre conversation est enregistrée et gardée un an "
            "pour le suivi de vos questions, puis effacée ; un échantillon peut être relu pour "
            "contrôler la qualité de nos réponses."
        ),
        "nl": (
            "Dag, ik ben {assistant}. Ons gesprek wordt opgenomen en een jaar bewaard om uw "
            "vragen op te volgen, daarna gewist; een steekproef kan nagelezen worden om de "
            "kwaliteit van onze antwoorden te controleren."
        ),
        "en": (
            "Hello, I am {assistant}. Our conversation is recorded and kept for a year to "
            "follow up "
            "your questions, then erased; a sample may be read to check the quality of our answers."
        ),
    },
    "greeting": {
        "fr": (
            "Je peux vous dire quels produits vous avez chez nous, ce que nous savons de vous, à "
            "qui nous avons communiqué vos données, ou enregistrer votre opposition au marketing "
            "direct. Que souhaitez-vous savoir ?"
        ),
        "nl": (
            "Ik kan u zeggen welke producten u bij ons hebt, wat we over u weten, aan wie we uw "
            "gegevens doorgegeven hebben, of uw bezwaar tegen direct marketing registreren. Wat "
            "wilt u weten?"
        ),
        "en": (
            "I can tell you which products you have with us, what we know about you, whom we "
            "shared your data with, or record your objection to direct marketing. What would you "
            "like to know?"
        ),
    },
    "products": {
        "fr": "D'après votre dossier, vous avez chez nous : {items}.",
        "nl": "Volgens uw dossier hebt u bij ons: {items}.",
        "en": "According to your file, you have with us: {items}.",
    },
    "no_products": {
        "fr": "Votre dossier ne mentionne aucun produit chez nous.",
        "nl": "Uw dossier vermeldt geen enkel product bij ons.",
        "en": "Your file lists no product with us.",
    },
    "my_data": {
        "fr": (
            "Votre dossier contient : {fields}. {products} Vous pouvez demander la copie complète "
            "de vos données et de ce que nous en avons fait (droit d'accès)."
        ),
        "nl": (
            "Uw dossier bevat: {fields}. {products} U kunt een volledige kopie vragen van uw "
            "gegevens en van wat we ermee gedaan hebben (recht op inzage)."
        ),
        "en": (
            "Your file holds: {fields}. {products} You can ask for a full copy of your data and of "
            "what we did with it (right of access)."
        ),
    },
    "shared": {
        "fr": (
            "D'après le registre de ce que nous avons fait de vos données, nous les avons "
            "communiquées à : {items}."
        ),
        "nl": (
            "Volgens het register van wat we met uw gegevens gedaan hebben, hebben we ze "
            "doorgegeven aan: {items}."
        ),
        "en": "According to the record of what we did with your data, we shared it with: {items}.",
    },
    "shared_item": {
        "fr": "{recipient} (le {date}, pour « {purpose} »)",
        "nl": "{recipient} (op {date}, voor ‘{purpose}’)",
        "en": "{recipient} (on {date}, for “{purpose}”)",
    },
    "shared_none": {
        "fr": (
            "Le registre de ce que nous avons fait de vos données ne mentionne aucune "
            "communication à un destinataire."
        ),
        "nl": (
            "Het register van wat we met uw gegevens gedaan hebben, vermeldt geen enkele doorgifte "
            "aan een ontvanger."
        ),
        "en": "The record of what we did with your data shows no disclosure to any recipient.",
    },
    "confirm_dm": {
        "fr": (
            "Vous souhaitez que nous n'utilisions plus vos données pour du marketing direct "
            "(offres personnalisées et profilage qui les prépare). Confirmez-vous ? Répondez "
            "« oui » ou « non »."
        ),
        "nl": (
            "U wilt dat we uw gegevens niet meer gebruiken voor direct marketing "
            "(gepersonaliseerde "
            "aanbiedingen en de profilering die ze voorbereidt). Bevestigt u dat? Antwoord ‘ja’ "
            "of ‘nee’."
        ),
        "en": (
            "You want us to stop using your data for direct marketing (personalised offers and the "
            "profiling that prepares them). Do you confirm? Answer “yes” or “no”."
        ),
    },
    "dm_recorded": {
        "fr": (
            "C'est fait : votre opposition au marketing direct est enregistrée et s'applique "
            "immédiatement."
        ),
        "nl": "Gebeurd: uw bezwaar tegen direct marketing is geregistreerd en geldt meteen.",
        "en": "Done: your objection to direct marketing is recorded and applies at once.",
    },
    "dm_already": {
        "fr": (
            "Votre opposition au marketing direct était déjà enregistrée ; elle reste "
            "d'application."
        ),
        "nl": "Uw bezwaar tegen direct marketing was al geregistreerd; het blijft gelden.",
        "en": "Your objection to direct marketing was already recorded; it still applies.",
    },
    "dm_cancelled": {
        "fr": "Très bien, je ne change rien.",
        "nl": "Goed, ik verander niets.",
        "en": "All right, I change nothing.",
    },
    "handover": {
        "fr": (
            "Je ne trouve pas de quoi vous répondre avec certitude dans votre dossier. Je vous "
            "passe à un collaborateur, qui reprendra votre question."
        ),
        "nl": (
            "Ik vind in uw dossier niets om u met zekerheid te antwoorden. Ik verbind u door met "
            "een medewerker, die uw vraag overneemt."
        ),
        "en": (
            "I cannot find anything in your file to answer this with certainty. I am handing you "
            "over to a member of staff, who will take up your question."
        ),
    },
    "handover_offer": {
        "fr": (
            "Je ne peux pas expliquer cette offre à partir de votre dossier. Je vous passe à un "
            "collaborateur, qui pourra vous dire pourquoi vous l'avez reçue."
        ),
        "nl": (
            "Ik kan dit aanbod niet uitleggen op basis van uw dossier. Ik verbind u door met een "
            "medewerker, die u kan zeggen waarom u het kreeg."
        ),
        "en": (
            "I cannot explain this offer from your file. I am handing you over to a member of "
            "staff, who can tell you why you received it."
        ),
    },
    "handover_asked": {
        "fr": "Je vous passe à un collaborateur.",
        "nl": "Ik verbind u door met een medewerker.",
        "en": "I am handing you over to a member of staff.",
    },
}

# Names of what a file holds, for answers: singular and plural.
PRODUCT_NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "accounts": {
        "fr": ("compte", "comptes"),
        "nl": ("rekening", "rekeningen"),
        "en": ("account", "accounts"),
    },
    "cards": {"fr": ("carte", "cartes"), "nl": ("kaart", "kaarten"), "en": ("card", "cards")},
    "loans": {"fr": ("crédit", "crédits"), "nl": ("krediet", "kredieten"), "en": ("loan", "loans")},
    "home_policies": {
        "fr": ("assurance habitation", "assurances habitation"),
        "nl": ("woningverzekering", "woningverzekeringen"),
        "en": ("home insurance policy", "home insurance policies"),
    },
}
FIELD_NAMES: dict[str, dict[str, str]] = {
    "name": {"fr": "votre nom", "nl": "uw naam", "en": "your name"},
    "birth_date": {
        "fr": "votre date de naissance",
        "nl": "uw geboortedatum",
        "en": "your date of birth",
    },
    "email": {"fr": "votre adresse e-mail", "nl": "uw e-mailadres", "en": "your e-mail address"},
    "phone": {
        "fr": "votre numéro de téléphone",
        "nl": "uw telefoonnummer",
        "en": "your phone number",
    },
    "address": {"fr": "votre adresse", "nl": "uw adres", "en": "your address"},
    "national_number": {
        "fr": "votre numéro de registre national",
        "nl": "uw rijksregisternummer",
        "en": "your national register number",
    },
    "language": {"fr": "votre langue", "nl": "uw taal", "en": "your language"},
}


def say(key: str, lang: str, **values: str) -> str:
    return REPLIES[key][lang].format(**values)
