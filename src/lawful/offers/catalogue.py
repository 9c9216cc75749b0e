"""What can be offered, by whom, on which rule — and how each offer explains itself.

Every offer names the rule that chose it and the facts of the file the rule read; the customer
reads both in French, Dutch or English. The group's own products are offered under
`personalised-offers` (legitimate interest, with the absolute right to object); a partner's only
under `third-party-offers`, to customers who agreed. `analogous` lists the kinds of product the
customer must already hold for e-mail or SMS under the soft opt-in (Code of Economic Law XII.13):
an own offer of a product unlike anything the customer holds goes by e-mail or SMS only on their
own opt-in, a partner's offer always.
"""

from __future__ import annotations

from dataclasses import dataclass

OWN = "personalised-offers"
PARTNER = "third-party-offers"
PROFILING = "commercial-profiling"
PARTNERSHIPS = "partnerships"
RULES_VERSION = "rules-2026-12"

Texts = dict[str, str]


@dataclass(frozen=True)
class Product:
    id: str
    purpose: str
    title: Texts
    description: Texts
    rule: str  # the rule's id, with its version
    why: Texts  # the rule in the customer's words
    facts: tuple[str, ...]  # the facts the rule reads, shown with their values
    analogous: frozenset[str] = frozenset()  # product kinds held that make it "analogous"
    partner: str | None = None  # the register's recipient, for a partner's offer

    @property
    def own(self) -> bool:
        return self.partner is None


PRODUCTS: tuple[Product, ...] = (
    Product(
        id="home-insurance",
        purpose=OWN,
        title={
            "fr": "Une assurance habitation pour le logement que vous financez",
            "nl": "Een woningverzekering voor de woning die u financiert",
            "en": "Home insurance for the home you are financing",
        },
        description={
            "fr": "Assurez chez nous l'habitation de votre crédit logement, incendie et "
            "catastrophes naturelles compris.",
            "nl": "Verzeker bij ons de woning van uw woonkrediet, inclusief brand en natuurrampen.",
            "en": "Insure the home of your mortgage with us, fire and natural disasters included.",
        },
        rule=f"home-insurance-for-mortgage/{RULES_VERSION}",
        why={
            "fr": "Vous avez un crédit logement en cours chez nous et aucune assurance "
            "habitation dans le groupe.",
            "nl": "U hebt een lopend woonkrediet bij ons en geen woningverzekering in de groep.",
            "en": "You have a mortgage running with us and no home insurance in the group.",
        },
        facts=("mortgages", "home_policies"),
        analogous=frozenset({"home_policy"}),
    ),
    Product(
        id="savings-account",
        purpose=OWN,
        title={
            "fr": "Un compte d'épargne à côté de votre compte à vue",
            "nl": "Een spaarrekening naast uw zichtrekening",
            "en": "A savings account beside your current account",
        },
        description={
            "fr": "Mettez de côté, sans frais, à partir de votre compte à vue.",
            "nl": "Zet kosteloos geld opzij vanaf uw zichtrekening.",
            "en": "Put money aside, free of charge, from your current account.",
        },
        rule=f"savings-for-current-account/{RULES_VERSION}",
        why={
            "fr": "Vous avez un compte à vue chez nous mais pas de compte d'épargne.",
            "nl": "U hebt een zichtrekening bij ons maar geen spaarrekening.",
            "en": "You have a current account with us but no savings account.",
        },
        facts=("current_accounts", "savings_accounts"),
        analogous=frozenset({"account"}),
    ),
    Product(
        id="credit-card",
        purpose=OWN,
        title={
            "fr": "Une carte de crédit liée à votre compte",
            "nl": "Een kredietkaart gekoppeld aan uw rekening",
            "en": "A credit card linked to your account",
        },
        description={
            "fr": "Payez partout dans le monde et remboursez le solde chaque mois.",
            "nl": "Betaal overal ter wereld en los het saldo elke maand af.",
            "en": "Pay anywhere in the world and pay the balance off every month.",
        },
        rule=f"card-for-established-account/{RULES_VERSION}",
        why={
            "fr": "Vous êtes majeur, avez un compte à vue chez nous depuis plus d'un an et "
            "aucune carte de crédit.",
            "nl": "U bent meerderjarig, hebt al meer dan een jaar een zichtrekening bij ons en "
            "geen kredietkaart.",
            "en": "You are an adult, have held a current account with us for over a year and "
            "have no credit card.",
        },
        facts=("age_band", "current_accounts", "client_since", "cards"),
        analogous=frozenset({"account"}),
    ),
    Product(
        id="card-direct-debit",
        purpose=OWN,
        title={
            "fr": "Le remboursement automatique de votre carte",
            "nl": "De automatische aflossing van uw kaart",
            "en": "Automatic repayment of your card",
        },
        description={
            "fr": "Le solde de votre carte est prélevé sur votre compte à l'échéance, sans "
            "frais : plus de retard possible.",
            "nl": "Het saldo van uw kaart wordt op de vervaldag kosteloos van uw rekening "
            "afgehouden: nooit meer te laat.",
            "en": "Your card balance is taken from your account on the due date, free of "
            "charge: never late again.",
        },
        rule=f"direct-debit-after-late-card-payment/{RULES_VERSION}",
        why={
            "fr": "Au moins un relevé de votre carte des six derniers mois n'a pas été payé "
            "à l'échéance.",
            "nl": "Minstens één kaartafschrift van de voorbije zes maanden werd niet op de "
            "vervaldag betaald.",
            "en": "At least one of your card statements of the last six months was not paid by "
            "its due date.",
        },
        facts=("cards", "statements", "late_statements"),
        analogous=frozenset({"card"}),
    ),
    Product(
        id="energy-renovation",
        purpose=PARTNER,
        partner="sustainability-partner",
        title={
            "fr": "Un bilan de rénovation énergétique de votre logement",
            "nl": "Een energierenovatiescan van uw woning",
            "en": "An energy-renovation check of your home",
        },
        description={
            "fr": "Notre partenaire évalue ce qui rendrait votre logement plus économe en "
            "énergie. Nous ne lui transmettons vos coordonnées que si vous demandez à être "
            "mis en relation.",
            "nl": "Onze partner bekijkt wat uw woning energiezuiniger zou maken. We geven hem "
            "uw gegevens alleen door als u vraagt om met hem in contact te worden gebracht.",
            "en": "Our partner looks at what would make your home more energy efficient. We pass "
            "your details to it only if you ask to be put in touch.",
        },
        rule=f"renovation-for-older-insured-home/{RULES_VERSION}",
        why={
            "fr": "Vous avez accepté de recevoir les offres de nos partenaires, et le logement "
            "que vous assurez chez nous a été construit avant 1990.",
            "nl": "U hebt ermee ingestemd aanbiedingen van onze partners te krijgen, en de "
            "woning die u bij ons verzekert werd vóór 1990 gebouwd.",
            "en": "You agreed to receive our partners' offers, and the home you insure with us "
            "was built before 1990.",
        },
        facts=("home_policies", "oldest_home_built"),
    ),
)
BY_ID = {p.id: p for p in PRODUCTS}
BUILT_BEFORE = 1990  # the energy-renovation rule's threshold

FACT_TEXTS: dict[str, Texts] = {
    "mortgages": {
        "fr": "Crédits logement en cours chez nous",
        "nl": "Lopende woonkredieten bij ons",
        "en": "Mortgages running with us",
    },
    "home_policies": {
        "fr": "Assurances habitation dans le groupe",
        "nl": "Woningverzekeringen in de groep",
        "en": "Home insurance policies in the group",
    },
    "current_accounts": {
        "fr": "Comptes à vue",
        "nl": "Zichtrekeningen",
        "en": "Current accounts",
    },
    "savings_accounts": {
        "fr": "Comptes d'épargne",
        "nl": "Spaarrekeningen",
        "en": "Savings accounts",
    },
    "cards": {"fr": "Cartes de crédit", "nl": "Kredietkaarten", "en": "Credit cards"},
    "client_since": {
        "fr": "Premier compte ouvert le",
        "nl": "Eerste rekening geopend op",
        "en": "First account opened on",
    },
    "age_band": {"fr": "Tranche d'âge", "nl": "Leeftijdscategorie", "en": "Age band"},
    "statements": {
        "fr": "Relevés de carte des six derniers mois",
        "nl": "Kaartafschriften van de voorbije zes maanden",
        "en": "Card statements of the last six months",
    },
    "late_statements": {
        "fr": "Dont payés après l'échéance ou impayés",
        "nl": "Waarvan na de vervaldag of niet betaald",
        "en": "Of which paid after the due date or unpaid",
    },
    "oldest_home_built": {
        "fr": "Année de construction du logement assuré",
        "nl": "Bouwjaar van de verzekerde woning",
        "en": "Year the insured home was built",
    },
}
RULE_LABEL = {"fr": "Règle", "nl": "Regel", "en": "Rule"}
