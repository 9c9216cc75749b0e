"""Correspondence analysis benchmark: messages analysed per second, beside the same pipeline
with the personal-data validators switched off.

N synthetic e-mails (default 10 000) in French, Dutch and English from the corpus's templates,
about one in two carrying identifiers to find: IBANs, Belgian national numbers, card numbers,
phone numbers, e-mail addresses, half of the first three with a wrong check digit. Then, in the
same run:
  pipeline  `analysis.analyse`: language (lingua), topic, intent (the trained classifier, once
            over the batch), urgency, personal data found by pattern and confirmed by
            python-stdnum, schwifty, phonenumbers and email-validator;
  anchor    the same pipeline with `validate=False`: every pattern candidate counts;
  and, for each, the personal-data step alone, to show what validation costs where it is paid.
The model is trained before the clock starts. Each figure is the best of three rounds in which
the pipeline and its anchor take turns.

Run: `.venv/bin/python -m bench correspondence` (results in bench/results/correspondence.json);
size from LAWFUL_BENCH_MAIL (default 10000).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from schwifty import IBAN

from lawful.correspondence import analysis, corpus, intent, pii

RESULTS = Path(__file__).parent / "results"
SIZE = int(os.environ.get("LAWFUL_BENCH_MAIL", "10000"))
RUNS = 3


def _national_number(rng: random.Random, *, valid: bool) -> str:
    first9 = f"{rng.randrange(50, 99):02d}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
    first9 += f"{rng.randrange(1, 998):03d}"
    check = 97 - int(first9) % 97
    check = check if valid else (check % 97) + 1
    return f"{first9[:2]}.{first9[2:4]}.{first9[4:6]}-{first9[6:]}.{check:02d}"


def _card(rng: random.Random, *, valid: bool) -> str:
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 == 0 else d
        total += d - 9 if d > 9 else d
    check = (10 - total % 10) % 10
    check = check if valid else (check + 1) % 10
    number = "".join(map(str, [*digits, check]))
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


def _iban(rng: random.Random, *, valid: bool) -> str:
    formatted = IBAN.generate("BE", bank_code="735", account_code=f"{rng.randrange(10**7):07d}")
    text = formatted.formatted
    return text if valid else text[:-1] + str((int(text[-1]) + 1) % 10)


def _identifier(rng: random.Random, *, valid: bool) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        return f"IBAN {_iban(rng, valid=valid)}"
    if kind == 1:
        return f"NN {_national_number(rng, valid=valid)}"
    if kind == 2:
        return f"carte/kaart/card {_card(rng, valid=valid)}"
    if kind == 3:
        return f"Tel. 0470 {rng.randrange(10**6):06d}"
    return f"jan.peeters{rng.randrange(999)}@example.be"


def mail(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for text, _, _ in itertools.islice(corpus.stream(seed), n):
        if rng.random() < 0.5:
            text = f"{text}\n{_identifier(rng, valid=rng.random() < 0.5)}"
        out.append(text)
    return out


def _best(*works: Callable[[], Any]) -> list[float]:
    """Each work's best time over RUNS rounds, the works taking turns within a round, so that
    a busy spell on a shared machine falls on both sides."""
    times: list[list[float]] = [[] for _ in works]
    for _ in range(RUNS):
        for i, work in enumerate(works):
            began = time.perf_counter()
            work()
            times[i].append(time.perf_counter() - began)
    return [min(t) for t in times]


def run() -> dict[str, Any]:
    console = Console(width=120)
    texts = mail(SIZE)
    classifier = intent.train()
    analysis.language_of("warm-up")  # lingua's models loaded before the clock starts
    full_s, anchor_s = _best(
        lambda: analysis.analyse(texts, classifier),
        lambda: analysis.analyse(texts, classifier, validate=False),
    )
    pii_s, pii_anchor_s = _best(
        lambda: [pii.find(t) for t in texts], lambda: [pii.find(t, validate=False) for t in texts]
    )
    confirmed = sum(len(pii.find(t)) for t in texts)
    candidates = sum(len(pii.find(t, validate=False)) for t in texts)
    result = {
        "messages": SIZE,
        "pipeline_s": full_s,
        "pipeline_per_s": SIZE / full_s,
        "anchor_no_validation_per_s": SIZE / anchor_s,
        "pii_per_s": SIZE / pii_s,
        "pii_no_validation_per_s": SIZE / pii_anchor_s,
        "candidates": candidates,
        "confirmed": confirmed,
        "load_average": os.getloadavg()[0],
    }
    result["vs_anchor"] = result["pipeline_per_s"] / result["anchor_no_validation_per_s"]
    result["pii_vs_anchor"] = result["pii_per_s"] / result["pii_no_validation_per_s"]
    console.print(
        f"load average {os.getloadavg()[0]:.1f}\n"
        f"{SIZE:,} e-mails (fr/nl/en): whole analysis {result['pipeline_per_s']:,.0f}/s; "
        f"anchor without validation {result['anchor_no_validation_per_s']:,.0f}/s "
        f"(ratio {result['vs_anchor']:.2f})\n"
        f"personal-data step alone: validated {result['pii_per_s']:,.0f}/s, candidates only "
        f"{result['pii_no_validation_per_s']:,.0f}/s (ratio {result['pii_vs_anchor']:.2f}); "
        f"{confirmed:,} confirmed of {candidates:,} candidates"
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "correspondence.json").write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    run()
