"""Synthetic transcripts in French, Dutch and English: invented people, invented calls."""

FR_INVESTMENT = """Conseiller: Bonjour Madame Dubois, cet appel est enregistré.
Cliente: Bonjour. Je voudrais placer 5 000 euros dans le fonds KBC Equity Europe.
Conseiller: D'accord, nous avons décidé ensemble d'un placement de 5 000 euros.
Conseiller: Je vais vous envoyer le document d'informations clés dans 2 jours.
Cliente: Merci, au revoir."""

NL_SERVICE = """Adviseur: Goedemiddag meneer Peeters, dit gesprek wordt opgenomen.
Klant: Mijn kaart werd geweigerd in de winkel.
Adviseur: Ik zie dat uw limiet bereikt is. Afgesproken: we verhogen de limiet tijdelijk.
Adviseur: Ik stuur u binnen 3 dagen de bevestiging."""

EN_CHAT = """Advisor: Good morning, this chat is kept.
Customer: I would like to change the address on my account.
Advisor: Agreed, we decided to update it today.
Advisor: I will send you a confirmation on 2027-01-15."""
