"""Every text the privacy centre shows, in French, Dutch and English.

The texts about a purpose, an objection or a timeline line come from the register and the rights
domain (the same words as the statement and the access report); these are the page's own.
"""

from __future__ import annotations

from lawful.webui.texts_pages import PAGE_TEXTS

LANGUAGES = ("fr", "nl", "en")
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "site": "Centre de confidentialité",
        "skip": "Aller au contenu",
        "nav": "Menu du centre de confidentialité",
        "nav.data": "Mes données",
        "nav.timeline": "Mon historique",
        "nav.choices": "Mes choix",
        "nav.requests": "Mes demandes",
        "nav.statement": "Déclaration de confidentialité",
        "language": "Langue",
        "logout": "Se déconnecter",
        "hello": "Bonjour {name}",
        "login.title": "Se connecter",
        "login.intro": (
            "Collez le jeton d'accès que vous a donné l'application. Il reste valable une heure ; "
            "il n'est ni affiché ni conservé dans votre navigateur au-delà de votre visite."
        ),
        "login.token": "Jeton d'accès",
        "login.submit": "Se connecter",
        "login.refused": "Ce jeton n'est pas valable ou a expiré. Demandez-en un nouveau.",
        "login.staff": (
            "Ce jeton appartient à un système du groupe : il n'ouvre ni le centre de "
            "confidentialité ni la console du personnel."
        ),
        "login.api": "Pour les développeurs : la documentation de l'API",
        "csrf.title": "Formulaire refusé",
        "csrf.text": (
            "Ce formulaire n'a pas été envoyé depuis votre session. Rien n'a été modifié. "
            "Revenez à la page et réessayez."
        ),
        "notfound.title": "Page introuvable",
        "notfound.text": "Cette page n'existe pas ou ne vous concerne pas.",
        "back": "Retour à mes données",
        "data.title": "Mes données",
        "data.empty": "Aucune donnée dans cette rubrique.",
        "data.download.html": "Rapport (HTML)",
        "data.download.pdf": "Rapport (PDF)",
        "timeline.title": "Mon historique",
        "timeline.intro": (
            "Ce que nous avons fait de vos données, quand et pourquoi, tel que l'enregistre notre "
            "registre infalsifiable. Chaque ligne porte l'état de sa preuve."
        ),
        "timeline.when": "Date",
        "timeline.what": "Ce qui a été fait et pourquoi",
        "timeline.proof": "Preuve",
        "timeline.included": "Prouvé dans le registre signé",
        "timeline.pending": "En attente de signature",
        "timeline.empty": "Rien n'a encore été enregistré.",
        "timeline.page": "Page {page} sur {pages}",
        "timeline.previous": "Page précédente",
        "timeline.next": "Page suivante",
        "timeline.pages": "Pages de l'historique",
        "choices.title": "Mes choix",
        "choices.intro": "Chaque choix s'applique immédiatement et est enregistré.",
        "choices.dm.title": "Marketing direct",
        "choices.dm.effect": (
            "Si vous vous y opposez, nous cessons d'utiliser vos données pour vous proposer nos "
            "produits : plus d'offres personnalisées, plus de messages commerciaux, par aucun "
            "canal. Cela n'a aucun effet sur vos contrats ni sur les messages obligatoires."
        ),
        "choices.dm.object": "Je m'oppose au marketing direct",
        "choices.dm.active": "Votre opposition au marketing direct est en vigueur : il est arrêté.",
        "choices.dm.withdraw": "Retirer mon opposition",
        "choices.dm.withdraw.effect": (
            "Si vous retirez votre opposition, nous pourrons à nouveau vous proposer nos "
            "produits, selon vos préférences ci-dessous."
        ),
        "choices.done.object": "C'est fait : votre opposition au marketing direct est enregistrée.",
        "choices.done.withdraw": "C'est fait : votre opposition est retirée.",
        "choices.objections": "Mes oppositions",
        "choices.notifications": "Mes notifications",
        "choices.none": "aucun",
        "choices.mandatory": "obligatoire",
        "requests.title": "Mes demandes",
        "requests.intro": (
            "Vos demandes au titre de vos droits, et la date à laquelle nous devons vous "
            "répondre au plus tard."
        ),
        "requests.type": "Demande",
        "requests.received": "Reçue le",
        "requests.deadline": "Réponse au plus tard le",
        "requests.status": "État",
        "requests.empty": "Vous n'avez fait aucune demande.",
        "requests.extended": "Délai prolongé : {reason}",
        "statement.title": "Déclaration de confidentialité",
        "statement.intro": (
            "Notre déclaration de confidentialité, qui commence par un résumé d'une page. Le "
            "rapport personnel reprend vos données et tout ce que nous en avons fait."
        ),
        "statement.html": "Lire la déclaration (HTML)",
        "statement.pdf": "Télécharger la déclaration (PDF)",
        "statement.report": "Mon rapport personnel",
        "new_window": "(PDF)",
        "status.received": "reçue",
        "status.in_progress": "en cours",
        "status.completed": "traitée",
        "status.refused": "refusée",
        "type.access": "accès à mes données",
        "type.rectification": "rectification",
        "type.erasure": "effacement",
        "type.restriction": "limitation",
        "type.portability": "portabilité",
        "type.objection": "opposition",
        "dpo.open": "Lire les motifs et trancher",
        "dpo.back": "Retour aux oppositions à trancher",
        "dpo.status": "État",
        "dpo.their_grounds": "Les motifs de la personne",
        "dpo.nav": "Oppositions à trancher",
        "dpo.title": "Oppositions à trancher",
        "dpo.intro": (
            "Les oppositions fondées sur une situation particulière (art. 21, paragraphe 1, du "
            "RGPD) reçues par votre entité, l'échéance la plus proche d'abord. L'usage concerné "
            "est suspendu jusqu'à votre décision."
        ),
        "dpo.person": "Personne",
        "dpo.purpose": "Usage visé",
        "dpo.received": "Reçue le",
        "dpo.deadline": "Échéance",
        "dpo.decision": "Décision",
        "dpo.grounds": "Motifs impérieux et légitimes (obligatoires pour rejeter)",
        "dpo.uphold": "Accueillir l'opposition",
        "dpo.reject": "Rejeter l'opposition",
        "dpo.empty": "Aucune opposition n'attend de décision.",
        "dpo.done.upheld": "C'est fait : l'opposition est accueillie et l'usage reste arrêté.",
        "dpo.done.rejected": "C'est fait : l'opposition est rejetée, motifs à l'appui.",
        "dpo.error.grounds": "Pour rejeter une opposition, écrivez les motifs impérieux.",
        "dpo.error.decided": "Cette opposition a déjà été tranchée.",
        "consent.blocked": (
            "Tant que votre opposition au marketing direct est en vigueur, cet usage reste "
            "arrêté, même avec votre accord."
        ),
        "consent.given": "Vous avez donné votre accord.",
        "consent.not_given": "Vous n'avez pas donné votre accord.",
        "consent.give": "Je donne mon accord",
        "consent.give.effect": (
            "Si vous donnez votre accord, nous utiliserons vos données comme décrit ci-dessus. "
            "Vous pourrez le retirer à tout moment, ici, d'un clic."
        ),
        "consent.withdraw": "Je retire mon accord",
        "consent.withdraw.effect": (
            "Si vous retirez votre accord, nous arrêtons aussitôt cet usage de vos données. "
            "Ce que nous avons fait avant reste licite."
        ),
        "choices.done.consent": "C'est fait : votre accord est enregistré.",
        "choices.done.unconsent": "C'est fait : votre accord est retiré.",
        "objection.dm": "Tout le marketing direct",
        "objection.pending": "en attente de décision",
        "objection.upheld": "en vigueur",
        "objection.rejected": "rejetée",
        "objection.withdrawn": "retirée",
        "objection.received": "reçue le {date}",
        "withheld.dm_objection": "arrêté : votre opposition au marketing direct",
        "withheld.objection": "arrêté : votre opposition à cet usage",
        "withheld.opt_in_required": "seulement avec votre accord",
        "withheld.consent_missing": "seulement avec votre consentement",
        "channel.in_app": "dans l'application",
        "channel.email": "e-mail",
        "channel.sms": "SMS",
        "channel.letter": "courrier",
        "channel.push": "notification push",
    },
    "nl": {
        "site": "Privacycentrum",
        "skip": "Naar de inhoud",
        "nav": "Menu van het privacycentrum",
        "nav.data": "Mijn gegevens",
        "nav.timeline": "Mijn historiek",
        "nav.choices": "Mijn keuzes",
        "nav.requests": "Mijn verzoeken",
        "nav.statement": "Privacyverklaring",
        "language": "Taal",
        "logout": "Afmelden",
        "hello": "Dag {name}",
        "login.title": "Aanmelden",
        "login.intro": (
            "Plak het toegangstoken dat u van de app kreeg. Het blijft een uur geldig; uw browser "
            "toont het niet en bewaart het niet langer dan uw bezoek."
        ),
        "login.token": "Toegangstoken",
        "login.submit": "Aanmelden",
        "login.refused": "Dit token is niet geldig of is verlopen. Vraag een nieuw aan.",
        "login.staff": (
            "Dit token hoort bij een systeem van de groep: het opent het privacycentrum noch "
            "de personeelsconsole."
        ),
        "login.api": "Voor ontwikkelaars: de documentatie van de API",
        "csrf.title": "Formulier geweigerd",
        "csrf.text": (
            "Dit formulier kwam niet uit uw sessie. Er is niets gewijzigd. Ga terug naar de "
            "pagina en probeer opnieuw."
        ),
        "notfound.title": "Pagina niet gevonden",
        "notfound.text": "Deze pagina bestaat niet of gaat niet over u.",
        "back": "Terug naar mijn gegevens",
        "data.title": "Mijn gegevens",
        "data.empty": "Geen gegevens in deze rubriek.",
        "data.download.html": "Rapport (HTML)",
        "data.download.pdf": "Rapport (PDF)",
        "timeline.title": "Mijn historiek",
        "timeline.intro": (
            "Wat we met uw gegevens deden, wanneer en waarom, zoals ons onvervalsbaar register "
            "het vastlegt. Bij elke regel staat hoe ver het bewijs is."
        ),
        "timeline.when": "Datum",
        "timeline.what": "Wat er gebeurde en waarom",
        "timeline.proof": "Bewijs",
        "timeline.included": "Bewezen in het ondertekende register",
        "timeline.pending": "Wacht op ondertekening",
        "timeline.empty": "Er is nog niets vastgelegd.",
        "timeline.page": "Pagina {page} van {pages}",
        "timeline.previous": "Vorige pagina",
        "timeline.next": "Volgende pagina",
        "timeline.pages": "Pagina's van de historiek",
        "choices.title": "Mijn keuzes",
        "choices.intro": "Elke keuze geldt meteen en wordt vastgelegd.",
        "choices.dm.title": "Direct marketing",
        "choices.dm.effect": (
            "Als u bezwaar maakt, gebruiken we uw gegevens niet meer om u onze producten aan te "
            "bieden: geen persoonlijke aanbiedingen en geen commerciële berichten meer, via geen "
            "enkel kanaal. Uw contracten en de verplichte berichten blijven ongewijzigd."
        ),
        "choices.dm.object": "Ik maak bezwaar tegen direct marketing",
        "choices.dm.active": "U maakte bezwaar tegen direct marketing. Die is stopgezet.",
        "choices.dm.withdraw": "Mijn bezwaar intrekken",
        "choices.dm.withdraw.effect": (
            "Als u uw bezwaar intrekt, kunnen we u opnieuw onze producten aanbieden, volgens uw "
            "voorkeuren hieronder."
        ),
        "choices.done.object": "Gedaan: uw bezwaar tegen direct marketing is vastgelegd.",
        "choices.done.withdraw": "Gedaan: uw bezwaar is ingetrokken.",
        "choices.objections": "Mijn bezwaren",
        "choices.notifications": "Mijn meldingen",
        "choices.none": "geen",
        "choices.mandatory": "verplicht",
        "requests.title": "Mijn verzoeken",
        "requests.intro": (
            "Uw verzoeken om uw rechten uit te oefenen, en de datum waarop we uiterlijk moeten "
            "antwoorden."
        ),
        "requests.type": "Verzoek",
        "requests.received": "Ontvangen op",
        "requests.deadline": "Antwoord uiterlijk op",
        "requests.status": "Stand",
        "requests.empty": "U hebt geen verzoeken gedaan.",
        "requests.extended": "Termijn verlengd: {reason}",
        "statement.title": "Privacyverklaring",
        "statement.intro": (
            "Onze privacyverklaring, die begint met een samenvatting van één pagina. Het "
            "persoonlijke rapport bevat uw gegevens en alles wat we ermee deden."
        ),
        "statement.html": "De verklaring lezen (HTML)",
        "statement.pdf": "De verklaring downloaden (PDF)",
        "statement.report": "Mijn persoonlijk rapport",
        "new_window": "(PDF)",
        "status.received": "ontvangen",
        "status.in_progress": "in behandeling",
        "status.completed": "afgehandeld",
        "status.refused": "geweigerd",
        "type.access": "inzage in mijn gegevens",
        "type.rectification": "verbetering",
        "type.erasure": "wissing",
        "type.restriction": "beperking",
        "type.portability": "overdraagbaarheid",
        "type.objection": "bezwaar",
        "dpo.open": "De gronden lezen en beslissen",
        "dpo.back": "Terug naar de bezwaren om over te beslissen",
        "dpo.status": "Stand",
        "dpo.their_grounds": "De gronden van de persoon",
        "dpo.nav": "Bezwaren om te beslissen",
        "dpo.title": "Bezwaren om over te beslissen",
        "dpo.intro": (
            "De bezwaren op grond van een specifieke situatie (art. 21, lid 1, AVG) die uw "
            "entiteit ontving, de dichtste termijn eerst. Het betrokken gebruik ligt stil tot u "
            "beslist."
        ),
        "dpo.person": "Persoon",
        "dpo.purpose": "Betrokken gebruik",
        "dpo.received": "Ontvangen op",
        "dpo.deadline": "Termijn",
        "dpo.decision": "Beslissing",
        "dpo.grounds": "Dwingende gerechtvaardigde gronden (verplicht om af te wijzen)",
        "dpo.uphold": "Het bezwaar inwilligen",
        "dpo.reject": "Het bezwaar afwijzen",
        "dpo.empty": "Er wacht geen enkel bezwaar op een beslissing.",
        "dpo.done.upheld": "Gedaan: het bezwaar is ingewilligd en het gebruik blijft stopgezet.",
        "dpo.done.rejected": "Gedaan: het bezwaar is afgewezen, met de gronden erbij.",
        "dpo.error.grounds": "Schrijf de dwingende gronden op om een bezwaar af te wijzen.",
        "dpo.error.decided": "Over dit bezwaar is al beslist.",
        "consent.blocked": (
            "Zolang uw bezwaar tegen direct marketing geldt, blijft dit gebruik stopgezet, ook met "
            "uw toestemming."
        ),
        "consent.given": "U gaf uw toestemming.",
        "consent.not_given": "U gaf geen toestemming.",
        "consent.give": "Ik geef mijn toestemming",
        "consent.give.effect": (
            "Als u uw toestemming geeft, gebruiken we uw gegevens zoals hierboven beschreven. U "
            "kunt ze altijd intrekken, hier, met één klik."
        ),
        "consent.withdraw": "Ik trek mijn toestemming in",
        "consent.withdraw.effect": (
            "Als u uw toestemming intrekt, stoppen we meteen met dit gebruik van uw gegevens. Wat "
            "we eerder deden, blijft rechtmatig."
        ),
        "choices.done.consent": "Gedaan: uw toestemming is vastgelegd.",
        "choices.done.unconsent": "Gedaan: uw toestemming is ingetrokken.",
        "objection.dm": "Alle direct marketing",
        "objection.pending": "wacht op een beslissing",
        "objection.upheld": "van kracht",
        "objection.rejected": "afgewezen",
        "objection.withdrawn": "ingetrokken",
        "objection.received": "ontvangen op {date}",
        "withheld.dm_objection": "stopgezet: u maakte bezwaar tegen direct marketing",
        "withheld.objection": "stopgezet: u maakte bezwaar tegen dit gebruik",
        "withheld.opt_in_required": "alleen met uw akkoord",
        "withheld.consent_missing": "alleen met uw toestemming",
        "channel.in_app": "in de app",
        "channel.email": "e-mail",
        "channel.sms": "sms",
        "channel.letter": "brief",
        "channel.push": "pushbericht",
    },
    "en": {
        "site": "Privacy centre",
        "skip": "Skip to content",
        "nav": "Privacy centre menu",
        "nav.data": "My data",
        "nav.timeline": "My timeline",
        "nav.choices": "My choices",
        "nav.requests": "My requests",
        "nav.statement": "Privacy statement",
        "language": "Language",
        "logout": "Log out",
        "hello": "Hello {name}",
        "login.title": "Log in",
        "login.intro": (
            "Paste the access token the app gave you. It stays valid for one hour; your browser "
            "does not show it and keeps it no longer than your visit."
        ),
        "login.token": "Access token",
        "login.submit": "Log in",
        "login.refused": "This token is not valid or has expired. Ask for a new one.",
        "login.staff": (
            "This token belongs to one of the group's systems: it opens neither the privacy "
            "centre nor the staff console."
        ),
        "login.api": "For developers: the API documentation",
        "csrf.title": "Form refused",
        "csrf.text": (
            "This form did not come from your session. Nothing was changed. Go back to the page "
            "and try again."
        ),
        "notfound.title": "Page not found",
        "notfound.text": "This page does not exist or is not about you.",
        "back": "Back to my data",
        "data.title": "My data",
        "data.empty": "No data in this section.",
        "data.download.html": "Report (HTML)",
        "data.download.pdf": "Report (PDF)",
        "timeline.title": "My timeline",
        "timeline.intro": (
            "What we did with your data, when and why, as our tamper-evident ledger records it. "
            "Each line shows where its proof stands."
        ),
        "timeline.when": "Date",
        "timeline.what": "What was done and why",
        "timeline.proof": "Proof",
        "timeline.included": "Proven in the signed ledger",
        "timeline.pending": "Awaiting signature",
        "timeline.empty": "Nothing has been recorded yet.",
        "timeline.page": "Page {page} of {pages}",
        "timeline.previous": "Previous page",
        "timeline.next": "Next page",
        "timeline.pages": "Timeline pages",
        "choices.title": "My choices",
        "choices.intro": "Each choice applies at once and is recorded.",
        "choices.dm.title": "Direct marketing",
        "choices.dm.effect": (
            "If you object, we stop using your data to offer you our products: no more "
            "personalised offers and no more commercial messages, through any channel. Your "
            "contracts and the messages we must send you are not affected."
        ),
        "choices.dm.object": "I object to direct marketing",
        "choices.dm.active": "You objected to direct marketing. It has stopped.",
        "choices.dm.withdraw": "Withdraw my objection",
        "choices.dm.withdraw.effect": (
            "If you withdraw your objection, we may offer you our products again, following your "
            "preferences below."
        ),
        "choices.done.object": "Done: your objection to direct marketing is recorded.",
        "choices.done.withdraw": "Done: your objection is withdrawn.",
        "choices.objections": "My objections",
        "choices.notifications": "My notifications",
        "choices.none": "none",
        "choices.mandatory": "mandatory",
        "requests.title": "My requests",
        "requests.intro": (
            "Your requests to exercise your rights, and the date by which we must answer at the "
            "latest."
        ),
        "requests.type": "Request",
        "requests.received": "Received on",
        "requests.deadline": "Answer due by",
        "requests.status": "Status",
        "requests.empty": "You have made no request.",
        "requests.extended": "Deadline extended: {reason}",
        "statement.title": "Privacy statement",
        "statement.intro": (
            "Our privacy statement, which opens with a one-page summary. The personal report "
            "holds your data and everything we did with it."
        ),
        "statement.html": "Read the statement (HTML)",
        "statement.pdf": "Download the statement (PDF)",
        "statement.report": "My personal report",
        "new_window": "(PDF)",
        "status.received": "received",
        "status.in_progress": "in progress",
        "status.completed": "answered",
        "status.refused": "refused",
        "type.access": "access to my data",
        "type.rectification": "rectification",
        "type.erasure": "erasure",
        "type.restriction": "restriction",
        "type.portability": "portability",
        "type.objection": "objection",
        "dpo.open": "Read the grounds and decide",
        "dpo.back": "Back to the objections to decide",
        "dpo.status": "Status",
        "dpo.their_grounds": "The person's grounds",
        "dpo.nav": "Objections to decide",
        "dpo.title": "Objections to decide",
        "dpo.intro": (
            "The objections on grounds of a particular situation (GDPR Art. 21(1)) made to your "
            "entity, the nearest deadline first. The use concerned is stopped until you decide."
        ),
        "dpo.person": "Person",
        "dpo.purpose": "Use objected to",
        "dpo.received": "Received on",
        "dpo.deadline": "Deadline",
        "dpo.decision": "Decision",
        "dpo.grounds": "Compelling legitimate grounds (required to reject)",
        "dpo.uphold": "Uphold the objection",
        "dpo.reject": "Reject the objection",
        "dpo.empty": "No objection is awaiting a decision.",
        "dpo.done.upheld": "Done: the objection is upheld and the use stays stopped.",
        "dpo.done.rejected": "Done: the objection is rejected, with its grounds.",
        "dpo.error.grounds": "To reject an objection, write the compelling grounds.",
        "dpo.error.decided": "This objection has already been decided.",
        "consent.blocked": (
            "While your objection to direct marketing stands, this use stays stopped, even with "
            "your consent."
        ),
        "consent.given": "You gave your consent.",
        "consent.not_given": "You have not given your consent.",
        "consent.give": "I give my consent",
        "consent.give.effect": (
            "If you give your consent, we will use your data as described above. You can withdraw "
            "it at any time, here, with one click."
        ),
        "consent.withdraw": "I withdraw my consent",
        "consent.withdraw.effect": (
            "If you withdraw your consent, we stop this use of your data at once. What we did "
            "before remains lawful."
        ),
        "choices.done.consent": "Done: your consent is recorded.",
        "choices.done.unconsent": "Done: your consent is withdrawn.",
        "objection.dm": "All direct marketing",
        "objection.pending": "awaiting a decision",
        "objection.upheld": "in force",
        "objection.rejected": "rejected",
        "objection.withdrawn": "withdrawn",
        "objection.received": "received on {date}",
        "withheld.dm_objection": "stopped: you objected to direct marketing",
        "withheld.objection": "stopped: you objected to this use",
        "withheld.opt_in_required": "only if you agree",
        "withheld.consent_missing": "only with your consent",
        "channel.in_app": "in the app",
        "channel.email": "e-mail",
        "channel.sms": "text message",
        "channel.letter": "letter",
        "channel.push": "push notification",
    },
}

for _lang, _texts in PAGE_TEXTS.items():
    TEXTS[_lang].update(_texts)


def text(lang: str, key: str, **values: str) -> str:
    """The page text `key` in `lang`, its placeholders filled."""
    found = TEXTS[lang].get(key) or TEXTS["en"].get(key, key)
    return found.format(**values) if values else found
