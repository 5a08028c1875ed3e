"""Benchmark the duplicate check (DESIGN §5 budget: one check ≤ 20 ms against 100k records).

Builds 100,000 synthetic customers (deterministic seed), times building the DuplicateIndex and
200 `find` calls: 100 near-duplicates of indexed customers (suffix and case variants, typos, URL
or e-mail forms of the domain) and 100 unknown customers. Prints the figures.

    python scripts/bench_duplicates.py [--records 100000] [--queries 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.domain.matching import (  # noqa: E402
    Candidate, DuplicateIndex, is_generic_domain, normalise_domain)

SURNAMES = ("Smith Johnson Williams Brown Jones Miller Davis Garcia Rodriguez Wilson Martinez "
            "Anderson Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
            "Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker Nelson Carter "
            "Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Morris "
            "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Lefèvre Rossi Russo "
            "Tanaka Suzuki Sato Kim Park Nguyen Singh Patel Kumar Silva Santos Costa").split()
INDUSTRY = ("Logistics Robotics Systems Software Solutions Analytics Foods Bank Capital Partners "
            "Health Energy Labs Media Networks Consulting Industries Manufacturing Pharma Retail "
            "Security Telecom Ventures Dynamics Technologies Engineering Construction Insurance "
            "Holdings Group Studio Design Marketing Motors Airlines Shipping Textiles Chemicals "
            "Biotech Hospitality Realty Advisors Outfitters Brewing Farms Dental Legal").split()
GEO = ("North South East West Pacific Atlantic Midwest Texas Nordic Alpine Coastal Central "
       "Great Lakes Bay Valley Summit Harbor Metro Global United").split()
SUFFIXES = ("", "", "", "Inc", "Inc.", "LLC", "Ltd", "Ltd.", "Corp.", "Corporation", "GmbH",
            "Co., Ltd.", "S.A.", "AG", "PLC", "B.V.", "Pty Ltd", "SAS", "Oy", "AB", "S.p.A.")
TLDS = (".com", ".com", ".com", ".io", ".net", ".co.uk", ".de", ".fr", ".com.au", ".co")
SYLLABLES = ("ac ze tri ven or lo max qu in ex al cor nov sta vi ra tek ly on ix ba ner sol ka "
             "mi dro fa bel gen ter vo pri lu cy zan dar el os um").split()


def brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def company(rng: random.Random) -> tuple[str, str]:
    """A (name, domain) pair such as ("Zentrixal Logistics GmbH", "zentrixallogistics.de")."""
    pattern = rng.random()
    if pattern < 0.35:
        words = [brand(rng), rng.choice(INDUSTRY)]
    elif pattern < 0.55:
        words = [rng.choice(SURNAMES), "&", rng.choice(SURNAMES), rng.choice(INDUSTRY)]
    elif pattern < 0.75:
        words = [rng.choice(GEO), brand(rng), rng.choice(INDUSTRY)]
    elif pattern < 0.9:
        words = [brand(rng)]
    else:
        words = [rng.choice(SURNAMES), brand(rng), rng.choice(INDUSTRY)]
    name = " ".join(words + [rng.choice(SUFFIXES)]).strip()
    slug = "".join(ch for ch in "".join(w for w in words if w != "&")[:24].lower()
                   if ch in string.ascii_lowercase)
    domain = "gmail.com" if rng.random() < 0.03 else slug + rng.choice(TLDS)
    if rng.random() < 0.1:
        domain = ""
    return name, domain


def near_duplicate(rng: random.Random, candidate: Candidate) -> tuple[str, str]:
    """How a rep might type a customer the index already holds."""
    name, domain = candidate.name, candidate.domain
    if is_generic_domain(normalise_domain(domain)):
        domain = ""  # a free-mail address identifies nobody: not a duplicate by domain
    variant = rng.randrange(5)
    if variant == 0:  # other legal form, other case
        base = name
        for suffix in sorted(SUFFIXES, key=len, reverse=True):
            if suffix and base.endswith(" " + suffix):
                base = base[: -len(suffix) - 1]
                break
        return f"{base.upper()} {rng.choice(SUFFIXES[3:])}", ""
    if variant == 1:  # a typo: one letter dropped from the longest word
        words = name.split()
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[longest]
        if len(word) > 6:
            cut = rng.randrange(2, len(word) - 1)
            words[longest] = word[:cut] + word[cut + 1:]
        return " ".join(words), ""
    if variant == 2 and domain:  # the website instead of the domain
        return "Some Other Name", f"https://www.{domain}/contact?ref=1"
    if variant == 3 and domain:  # a contact's e-mail address
        return "", f"jane.doe@{domain}"
    return name, domain


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    candidates = []
    for number in range(args.records):
        name, domain = company(rng)
        kind = ("registration", "account", "direct_opportunity")[number % 3]
        candidates.append(Candidate(id=f"c{number}", name=name, domain=domain, kind=kind,
                                    owner=f"partner-{number % 500}"))

    started = time.perf_counter()
    index = DuplicateIndex(candidates)
    build_seconds = time.perf_counter() - started

    hits = [near_duplicate(rng, rng.choice(candidates)) for _ in range(args.queries // 2)]
    misses = [company(rng) for _ in range(args.queries - len(hits))]
    queries = [(q, True) for q in hits] + [(q, False) for q in misses]
    rng.shuffle(queries)

    index.find("warm up", "warm-up.example")
    timings, found_hits, matched_misses = [], 0, 0
    for (name, domain), expected in queries:
        started = time.perf_counter()
        matches = index.find(name, domain)
        timings.append((time.perf_counter() - started) * 1000)
        if expected and matches:
            found_hits += 1
        if not expected and matches:
            matched_misses += 1

    print(f"machine:                {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} "
          "(other work on the machine inflates the figures)")
    print(f"records indexed:        {len(index):,}")
    print(f"index build:            {build_seconds:.2f} s")
    print(f"checks:                 {len(timings)} ({len(hits)} near-duplicates, {len(misses)} random new)")
    print(f"per check p50:          {statistics.median(timings):.2f} ms")
    print(f"per check p95:          {percentile(timings, 0.95):.2f} ms")
    print(f"per check max:          {max(timings):.2f} ms")
    print(f"near-duplicates found:  {found_hits}/{len(hits)}")
    print(f"new names with matches: {matched_misses}/{len(misses)} "
          "(random names; some coincide with indexed ones)")
    print("budget (DESIGN §5):     20 ms per check -> "
          + ("OK" if percentile(timings, 0.95) <= 20 else "OVER"))


if __name__ == "__main__":
    main()
