"""Synthetic people for the demo world: valid Belgian identifiers, no real person behind any."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass

from faker import Faker
from schwifty import IBAN

# Postcode ranges per region (bpost); Wallonia's German-speaking East Cantons are 4700-4799.
REGIONS = {
    "flanders": ((1500, 3999), (8000, 9999)),
    "wallonia": ((1300, 1499), (4000, 7999)),
    "brussels": ((1000, 1210),),
}
REGION_SHARE = (("flanders", 0.58), ("wallonia", 0.32), ("brussels", 0.10))
# Rough bounding boxes, enough to place an insured house on the right side of the language border.
BOXES = {
    "flanders": ((50.75, 51.40), (2.60, 5.80)),
    "wallonia": ((49.55, 50.70), (3.00, 6.30)),
    "brussels": ((50.80, 50.88), (4.30, 4.45)),
}
KBC_BANK_CODES = ("734", "735", "736", "737", "738", "739")
# Faker's fr_BE locale has no address provider; these municipalities keep French-speaking
# addresses Belgian (nl_BE's own provider serves Flanders).
TOWNS = {
    "wallonia": (
        "Namur", "Liège", "Charleroi", "Mons", "Tournai", "Wavre", "Arlon", "Verviers",
        "Dinant", "Nivelles", "Huy", "Bastogne", "Ottignies-Louvain-la-Neuve", "Eupen",
    ),
    "brussels": (
        "Bruxelles", "Ixelles", "Schaerbeek", "Uccle", "Etterbeek", "Anderlecht",
        "Woluwe-Saint-Lambert", "Saint-Gilles", "Forest", "Jette",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class SyntheticPerson:
    id: str
    first_name: str
    last_name: str
    birth_date: dt.date
    national_number: str
    email: str
    phone: str
    street: str
    postcode: str
    city: str
    region: str
    language: str


def national_number(birth: dt.date, serial: int) -> str:
    """A valid Belgian national register number for this birth date (serial 1-997)."""
    body = f"{birth:%y%m%d}{serial:03d}"
    base = int(("2" if birth.year >= 2000 else "") + body)
    return f"{body}{97 - base % 97:02d}"


# Account numbers are the account's serial spread over 7 digits by a multiplier coprime with
# 10^7: random-looking, and never the same twice (drawing them at random collided a few times
# in every 10 000 customers).
_SPREAD = 7_654_321


def iban(rng: random.Random, serial: int) -> str:
    """A valid Belgian IBAN of a group bank code; unique for serials below 10 million."""
    if not 0 < serial < 10**7:
        raise ValueError("account serials run from 1 to 9,999,999")
    account = f"{serial * _SPREAD % 10**7:07d}"
    return str(IBAN.generate("BE", bank_code=rng.choice(KBC_BANK_CODES), account_code=account))


def pick_region(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for region, share in REGION_SHARE:
        total += share
        if roll < total:
            return region
    return REGION_SHARE[-1][0]


def postcode(rng: random.Random, region: str) -> str:
    low, high = rng.choice(REGIONS[region])
    return str(rng.randint(low, high))


def coordinates(rng: random.Random, region: str) -> tuple[float, float]:
    (lat0, lat1), (lon0, lon1) = BOXES[region]
    return round(rng.uniform(lat0, lat1), 5), round(rng.uniform(lon0, lon1), 5)


class PeopleFactory:
    """Deterministic for a seed: the same seed gives the same people, ids and numbers."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {"fr": Faker("fr_BE"), "nl": Faker("nl_BE"), "street": Faker("fr_FR")}
        for offset, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed + offset)
        self._serials: dict[dt.date, int] = {}

    def person(self) -> SyntheticPerson:
        rng = self.rng
        region = pick_region(rng)
        pc = postcode(rng, region)
        if region == "flanders":
            language = "nl"
        elif region == "wallonia":
            language = "de" if pc.startswith("47") else "fr"
        else:
            language = rng.choice(("fr", "fr", "nl", "en"))
        faker = self.fakers["nl" if language == "nl" else "fr"]
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 66))
        serial = self._serials.get(birth, 0) + 1
        self._serials[birth] = serial
        first, last = faker.first_name(), faker.last_name()
        if region == "flanders":
            street, city = faker.street_address(), faker.city()
        else:
            number = rng.randint(1, 180)
            street, city = (
                f"{self.fakers['street'].street_name()} {number}",
                rng.choice(TOWNS[region]),
            )
        plain = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
        local = plain.lower().replace(" ", "").replace("'", "")
        return SyntheticPerson(
            id=f"{rng.getrandbits(128):032x}",
            first_name=first,
            last_name=last,
            birth_date=birth,
            national_number=national_number(birth, serial),
            email=f"{local}{rng.randrange(100)}@example.be",
            phone=f"+324{rng.randrange(70, 100)}{rng.randrange(10**6):06d}",
            street=street,
            postcode=pc,
            city=city,
            region=region,
            language=language,
        )
