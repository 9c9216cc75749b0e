"""A flood assessment in the customer's own words (fr/nl/en): what was proposed or decided,
why, and what they can do about it; for a quote, what the offer includes."""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from lawful.flood.models import FloodAssessment

_LOCALE = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}
LAW = {
    "fr": "l'article 129 de la loi du 4 avril 2014 relative aux assurances",
    "nl": "artikel 129 van de wet van 4 april 2014 betreffende de verzekeringen",
    "en": "article 129 of the Law of 4 April 2014 on insurance",
}
BUREAU = {
    "fr": "le Bureau de tarification Catastrophes naturelles",
    "nl": "het Tariferingsbureau Natuurrampen",
    "en": "the Bureau de tarification Catastrophes naturelles (Tariferingsbureau Natuurrampen)",
}
_T = {
    "zone": {
        "fr": "Votre habitation se trouve dans une zone à risque d'inondation délimitée par un "
        "arrêté royal publié le {decree}.",
        "nl": "Uw woning ligt in een overstromingsrisicozone die werd afgebakend bij koninklijk "
        "besluit, bekendgemaakt op {decree}.",
        "en": "Your home lies in a flood risk zone delimited by a royal decree published on "
        "{decree}.",
    },
    "no_zone": {
        "fr": "Votre habitation ne se trouve dans aucune zone à risque d'inondation.",
        "nl": "Uw woning ligt in geen enkele overstromingsrisicozone.",
        "en": "Your home is not in a flood risk zone.",
    },
    "built_late": {
        "fr": "Elle a été construite en {year}, plus de 18 mois après cette publication : "
        "{law} nous permet donc de refuser la couverture inondation.",
        "nl": "Ze werd gebouwd in {year}, meer dan 18 maanden na die bekendmaking: {law} laat ons "
        "daarom toe de dekking overstroming te weigeren.",
        "en": "It was built in {year}, more than 18 months after that publication, so {law} "
        "allows us to refuse flood cover.",
    },
    "built_early": {
        "fr": "Elle a été construite en {year}, pas plus de 18 mois après cette publication : "
        "{law} nous oblige à la couvrir contre l'inondation.",
        "nl": "Ze werd gebouwd in {year}, niet meer dan 18 maanden na die bekendmaking: {law} "
        "verplicht ons ze tegen overstroming te dekken.",
        "en": "It was built in {year}, no more than 18 months after that publication, so {law} "
        "requires us to cover it against flooding.",
    },
    "class": {
        "fr": "Notre partenaire classe votre bâtiment en catégorie {cls} de vulnérabilité aux "
        "inondations (de A, aucun risque, à D, risque moyen).",
        "nl": "Onze partner deelt uw gebouw in klasse {cls} van overstromingsgevoeligheid in "
        "(van A, geen risico, tot D, middelgroot risico).",
        "en": "Our partner rates your building's flood vulnerability as class {cls} (from A, no "
        "risk, to D, medium risk).",
    },
    "cover": {
        "fr": "Vous êtes couvert contre l'inondation, sans surprime.",
        "nl": "U bent gedekt tegen overstroming, zonder bijpremie.",
        "en": "You are covered against flooding, with no surcharge.",
    },
    "loading": {
        "fr": "Vous êtes couvert contre l'inondation, avec une surprime de {pct} %.",
        "nl": "U bent gedekt tegen overstroming, met een bijpremie van {pct}%.",
        "en": "You are covered against flooding, with a surcharge of {pct}%.",
    },
    "refuse": {
        "fr": "Nous ne vous couvrons pas contre l'inondation. Vous pouvez demander une "
        "couverture à {bureau}.",
        "nl": "We dekken u niet tegen overstroming. U kunt een dekking vragen bij {bureau}.",
        "en": "We do not cover you against flooding. You can ask {bureau} for cover.",
    },
    # A quote (a simulation): the offer the person is considering, not cover they hold.
    "quote_cover": {
        "fr": "Notre offre comprend la couverture inondation, sans surprime.",
        "nl": "Onze offerte omvat de dekking overstroming, zonder bijpremie.",
        "en": "Our quote includes flood cover, with no surcharge.",
    },
    "quote_loading": {
        "fr": "Notre offre comprend la couverture inondation, avec une surprime de {pct} %.",
        "nl": "Onze offerte omvat de dekking overstroming, met een bijpremie van {pct}%.",
        "en": "Our quote includes flood cover, with a surcharge of {pct}%.",
    },
    "quote_refuse": {
        "fr": "Notre offre ne comprend pas la couverture inondation. Vous pouvez demander une "
        "couverture à {bureau}.",
        "nl": "Onze offerte omvat geen dekking overstroming. U kunt een dekking vragen bij "
        "{bureau}.",
        "en": "Our quote does not include flood cover. You can ask {bureau} for cover.",
    },
    "quote_pending": {
        "fr": "Ceci n'est qu'une proposition calculée à partir de ces données : un souscripteur "
        "l'examine avant que notre offre ne s'y fonde.",
        "nl": "Dit is alleen een voorstel, berekend op basis van die gegevens: een acceptant "
        "bekijkt het voor onze offerte erop steunt.",
        "en": "This is only a proposal calculated from these data: an underwriter reviews it "
        "before our quote rests on it.",
    },
    "pending": {
        "fr": "Ceci n'est qu'une proposition calculée à partir de ces données : un souscripteur "
        "l'examine avant qu'elle ne prenne effet. D'ici là, votre couverture ne change pas.",
        "nl": "Dit is alleen een voorstel, berekend op basis van die gegevens: een acceptant "
        "bekijkt het voor het ingaat. Tot dan verandert uw dekking niet.",
        "en": "This is only a proposal calculated from these data: an underwriter reviews it "
        "before it takes effect. Until then your cover does not change.",
    },
    "contested": {
        "fr": "Vous avez contesté ce résultat : un souscripteur l'examine à nouveau.",
        "nl": "U hebt dit resultaat betwist: een acceptant bekijkt het opnieuw.",
        "en": "You contested this result: an underwriter is reviewing it again.",
    },
    "reviewed": {
        "fr": "Décision de {who}, souscripteur, le {day} : {reasons}",
        "nl": "Beslissing van {who}, acceptant, op {day}: {reasons}",
        "en": "Decided by {who}, underwriter, on {day}: {reasons}",
    },
    "contest": {
        "fr": "Si ces données ne correspondent pas à votre bâtiment, vous pouvez contester ce "
        "résultat et donner votre point de vue : un souscripteur le réexaminera.",
        "nl": "Kloppen deze gegevens niet voor uw gebouw, dan kunt u dit resultaat betwisten en "
        "uw standpunt geven: een acceptant bekijkt het opnieuw.",
        "en": "If these data do not match your building, you can contest this result and give "
        "your point of view: an underwriter will review it again.",
    },
}


def explain(row: FloodAssessment, lang: str, reasons: str | None) -> str:
    lang = lang if lang in _LOCALE else "en"
    loc = _LOCALE[lang]

    def t(key: str, **values: object) -> str:
        return _T[key][lang].format(**values)

    def day(value: dt.date) -> str:
        return format_date(value, format="long", locale=loc)

    parts = []
    if row.zone_ref and row.decree_published_on:
        parts.append(t("zone", decree=day(row.decree_published_on)))
        late = "built_late" if row.refusable else "built_early"
        parts.append(t(late, year=row.construction_year, law=LAW[lang]))
    else:
        parts.append(t("no_zone"))
    if row.flood_class:
        parts.append(t("class", cls=row.flood_class))
    outcome = row.decided or row.proposed
    loading = row.decided_loading_bp if row.decided else row.proposed_loading_bp
    quote = "quote_" if row.simulation_id is not None else ""
    parts.append(t(quote + outcome, pct=f"{(loading or 0) / 100:g}", bureau=BUREAU[lang]))
    if row.status == "pending_review":
        parts.append(t(quote + "pending"))
    elif row.status == "contested":
        parts.append(t("contested"))
    if row.reviewed_by and row.reviewed_at:
        parts.append(
            t("reviewed", who=row.reviewed_by, day=day(row.reviewed_at.date()), reasons=reasons)
        )
    if outcome != "cover":
        parts.append(t("contest"))
    return " ".join(parts)
