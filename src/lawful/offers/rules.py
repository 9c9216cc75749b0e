"""The rules, as column expressions over every customer at once (Polars), never a loop per row.

`frame` joins the per-table frames (one row per person and table, read by one SQL statement each)
into one row per client of the group; `eligible` applies every product's rule and gives one row
per offer with the facts it read, as JSON; `segments` gives each customer's profile. The same
functions serve one batch of a job and a million customers in the benchmark.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from lawful.offers.catalogue import BUILT_BEFORE, BY_ID, Product

ENTITY_ORDER = ("kbc-bank", "kbc-insurance", "cbc-insurance")
INSURER_OF_BRAND = {"cbc": "cbc-insurance"}
DEFAULT_INSURER = "kbc-insurance"
COUNTS = (
    "current_accounts",
    "savings_accounts",
    "cards",
    "statements",
    "late_statements",
    "mortgages",
    "other_loans",
    "home_policies",
)


def frame(tables: dict[str, pl.DataFrame], today: dt.date) -> pl.DataFrame:
    """One row per person who is a client of an entity of the group today, sorted by id: their
    holdings, card behaviour, age band, and the entity that profiles them (the bank if they bank
    with us, else their insurer)."""
    clients = (
        tables["relationship"]
        .with_columns(
            rank=pl.col("entity").replace_strict(
                {e: i for i, e in enumerate(ENTITY_ORDER)},
                default=len(ENTITY_ORDER),
                return_dtype=pl.Int32,
            )
        )
        .sort("person_id", "rank")
        .group_by("person_id", maintain_order=True)
        .agg(home_entity=pl.col("entity").first())
    )
    out = clients.join(tables["person"], on="person_id", how="inner")
    for name in ("account", "card", "card_statement", "loan", "home_policy"):
        out = out.join(tables[name], on="person_id", how="left")
    birth = pl.col("birth_date").cast(pl.Date)
    before_birthday = (birth.dt.month() * 100 + birth.dt.day()) > (today.month * 100 + today.day)
    age = pl.lit(today.year) - birth.dt.year() - before_birthday.cast(pl.Int32)
    return (
        out.with_columns(
            *(pl.col(c).fill_null(0).cast(pl.Int64) for c in COUNTS),
            client_since=pl.col("client_since").cast(pl.Date),
            age=age,
        )
        .with_columns(
            age_band=pl.when(pl.col("age").is_null())
            .then(pl.lit("unknown"))
            .when(pl.col("age") < 18)
            .then(pl.lit("under-18"))
            .when(pl.col("age") < 30)
            .then(pl.lit("18-29"))
            .when(pl.col("age") < 45)
            .then(pl.lit("30-44"))
            .when(pl.col("age") < 65)
            .then(pl.lit("45-64"))
            .otherwise(pl.lit("65+"))
        )
        .sort("person_id")
    )


def _conditions(today: dt.date) -> dict[str, pl.Expr]:
    year_ago = today - dt.timedelta(days=365)
    adult = ~pl.col("age_band").is_in(["under-18", "unknown"])
    return {
        "home-insurance": (pl.col("mortgages") > 0) & (pl.col("home_policies") == 0),
        "savings-account": (pl.col("current_accounts") > 0) & (pl.col("savings_accounts") == 0),
        "credit-card": adult
        & (pl.col("current_accounts") > 0)
        & (pl.col("client_since") <= year_ago)
        & (pl.col("cards") == 0),
        "card-direct-debit": (pl.col("cards") > 0) & (pl.col("late_statements") > 0),
        "energy-renovation": (pl.col("home_policies") > 0)
        & (pl.col("oldest_home_built") < BUILT_BEFORE),
    }


def _entity(product: Product) -> pl.Expr:
    if product.id == "home-insurance":
        return pl.col("brand").replace_strict(
            INSURER_OF_BRAND, default=DEFAULT_INSURER, return_dtype=pl.String
        )
    if product.id == "energy-renovation":
        return pl.col("insurer").cast(pl.String)
    return pl.lit("kbc-bank")


def _facts(product: Product) -> pl.Expr:
    fields = [
        pl.col(f).cast(pl.String) if f == "client_since" else pl.col(f) for f in product.facts
    ]
    return pl.struct(fields).struct.json_encode()


OFFER_SCHEMA = {
    "person_id": pl.String,
    "product": pl.String,
    "entity": pl.String,
    "facts": pl.String,
}


def eligible(
    clients: pl.DataFrame, today: dt.date, *, products: tuple[str, ...] | None = None
) -> pl.DataFrame:
    """One row per (person, product) whose rule holds: person, product, offering entity and the
    facts read, as JSON. `products` limits the rules applied (default: all)."""
    conditions = _conditions(today)
    parts = []
    for product_id in products or tuple(BY_ID):
        product = BY_ID[product_id]
        parts.append(
            clients.lazy()
            .filter(conditions[product_id])
            .select(
                "person_id",
                product=pl.lit(product_id),
                entity=_entity(product),
                facts=_facts(product),
            )
        )
    if not parts:
        return pl.DataFrame(schema=OFFER_SCHEMA)
    return pl.concat(pl.collect_all(parts)).cast(OFFER_SCHEMA)  # type: ignore[arg-type]


def segments(clients: pl.DataFrame) -> pl.DataFrame:
    """Each customer's profile: product mix, age band, card use; and the profiling entity."""
    bank = (pl.col("current_accounts") + pl.col("savings_accounts") + pl.col("cards")) > 0
    loans = (pl.col("mortgages") + pl.col("other_loans")) > 0
    insured = pl.col("home_policies") > 0
    segment = (
        pl.when(bank & insured)
        .then(pl.lit("bank-and-insurance"))
        .when(loans)
        .then(pl.lit("borrower"))
        .when(pl.col("savings_accounts") > 0)
        .then(pl.lit("saver"))
        .when(bank)
        .then(pl.lit("everyday-banking"))
        .when(insured)
        .then(pl.lit("insurance-only"))
        .otherwise(pl.lit("other"))
    )
    card_use = (
        pl.when(pl.col("cards") == 0)
        .then(pl.lit("no-card"))
        .when(pl.col("late_statements") > 0)
        .then(pl.lit("paid-late"))
        .otherwise(pl.lit("paid-on-time"))
    )
    return clients.select(
        "person_id",
        entity=pl.col("home_entity"),
        segment=segment,
        age_band=pl.col("age_band"),
        card_use=card_use,
    )
