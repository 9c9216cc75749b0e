"""The texts of "my data" (summary), notification preferences, the assistant and the complaints
pages, in French, Dutch and English; `texts.TEXTS` takes them in."""

from __future__ import annotations

PAGE_TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "messages.language.title": "Langue de mes messages",
        "messages.language.effect": (
            "La langue dans laquelle nous vous écrivons : celle de votre dossier, sauf si vous "
            "en choisissez une autre ici. Cela ne change pas la langue de votre dossier."
        ),
        "messages.language.label": "Langue",
        "messages.language.file": "Celle de mon dossier",
        "messages.language.save": "Enregistrer la langue de mes messages",
        "reminder.title": "Rappel du solde de ma carte de crédit",
        "reminder.effect": (
            "Combien de jours avant l'échéance de votre carte de crédit le rappel vous parvient, "
            "par les canaux choisis ci-dessus."
        ),
        "reminder.label": "Le rappel arrive",
        "reminder.days.0": "le jour de l'échéance",
        "reminder.days.1": "1 jour avant",
        "reminder.days.n": "{n} jours avant",
        "reminder.save": "Enregistrer mon rappel",
        "choices.done.language": "C'est fait : la langue de vos messages est enregistrée.",
        "choices.done.reminder": "C'est fait : votre rappel est enregistré.",
        "data.download": "Télécharger le rapport complet",
        "nav.complaints": "Mes plaintes",
        "nav.assistant": "Poser une question",
        "data.intro": (
            "Vos coordonnées telles qu'elles figurent dans notre dossier, et ce que nous avons "
            "fait de vos données, finalité par finalité. Le rapport complet reprend tout le "
            "détail ; chaque consultation est enregistrée dans votre historique."
        ),
        "data.download.what": (
            "Le rapport d'accès complet : toutes les données que le groupe conserve à votre "
            "sujet, chaque utilisation avec sa preuve, vos oppositions et vos droits. Le "
            "télécharger vaut demande d'accès, traitée immédiatement."
        ),
        "data.details": "Mes coordonnées",
        "data.field.name": "Nom",
        "data.field.birth_date": "Date de naissance",
        "data.field.email": "Adresse e-mail",
        "data.field.phone": "Téléphone",
        "data.field.address": "Adresse",
        "data.field.language": "Langue",
        "data.uses": "Ce que nous avons fait de mes données",
        "data.uses.intro": (
            "Pour chaque finalité, les données utilisées, par qui, combien de fois et la "
            "dernière fois, tels que l'enregistre notre registre."
        ),
        "data.uses.purpose": "Finalité",
        "data.uses.data": "Données utilisées",
        "data.uses.by": "Par",
        "data.uses.count": "Utilisations",
        "data.uses.last": "Dernière fois",
        "data.uses.timeline": "Voir chaque utilisation dans mon historique",
        "choices.notifications.intro": (
            "Sujet par sujet, cochez les canaux par lesquels nous pouvons vous écrire, puis "
            "enregistrez. Chaque sujet s'enregistre séparément et s'applique immédiatement."
        ),
        "notify.effect.service": (
            "Cochez les canaux que vous voulez ; si vous les décochez tous, nous ne vous "
            "écrivons plus à ce sujet."
        ),
        "notify.effect.marketing": (
            "Cocher l'e-mail ou le SMS, c'est accepter de recevoir nos offres par ce canal ; "
            "tout décocher les arrête. Une opposition au marketing direct prime sur ce choix."
        ),
        "notify.effect.consent": (
            "Cocher un canal, c'est donner votre accord pour les offres de nos partenaires ; "
            "tout décocher retire cet accord."
        ),
        "notify.effect.mandatory": (
            "Ce message est obligatoire : vous ne pouvez pas l'arrêter, seulement choisir par "
            "quel canal il vous parvient. Gardez-en au moins un."
        ),
        "notify.save": "Enregistrer pour « {topic} »",
        "notify.effective": "Canaux utilisés aujourd'hui : {channels}",
        "notify.problem.mandatory": (
            "Rien n'a été modifié : un message obligatoire doit garder au moins un canal."
        ),
        "notify.problem.quiet": (
            "Rien n'a été modifié : indiquez une heure de début et une heure de fin différentes."
        ),
        "choices.done.notifications": (
            "C'est fait : vos préférences de notification sont enregistrées."
        ),
        "choices.done.quiet": "C'est fait : vos heures de tranquillité sont enregistrées.",
        "choices.done.quiet_off": "C'est fait : vous n'avez plus d'heures de tranquillité.",
        "quiet.title": "Heures de tranquillité",
        "quiet.effect": (
            "Pendant ces heures (heure belge), nous ne vous envoyons aucun message : il attend "
            "la fin de la plage. La fin peut tomber le lendemain matin."
        ),
        "quiet.active": "Aucun message entre {start} et {end}.",
        "quiet.none": "Vous n'avez pas d'heures de tranquillité.",
        "quiet.start": "De",
        "quiet.end": "À",
        "quiet.save": "Enregistrer mes heures de tranquillité",
        "quiet.off": "Supprimer mes heures de tranquillité",
        "assistant.title": "Poser une question à {name}",
        "assistant.intro": (
            "{name}, notre assistante virtuelle, répond à partir de votre dossier, de notre "
            "déclaration de confidentialité et de notre registre : à qui vos données ont été "
            "communiquées, ce que nous savons de vous, vos produits, ou l'arrêt du marketing "
            "direct. Ce qu'elle ne peut pas établir est confié à un collaborateur."
        ),
        "assistant.exchange": "Votre question et sa réponse",
        "assistant.you": "Vous",
        "assistant.confirm": "Répondez « oui » ou « non » ci-dessous.",
        "assistant.handed_over": "Un collaborateur reprendra votre question.",
        "assistant.question": "Votre question à {name}",
        "assistant.hint": "Par exemple : « À qui avez-vous communiqué mes données ? »",
        "assistant.error": "Écrivez votre question (1 000 caractères au plus).",
        "assistant.ask": "Envoyer",
        "assistant.new": "Commencer une nouvelle conversation",
        "assistant.recorded": (
            "La conversation est enregistrée, comme le prévoit notre déclaration de "
            "confidentialité ; elle figure dans votre rapport d'accès."
        ),
        "complaints.title": "Mes plaintes",
        "complaints.intro": (
            "Vos plaintes, où elles en sont et la date à laquelle nous vous devons une réponse."
        ),
        "complaints.caption": "Mes plaintes, la plus récente d'abord",
        "complaints.number": "N°",
        "complaints.about": "Objet",
        "complaints.received": "Reçue le",
        "complaints.status": "État",
        "complaints.deadline": "Échéance",
        "complaints.due.acknowledge": "Accusé de réception au plus tard le",
        "complaints.due.answer": "Réponse au plus tard le",
        "complaints.closed_on": "Clôturée le {date}",
        "complaints.overdue": "Échéance dépassée",
        "complaints.empty": "Vous n'avez déposé aucune plainte.",
        "complaints.how": (
            "Pour déposer une plainte, utilisez l'application ou adressez-vous à votre agence."
        ),
        "complaint.product.account": "Compte",
        "complaint.product.card": "Carte",
        "complaint.product.loan": "Crédit",
        "complaint.product.home_policy": "Assurance habitation",
        "complaint.cause.fees": "frais",
        "complaint.cause.disputed-transaction": "opération contestée",
        "complaint.cause.service": "service",
        "complaint.cause.information": "information",
        "complaint.cause.contract-terms": "conditions du contrat",
        "complaint.cause.claim-handling": "gestion d'un sinistre",
        "complaint.cause.other": "autre",
        "complaint.status.received": "reçue",
        "complaint.status.acknowledged": "accusé de réception envoyé",
        "complaint.status.investigating": "en cours d'examen",
        "complaint.status.answered": "réponse envoyée",
        "complaint.status.closed": "clôturée",
        "complaint.escalated.complaints-function": "transmise au service Plaintes",
        "complaint.escalated.ombudsfin": "transmise à l'Ombudsfin",
        "complaint.escalated.ombudsman-insurance": "transmise à l'Ombudsman des Assurances",
    },
    "nl": {
        "messages.language.title": "Taal van mijn berichten",
        "messages.language.effect": (
            "De taal waarin we u schrijven: die van uw dossier, tenzij u hier een andere kiest. "
            "De taal van uw dossier verandert daardoor niet."
        ),
        "messages.language.label": "Taal",
        "messages.language.file": "Die van mijn dossier",
        "messages.language.save": "De taal van mijn berichten opslaan",
        "reminder.title": "Herinnering aan het saldo van mijn kredietkaart",
        "reminder.effect": (
            "Hoeveel dagen voor de vervaldag van uw kredietkaart de herinnering u bereikt, via de "
            "kanalen die u hierboven koos."
        ),
        "reminder.label": "De herinnering komt",
        "reminder.days.0": "op de vervaldag",
        "reminder.days.1": "1 dag vooraf",
        "reminder.days.n": "{n} dagen vooraf",
        "reminder.save": "Mijn herinnering opslaan",
        "choices.done.language": "Klaar: de taal van uw berichten is opgeslagen.",
        "choices.done.reminder": "Klaar: uw herinnering is opgeslagen.",
        "data.download": "Het volledige rapport downloaden",
        "nav.complaints": "Mijn klachten",
        "nav.assistant": "Een vraag stellen",
        "data.intro": (
            "Uw gegevens zoals ze in ons dossier staan, en wat we per doeleinde met uw gegevens "
            "hebben gedaan. Het volledige rapport bevat alle details; elke raadpleging wordt in "
            "uw historiek opgenomen."
        ),
        "data.download.what": (
            "Het volledige inzagerapport: alle gegevens die de groep over u bewaart, elk gebruik "
            "met zijn bewijs, uw bezwaren en uw rechten. Wie het downloadt, dient een "
            "inzageverzoek in dat meteen wordt behandeld."
        ),
        "data.details": "Mijn gegevens in het dossier",
        "data.field.name": "Naam",
        "data.field.birth_date": "Geboortedatum",
        "data.field.email": "E-mailadres",
        "data.field.phone": "Telefoon",
        "data.field.address": "Adres",
        "data.field.language": "Taal",
        "data.uses": "Wat we met mijn gegevens hebben gedaan",
        "data.uses.intro": (
            "Per doeleinde: welke gegevens, door wie, hoe vaak en wanneer het laatst, zoals ons "
            "register het bijhoudt."
        ),
        "data.uses.purpose": "Doeleinde",
        "data.uses.data": "Gebruikte gegevens",
        "data.uses.by": "Door",
        "data.uses.count": "Keer gebruikt",
        "data.uses.last": "Laatst",
        "data.uses.timeline": "Elk gebruik bekijken in mijn historiek",
        "choices.notifications.intro": (
            "Vink per onderwerp de kanalen aan waarlangs we u mogen schrijven en sla op. Elk "
            "onderwerp wordt apart opgeslagen en geldt meteen."
        ),
        "notify.effect.service": (
            "Vink de kanalen aan die u wilt; vinkt u ze allemaal uit, dan schrijven we u hier "
            "niet meer over."
        ),
        "notify.effect.marketing": (
            "Vinkt u e-mail of sms aan, dan aanvaardt u onze aanbiedingen via dat kanaal; alles "
            "uitvinken stopt ze. Een bezwaar tegen direct marketing gaat voor op deze keuze."
        ),
        "notify.effect.consent": (
            "Een kanaal aanvinken is uw toestemming geven voor de aanbiedingen van onze "
            "partners; alles uitvinken trekt die toestemming in."
        ),
        "notify.effect.mandatory": (
            "Dit bericht is verplicht: u kunt het niet stopzetten, alleen kiezen via welk kanaal "
            "het u bereikt. Houd er minstens één."
        ),
        "notify.save": "Opslaan voor ‘{topic}’",
        "notify.effective": "Vandaag gebruikte kanalen: {channels}",
        "notify.problem.mandatory": (
            "Er is niets gewijzigd: een verplicht bericht moet minstens één kanaal houden."
        ),
        "notify.problem.quiet": (
            "Er is niets gewijzigd: geef een beginuur en een einduur die verschillen."
        ),
        "choices.done.notifications": "Klaar: uw meldingsvoorkeuren zijn opgeslagen.",
        "choices.done.quiet": "Klaar: uw rusturen zijn opgeslagen.",
        "choices.done.quiet_off": "Klaar: u hebt geen rusturen meer.",
        "quiet.title": "Rusturen",
        "quiet.effect": (
            "Tijdens deze uren (Belgische tijd) sturen we u geen enkel bericht: het wacht tot "
            "het einde ervan. Het einde mag de volgende ochtend vallen."
        ),
        "quiet.active": "Geen berichten tussen {start} en {end}.",
        "quiet.none": "U hebt geen rusturen.",
        "quiet.start": "Van",
        "quiet.end": "Tot",
        "quiet.save": "Mijn rusturen opslaan",
        "quiet.off": "Mijn rusturen schrappen",
        "assistant.title": "Een vraag stellen aan {name}",
        "assistant.intro": (
            "{name}, onze virtuele assistent, antwoordt op basis van uw dossier, onze "
            "privacyverklaring en ons register: aan wie uw gegevens werden doorgegeven, wat we "
            "over u weten, uw producten, of het stopzetten van direct marketing. Wat ze niet kan "
            "staven, geeft ze door aan een medewerker."
        ),
        "assistant.exchange": "Uw vraag en het antwoord",
        "assistant.you": "U",
        "assistant.confirm": "Antwoord hieronder met ‘ja’ of ‘nee’.",
        "assistant.handed_over": "Een medewerker neemt uw vraag over.",
        "assistant.question": "Uw vraag aan {name}",
        "assistant.hint": "Bijvoorbeeld: ‘Met wie hebben jullie mijn gegevens gedeeld?’",
        "assistant.error": "Schrijf uw vraag (hoogstens 1 000 tekens).",
        "assistant.ask": "Versturen",
        "assistant.new": "Een nieuw gesprek beginnen",
        "assistant.recorded": (
            "Het gesprek wordt opgenomen, zoals onze privacyverklaring vermeldt; het staat in uw "
            "inzagerapport."
        ),
        "complaints.title": "Mijn klachten",
        "complaints.intro": (
            "Uw klachten, hoe ver ze staan en tegen wanneer we u een antwoord verschuldigd zijn."
        ),
        "complaints.caption": "Mijn klachten, de recentste eerst",
        "complaints.number": "Nr.",
        "complaints.about": "Onderwerp",
        "complaints.received": "Ontvangen op",
        "complaints.status": "Stand",
        "complaints.deadline": "Termijn",
        "complaints.due.acknowledge": "Ontvangstbevestiging uiterlijk op",
        "complaints.due.answer": "Antwoord uiterlijk op",
        "complaints.closed_on": "Afgesloten op {date}",
        "complaints.overdue": "Termijn verstreken",
        "complaints.empty": "U hebt geen klachten ingediend.",
        "complaints.how": "Een klacht indienen doet u in de app of in uw kantoor.",
        "complaint.product.account": "Rekening",
        "complaint.product.card": "Kaart",
        "complaint.product.loan": "Krediet",
        "complaint.product.home_policy": "Woningverzekering",
        "complaint.cause.fees": "kosten",
        "complaint.cause.disputed-transaction": "betwiste verrichting",
        "complaint.cause.service": "dienstverlening",
        "complaint.cause.information": "informatie",
        "complaint.cause.contract-terms": "contractvoorwaarden",
        "complaint.cause.claim-handling": "schadeafhandeling",
        "complaint.cause.other": "andere",
        "complaint.status.received": "ontvangen",
        "complaint.status.acknowledged": "ontvangst bevestigd",
        "complaint.status.investigating": "in onderzoek",
        "complaint.status.answered": "beantwoord",
        "complaint.status.closed": "afgesloten",
        "complaint.escalated.complaints-function": "doorgestuurd naar de klachtendienst",
        "complaint.escalated.ombudsfin": "doorgestuurd naar Ombudsfin",
        "complaint.escalated.ombudsman-insurance": (
            "doorgestuurd naar de Ombudsman van de Verzekeringen"
        ),
    },
    "en": {
        "messages.language.title": "Language of my messages",
        "messages.language.effect": (
            "The language we write to you in: your file's, unless you choose another here. "
            "It does not change your file's language."
        ),
        "messages.language.label": "Language",
        "messages.language.file": "My file's",
        "messages.language.save": "Save the language of my messages",
        "reminder.title": "My credit-card balance reminder",
        "reminder.effect": (
            "How many days before your credit card's due date the reminder reaches you, through "
            "the channels chosen above."
        ),
        "reminder.label": "The reminder comes",
        "reminder.days.0": "on the due date",
        "reminder.days.1": "1 day before",
        "reminder.days.n": "{n} days before",
        "reminder.save": "Save my reminder",
        "choices.done.language": "Done: the language of your messages is saved.",
        "choices.done.reminder": "Done: your reminder is saved.",
        "data.download": "Download the full report",
        "nav.complaints": "My complaints",
        "nav.assistant": "Ask a question",
        "data.intro": (
            "Your details as they stand in our file, and what we did with your data, purpose by "
            "purpose. The full report has every detail; each time you look, it is recorded in "
            "your timeline."
        ),
        "data.download.what": (
            "The full access report: all the data the group keeps about you, each use with its "
            "proof, your objections and your rights. Downloading it is an access request, "
            "answered at once."
        ),
        "data.details": "My details on file",
        "data.field.name": "Name",
        "data.field.birth_date": "Date of birth",
        "data.field.email": "E-mail address",
        "data.field.phone": "Phone",
        "data.field.address": "Address",
        "data.field.language": "Language",
        "data.uses": "What we did with my data",
        "data.uses.intro": (
            "For each purpose: which data, used by whom, how many times and when last, as our "
            "register records it."
        ),
        "data.uses.purpose": "Purpose",
        "data.uses.data": "Data used",
        "data.uses.by": "By",
        "data.uses.count": "Uses",
        "data.uses.last": "Last",
        "data.uses.timeline": "See each use in my timeline",
        "choices.notifications.intro": (
            "Subject by subject, tick the channels we may write to you through, then save. Each "
            "subject is saved on its own and applies at once."
        ),
        "notify.effect.service": (
            "Tick the channels you want; untick them all and we no longer write to you about it."
        ),
        "notify.effect.marketing": (
            "Ticking e-mail or text message means you agree to receive our offers that way; "
            "untick them all to stop them. An objection to direct marketing overrides this choice."
        ),
        "notify.effect.consent": (
            "Ticking a channel gives your consent to our partners' offers; unticking them all "
            "withdraws it."
        ),
        "notify.effect.mandatory": (
            "This message is mandatory: you cannot stop it, only choose the channel it reaches "
            "you through. Keep at least one."
        ),
        "notify.save": "Save for “{topic}”",
        "notify.effective": "Channels used today: {channels}",
        "notify.problem.mandatory": (
            "Nothing was changed: a mandatory message must keep at least one channel."
        ),
        "notify.problem.quiet": "Nothing was changed: give a start and an end time that differ.",
        "choices.done.notifications": "Done: your notification preferences are saved.",
        "choices.done.quiet": "Done: your quiet hours are saved.",
        "choices.done.quiet_off": "Done: you no longer have quiet hours.",
        "quiet.title": "Quiet hours",
        "quiet.effect": (
            "During these hours (Belgian time) we send you no message: it waits until they end. "
            "The end may fall the next morning."
        ),
        "quiet.active": "No messages between {start} and {end}.",
        "quiet.none": "You have no quiet hours.",
        "quiet.start": "From",
        "quiet.end": "To",
        "quiet.save": "Save my quiet hours",
        "quiet.off": "Remove my quiet hours",
        "assistant.title": "Ask {name} a question",
        "assistant.intro": (
            "{name}, our virtual assistant, answers from your file, our privacy statement and our "
            "register: whom your data was shared with, what we know about you, your products, or "
            "stopping direct marketing. What she cannot establish is handed over to a member of "
            "staff."
        ),
        "assistant.exchange": "Your question and its answer",
        "assistant.you": "You",
        "assistant.confirm": "Answer “yes” or “no” below.",
        "assistant.handed_over": "A member of staff will take up your question.",
        "assistant.question": "Your question to {name}",
        "assistant.hint": "For example: “Who did you share my data with?”",
        "assistant.error": "Write your question (at most 1,000 characters).",
        "assistant.ask": "Send",
        "assistant.new": "Start a new conversation",
        "assistant.recorded": (
            "The conversation is recorded, as our privacy statement says; it appears in your "
            "access report."
        ),
        "complaints.title": "My complaints",
        "complaints.intro": "Your complaints, where they stand and when we owe you an answer.",
        "complaints.caption": "My complaints, the most recent first",
        "complaints.number": "No.",
        "complaints.about": "About",
        "complaints.received": "Received on",
        "complaints.status": "Status",
        "complaints.deadline": "Deadline",
        "complaints.due.acknowledge": "Acknowledgement by",
        "complaints.due.answer": "Answer by",
        "complaints.closed_on": "Closed on {date}",
        "complaints.overdue": "Deadline passed",
        "complaints.empty": "You have made no complaint.",
        "complaints.how": "To make a complaint, use the app or speak to your branch.",
        "complaint.product.account": "Account",
        "complaint.product.card": "Card",
        "complaint.product.loan": "Loan",
        "complaint.product.home_policy": "Home insurance",
        "complaint.cause.fees": "fees",
        "complaint.cause.disputed-transaction": "disputed transaction",
        "complaint.cause.service": "service",
        "complaint.cause.information": "information",
        "complaint.cause.contract-terms": "contract terms",
        "complaint.cause.claim-handling": "claim handling",
        "complaint.cause.other": "other",
        "complaint.status.received": "received",
        "complaint.status.acknowledged": "acknowledged",
        "complaint.status.investigating": "under investigation",
        "complaint.status.answered": "answered",
        "complaint.status.closed": "closed",
        "complaint.escalated.complaints-function": "passed to the complaints function",
        "complaint.escalated.ombudsfin": "passed to Ombudsfin",
        "complaint.escalated.ombudsman-insurance": "passed to the Insurance Ombudsman",
    },
}
