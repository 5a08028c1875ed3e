"""Duplicate and channel-conflict matching of customers by domain and company name.

Seed 001: "match by company domain or company name"; DESIGN §4: normalised domain and normalised
company name with a fuzzy threshold. The same index runs locally before a rep submits (instant,
offline) and on the server against every partner's active registrations and the vendor's direct
opportunities, so both sides agree on what a duplicate is.

How two customers match, strongest first (a candidate collects every reason that applies):

====================================  =====  ==================================================
rule                                  score  example
====================================  =====  ==================================================
same domain                           100    https://www.Acme.com/ ~ bob@acme.com
same name after normalising           100    ACME Corp. ~ acme corporation; Müller GmbH ~ Muller
same name apart from generic words,   96     Alpha Systems ~ Alpha Systems Group;
spacing, word order or plurals               Price Waterhouse ~ Pricewaterhouse;
                                             Acme Technologies ~ Acme Technology
one domain is a subdomain of other    95     emea.acme.com ~ acme.com
similar name (fuzzy)                  ratio  Acme Logistics ~ Acme Logisitcs (92.9)
====================================  =====  ==================================================

Decisions:

- Free-mail domains (gmail.com, outlook.com, …) identify nobody: they never match.
- Fuzzy similarity is rapidfuzz's normalised Indel ratio of the names without generic words; a
  pair at or above the threshold (88 by default) matches only if every distinctive word of one
  name has a counterpart in the other: equal, the same stem (technology/technologies), or a typo
  (one edit in a word of 4-7 letters, two from 8). Words with digits, words of three letters or
  fewer and compass words (north, south, east, west, …) must be equal. So "Acme Logistics" and
  "Acme Robotics", "North Star Bank" and "South Star Bank", "Acme 2" and "Acme 3" do not match.
- Generic words (group, holdings, international, global, worldwide, the, and, of) do not tell
  companies apart: "Alpha Systems" and "Alpha Systems Group" match (score 96) — for a conflict
  check a question to the channel manager costs less than a missed conflict. One typo in a long
  legal form or generic word is still recognised ("Corportion", "Hodings").
- Subdomains match their parent domain (shop.acme.com ~ acme.com), never through a public suffix
  (co.uk) or shared hosting (github.io).

Speed (DESIGN §5: ≤ 20 ms per check at 100k records; scripts/bench_duplicates.py): exact rules are
dict look-ups; the fuzzy rule runs rapidfuzz over the distinct names that have the query's number
of distinctive words and a length that can reach the threshold. Past FULL_SCAN_LIMIT such names it
scores only those sharing a word (singular) with the query, which loses only names with every
word misspelt. An index is not safe for concurrent add/remove and find; give each thread its own
or guard it with a lock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

# ---------------------------------------------------------------------------------------------
# Domains

# Mailbox providers: a customer's address there says nothing about which company it is.
GENERIC_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "ymail.com", "rocketmail.com", "aol.com", "icloud.com", "me.com", "mac.com",
    "proton.me", "protonmail.com", "pm.me", "tutanota.com", "tuta.io", "fastmail.com", "hey.com",
    "gmx.com", "gmx.net", "gmx.de", "web.de", "t-online.de", "freenet.de", "mail.com",
    "email.com", "zoho.com", "zohomail.com", "yandex.com", "yandex.ru", "mail.ru", "bk.ru",
    "inbox.ru", "list.ru", "rambler.ru", "qq.com", "163.com", "126.com", "sina.com", "naver.com",
    "daum.net", "hanmail.net", "orange.fr", "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr",
    "libero.it", "virgilio.it", "btinternet.com", "sky.com", "comcast.net", "verizon.net",
    "att.net", "sbcglobal.net", "cox.net", "charter.net", "earthlink.net", "bigpond.com",
    "rediffmail.com", "seznam.cz", "wp.pl", "o2.pl", "interia.pl", "onet.pl",
})
# Providers with a domain per country: yahoo.co.uk, hotmail.fr, outlook.de, gmx.at …
_GENERIC_PROVIDERS = frozenset({"gmail", "googlemail", "hotmail", "outlook", "live", "yahoo",
                                "ymail", "aol", "gmx", "yandex", "icloud", "protonmail", "msn"})
# Public second-level suffixes: "co.uk" is not one organisation's domain.
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go",
                           "gob", "ltd", "plc", "nom", "mil", "sch", "gv", "biz"})
# Shared hosting: two sites under github.io belong to different owners.
_SHARED_HOSTING = frozenset({
    "github.io", "gitlab.io", "herokuapp.com", "blogspot.com", "wordpress.com", "wixsite.com",
    "squarespace.com", "azurewebsites.net", "cloudapp.net", "cloudfront.net", "appspot.com",
    "netlify.app", "vercel.app", "pages.dev", "workers.dev", "myshopify.com", "sharepoint.com",
    "onmicrosoft.com", "amazonaws.com", "firebaseapp.com", "web.app", "weebly.com",
})

_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"  # letters and digits, hyphens inside
_DOMAIN = re.compile(rf"(?:{_LABEL}\.)+{_LABEL}\Z")
_PLAIN_HOST = re.compile(r"[\w.-]+\Z")
_SCHEME = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|mailto:)")
_URL_REST = re.compile(r"[/?#]")


def normalise_domain(text: str) -> str:
    """The bare host name of a URL, e-mail address or domain, lower-case; "" if none.

    "https://www.Acme.com/" → "acme.com"; "bob@acme.com" → "acme.com";
    "http://user:pw@shop.acme.com:8080/x?y#z" → "shop.acme.com". A host without a dot, an IP
    address or anything with spaces gives "".
    """
    host = text.strip().lower()
    if _PLAIN_HOST.match(host):  # the common case: already a bare domain
        host = host.strip(".")
    else:
        host = _SCHEME.sub("", host)
        host = _URL_REST.split(host, maxsplit=1)[0]  # path, query, fragment
        host = host.rsplit("@", 1)[-1]  # credentials, or the mailbox of an e-mail address
        host = host.split(":", 1)[0].strip(".")  # port, trailing dot of a fully qualified name
    while host.startswith("www.") and "." in host[4:]:
        host = host[4:]
    if not _DOMAIN.match(host) or host.replace(".", "").isdigit():  # IP addresses name nobody
        return ""
    return host


def is_generic_domain(domain: str) -> bool:
    """True for free-mail domains such as gmail.com or yahoo.co.uk (normalised input)."""
    if domain in GENERIC_DOMAINS:
        return True
    first, _, rest = domain.partition(".")
    return first in _GENERIC_PROVIDERS and 0 < len(rest) <= 6 and rest.count(".") <= 1


def _parent_domains(domain: str) -> list[str]:
    """Parents that could be one organisation's domain: a.b.acme.com → b.acme.com, acme.com."""
    labels = domain.split(".")
    parents = []
    for i in range(1, len(labels) - 1):
        parent = ".".join(labels[i:])
        if _is_public_suffix_like(parent):
            break
        parents.append(parent)
    return parents


def _is_public_suffix_like(domain: str) -> bool:
    labels = domain.split(".")
    if domain in _SHARED_HOSTING or is_generic_domain(domain):
        return True
    return len(labels) == 2 and len(labels[1]) == 2 and labels[0] in _SECOND_LEVEL


# ---------------------------------------------------------------------------------------------
# Company names

# Legal-form words, compared after punctuation is gone and spelled-out initials are joined
# ("S.p.A." → "spa", "L.L.C." → "llc").
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "cos", "ltd", "limited",
    "llc", "llp", "lp", "lllp", "pllc", "plc", "pc", "gmbh", "mbh", "ag", "kg", "kgaa", "ug",
    "ohg", "ev", "se", "sa", "sas", "sasu", "sarl", "sca", "scs", "sau", "sl", "sll", "slu",
    "srl", "spa", "sapa", "snc", "bv", "nv", "cv", "vof", "pty", "pte", "pvt", "sdn", "bhd",
    "oy", "oyj", "ab", "publ", "as", "asa", "aps", "hf", "ehf", "kk", "yk", "gk", "ltda",
    "sro", "kft", "zrt", "nyrt", "bt", "sp", "zoo", "doo", "dd", "ooo", "oao", "zao",
    "pao", "uab", "sia", "ou", "tbk", "jsc", "pjsc", "cic", "cio", "lda", "ulc",
})
_LEGAL_PHRASES = (
    ("kabushiki", "kaisha"), ("godo", "kaisha"), ("yugen", "kaisha"),
    ("limited", "liability", "company"), ("limited", "liability", "partnership"),
    ("public", "limited", "company"), ("societe", "anonyme"), ("sociedad", "anonima"),
    ("societa", "per", "azioni"), ("private", "limited"), ("proprietary", "limited"),
)
_LEGAL_PHRASES_BY_LAST: dict[str, list[tuple[str, ...]]] = {}
for _phrase in _LEGAL_PHRASES:
    _LEGAL_PHRASES_BY_LAST.setdefault(_phrase[-1], []).append(_phrase)
# Words that do not tell one company from another; ignored when comparing names.
GENERIC_WORDS = frozenset({"the", "and", "of", "group", "holding", "holdings", "international",
                           "intl", "global", "worldwide"})
# Long enough that one typo in them is still recognisable.
_LONG_LEGAL_SUFFIXES = frozenset({"corporation", "incorporated", "limited", "company"})
_LONG_GENERIC_WORDS = frozenset({"holding", "holdings", "international", "worldwide"})




class _Near(NamedTuple):
    """Cheap tests a word must pass before it can be one typo away from one of a few words."""
    lengths: frozenset[int]
    firsts: frozenset[str]


_NEAR = {words: _Near(frozenset(len(w) + d for w in words for d in (-1, 0, 1)),
                      frozenset(w[0] for w in words))
         for words in (_LONG_LEGAL_SUFFIXES, _LONG_GENERIC_WORDS)}
# Words that do tell companies apart even though they differ by a letter or two.
_COMPASS_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "northeast",
    "northwest", "southeast", "southwest", "central", "upper", "lower", "mid", "new", "old",
})
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_NON_WORD = re.compile(r"[\W_]+")


def normalise_company_name(text: str) -> str:
    """A company name reduced to what identifies it.

    Case-folded, accents dropped, "&" read as "and", apostrophes dropped, other punctuation turned
    into spaces, spelled-out initials joined ("I.B.M." → "ibm"), a leading "the" and trailing legal
    forms removed, also when repeated: "Acme Holdings Co., Ltd." → "acme holdings",
    "ACME Corp." → "acme", "Müller GmbH" → "muller". A name that is nothing but a legal form keeps
    its first word ("Company Ltd." → "company").
    """
    text = _fold(text).replace("&", " and ")
    text = _APOSTROPHES.sub("", text)
    tokens = _join_initials(_NON_WORD.sub(" ", text).split())
    while len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(_strip_legal_forms(tokens))


def _fold(text: str) -> str:
    if text.isascii():  # the common case, and ten times faster
        return text.lower()
    text = _drop_accents(text).casefold()
    return _drop_accents(text)  # casefold can produce new composed characters ("ǰ")


def _drop_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _join_initials(tokens: list[str]) -> list[str]:
    """Runs of single letters are one word spelled out: ["s", "p", "a"] → ["spa"]."""
    joined: list[str] = []
    run: list[str] = []
    for token in tokens + [""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if run:
            joined.extend(["".join(run)] if len(run) > 1 else run)
            run = []
        if token:
            joined.append(token)
    return joined


def _strip_legal_forms(tokens: list[str]) -> list[str]:
    while len(tokens) > 1:
        last = tokens[-1]
        phrase = next((p for p in _LEGAL_PHRASES_BY_LAST.get(last, ())
                       if len(p) < len(tokens) and tuple(tokens[-len(p):]) == p), None)
        if phrase:
            tokens = tokens[:-len(phrase)]
        elif last in LEGAL_SUFFIXES or last == "and" or _misspelt(last, _LONG_LEGAL_SUFFIXES):
            tokens = tokens[:-1]  # "and" left dangling: "Smith & Co" → "smith and" → "smith"
        else:
            break
    return tokens


def _core_tokens(normalised: str) -> list[str]:
    """The distinctive words of a normalised name; all of them if every word is generic."""
    tokens = normalised.split()
    core = [t for t in tokens if t not in GENERIC_WORDS and not _misspelt(t, _LONG_GENERIC_WORDS)]
    return core or tokens


def _misspelt(word: str, long_words: frozenset[str]) -> bool:
    """One typo, after the first letter, away from one of `long_words` ("corportion", "hodings").

    The first letter must be right: "molding" and "folding" are trades, not a misspelt "holding".
    """
    near = _NEAR[long_words]
    if len(word) not in near.lengths or word[0] not in near.firsts:
        return False
    return any(w[0] == word[0] and OSA.distance(word, w, score_cutoff=1) <= 1 for w in long_words)


# ---------------------------------------------------------------------------------------------
# Candidates and matches


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    domain: str = ""
    kind: str = "registration"  # or "account", "direct_opportunity"
    owner: str = ""  # opaque (e.g. partner id) — never put into reasons


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    score: float  # 0-100
    reasons: tuple[str, ...]


SAME = 100.0
EQUIVALENT_NAME = 96.0
RELATED_DOMAIN = 95.0
# Up to this many distinct multi-word names of one word count the fuzzy rule scores them all;
# beyond, only those sharing a word with the query (see DuplicateIndex._fuzzy_pool).
FULL_SCAN_LIMIT = 20_000


class _Keys(NamedTuple):
    """What a name and domain are compared by, computed once per candidate and per query."""
    name: str  # normalised company name
    core: str  # distinctive words, space-separated: what the fuzzy rule compares
    compact: str  # core without spaces: "price waterhouse" = "pricewaterhouse"
    ordered: str  # core words singular and sorted: "banks of north star" = "north star bank"
    domain: str  # normalised, "" for none and for free-mail domains

    @classmethod
    def of(cls, name: str, domain: str) -> _Keys:
        normalised = normalise_company_name(name)
        core = _core_tokens(normalised)
        host = normalise_domain(domain)
        return cls(name=normalised, core=" ".join(core), compact="".join(core),
                   ordered=" ".join(sorted(_stem(word) for word in core)),
                   domain="" if is_generic_domain(host) else host)


class DuplicateIndex:
    """Candidates indexed for `find`: exact keys in dicts, distinct names bucketed for rapidfuzz."""

    def __init__(self, candidates: Iterable[Candidate] = (), threshold: float = 88.0) -> None:
        if not 0 < threshold <= 100:
            raise ValueError(f"threshold must be between 0 and 100, got {threshold!r}")
        self.threshold = float(threshold)
        self._entries: dict[str, tuple[Candidate, _Keys]] = {}
        self._by_name = _Postings()  # normalised name -> ids
        self._by_compact = _Postings()  # _Keys.compact -> ids
        self._by_ordered = _Postings()  # _Keys.ordered -> ids
        self._by_domain = _Postings()  # domain -> ids
        self._by_parent_domain = _Postings()  # acme.com -> ids of shop.acme.com, eu.acme.com …
        self._by_core = _Postings()  # core -> ids
        # Distinct cores for the fuzzy scan, by (number of words, length): only cores with the
        # query's number of words can pass `_words_agree`, only some lengths can reach the
        # threshold. None marks a free slot (rapidfuzz skips None).
        self._buckets: dict[tuple[int, int], list[str | None]] = {}
        self._slots: dict[str, int] = {}  # core -> position in its bucket
        self._free: dict[tuple[int, int], list[int]] = {}
        self._cores_by_count: dict[int, int] = {}  # number of words -> distinct cores
        self._by_word = _Postings()  # (singular word, number of words) -> cores
        for candidate in candidates:
            self.add(candidate)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, candidate_id: object) -> bool:
        return candidate_id in self._entries

    def add(self, candidate: Candidate) -> None:
        """Index a candidate; one with the id of an indexed candidate replaces it."""
        if candidate.id in self._entries:
            self.remove(candidate.id)
        keys = _Keys.of(candidate.name, candidate.domain)
        self._entries[candidate.id] = (candidate, keys)
        for index, key in self._index_keys(keys):
            index.add(key, candidate.id)
        if keys.core and keys.core not in self._slots:
            self._put_core(keys.core)

    def remove(self, candidate_id: str) -> None:
        """Forget a candidate; an id that is not indexed is ignored."""
        entry = self._entries.pop(candidate_id, None)
        if entry is None:
            return
        keys = entry[1]
        for index, key in self._index_keys(keys):
            index.discard(key, candidate_id)
        if keys.core and keys.core not in self._by_core:
            self._drop_core(keys.core)

    def find(self, name: str, domain: str = "", limit: int | None = 10) -> list[Match]:
        """Candidates that are probably the same customer, best first, with reasons."""
        query = _Keys.of(name, domain)
        found: dict[str, tuple[float, list[str]]] = {}

        def hit(ids: Iterable[str], score: float, reason: str) -> None:
            for candidate_id in ids:
                best, reasons = found.setdefault(candidate_id, (0.0, []))
                if reason not in reasons:
                    reasons.append(reason)
                found[candidate_id] = (max(best, score), reasons)

        if query.domain:
            hit(self._by_domain.get(query.domain), SAME, f"same domain {query.domain}")
            for parent in _parent_domains(query.domain):
                hit(self._by_domain.get(parent), RELATED_DOMAIN,
                    f"related domain: {query.domain} is part of {parent}")
            for candidate_id in self._by_parent_domain.get(query.domain):
                related = self._entries[candidate_id][1].domain
                hit([candidate_id], RELATED_DOMAIN,
                    f"related domain: {related} is part of {query.domain}")
        if query.name:
            same_name = set(self._by_name.get(query.name))
            hit(same_name, SAME, f"same company name after normalising ({query.name})")
            equivalent = self._equivalent_ids(query) - same_name
            for candidate_id in equivalent:
                other = self._entries[candidate_id][1]
                hit([candidate_id], EQUIVALENT_NAME, _equivalence_reason(query, other))
            for candidate_id, score in self._fuzzy_ids(query):
                if candidate_id in same_name or candidate_id in equivalent:
                    continue
                other = self._entries[candidate_id][1]
                hit([candidate_id], score,
                    f"similar company name: '{query.name}' ~ '{other.name}' ({score:.0f}%)")
        matches = [Match(self._entries[cid][0], score, tuple(reasons))
                   for cid, (score, reasons) in found.items()]
        matches.sort(key=lambda m: (-m.score, -len(m.reasons), m.candidate.name, m.candidate.id))
        return matches if limit is None else matches[:max(limit, 0)]

    # -- internals ------------------------------------------------------------------------------

    def _index_keys(self, keys: _Keys) -> list[tuple[_Postings, str]]:
        """Each (postings, key) under which a candidate with these keys is filed."""
        pairs: list[tuple[_Postings, str]] = []
        if keys.name:
            pairs += [(self._by_name, keys.name), (self._by_core, keys.core),
                      (self._by_compact, keys.compact), (self._by_ordered, keys.ordered)]
        if keys.domain:
            pairs.append((self._by_domain, keys.domain))
            pairs += [(self._by_parent_domain, parent) for parent in _parent_domains(keys.domain)]
        return pairs

    def _equivalent_ids(self, query: _Keys) -> set[str]:
        ids = set(self._by_compact.get(query.compact))
        ids.update(self._by_ordered.get(query.ordered))
        return ids

    def _fuzzy_ids(self, query: _Keys) -> list[tuple[str, float]]:
        """Ids whose distinctive words are close enough to the query's, with the similarity."""
        results = []
        words = query.core.split()
        for cores in self._fuzzy_pool(words, len(query.core)):
            # QRatio is ratio (Indel similarity) and, through process.extract, the faster path.
            for core, score, _ in process.extract(query.core, cores, scorer=fuzz.QRatio,
                                                  score_cutoff=self.threshold, limit=None):
                if core == query.core or not _words_agree(words, core.split()):
                    continue
                results += [(cid, round(score, 1)) for cid in self._by_core.get(core)]
        return results

    def _fuzzy_pool(self, words: list[str], length: int) -> Iterable[list[str | None]]:
        """The lists of cores worth scoring against a query core.

        All cores with the query's number of words and a length that can reach the threshold —
        unless there are more than FULL_SCAN_LIMIT of them with several words: then only those
        sharing at least one word (in singular) with the query. That misses only names in which
        every word is misspelt, which stays above the threshold only for long names.
        """
        count = len(words)
        reachable = self._reachable_lengths(length)
        if count == 1 or self._cores_by_count.get(count, 0) <= FULL_SCAN_LIMIT:
            return [self._buckets[(count, n)] for n in reachable if (count, n) in self._buckets]
        pool: set[str] = set()
        for word in set(words):
            pool.update(self._by_word.get((_stem(word), count)))
        low, high = reachable.start, reachable.stop
        return [[core for core in pool if low <= len(core) < high]]

    def _reachable_lengths(self, length: int) -> range:
        # ratio = 2·common/(a+b) ≤ 2·min/(min+max): lengths outside this range cannot reach it.
        t = self.threshold
        low = int(length * t / (200 - t))
        high = int(length * (200 - t) / t) + 1
        return range(max(low, 1), high + 1)

    def _put_core(self, core: str) -> None:
        key = _bucket_key(core)
        bucket = self._buckets.setdefault(key, [])
        free = self._free.get(key)
        if free:
            position = free.pop()
            bucket[position] = core
        else:
            position = len(bucket)
            bucket.append(core)
        self._slots[core] = position
        words = core.split()
        self._cores_by_count[len(words)] = self._cores_by_count.get(len(words), 0) + 1
        for word in set(words):
            self._by_word.add((_stem(word), len(words)), core)

    def _drop_core(self, core: str) -> None:
        position = self._slots.pop(core)
        key = _bucket_key(core)
        self._buckets[key][position] = None  # rapidfuzz skips None choices
        self._free.setdefault(key, []).append(position)
        words = core.split()
        self._cores_by_count[len(words)] -= 1
        for word in set(words):
            self._by_word.discard((_stem(word), len(words)), core)


class _Postings:
    """key -> the values filed under it, for exact look-ups.

    A key with one value holds it bare and switches to a set at the second: most keys have one
    value, and a hundred thousand one-element sets make building the index markedly slower.
    """

    __slots__ = ("_map",)

    def __init__(self) -> None:
        self._map: dict[Hashable, str | set[str]] = {}

    def add(self, key: Hashable, value: str) -> None:
        held = self._map.get(key)
        if held is None:
            self._map[key] = value
        elif isinstance(held, set):
            held.add(value)
        elif held != value:
            self._map[key] = {held, value}

    def discard(self, key: Hashable, value: str) -> None:
        held = self._map.get(key)
        if isinstance(held, set):
            held.discard(value)
            if len(held) == 1:
                self._map[key] = held.pop()
        elif held == value:
            del self._map[key]

    def get(self, key: Hashable) -> Collection[str]:
        """The values under `key` (read-only), empty if none."""
        held = self._map.get(key)
        if held is None:
            return ()
        return held if isinstance(held, set) else (held,)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._map


def _bucket_key(core: str) -> tuple[int, int]:
    return core.count(" ") + 1, len(core)


def blocking_keys(name: str, domain: str = "") -> frozenset[str]:
    """Keys that two customers `find` could match always share, for pre-filtering in a database.

    The domain and its parents, the normalised name with its compact and ordered forms, and per
    distinctive word the keys of `word_keys`. The one match they can miss is a fuzzy one with
    every word misspelt in its first four letters — which `find` also gives up at scale
    (FULL_SCAN_LIMIT).
    """
    keys = _Keys.of(name, domain)
    found: set[str] = set()
    if keys.domain:
        found.add(f"d:{keys.domain}")
        found.update(f"d:{parent}" for parent in _parent_domains(keys.domain))
    if keys.name:
        found.update((f"n:{keys.name}", f"c:{keys.compact}", f"o:{keys.ordered}"))
        for group in word_keys(name):
            found.update(group)
    return frozenset(found)


def word_keys(name: str) -> list[frozenset[str]]:
    """Per distinctive word of the name: its stem, and for long words its first four letters.

    A fuzzy match needs a counterpart for every word (see `_words_agree`), so a candidate must
    share the keys of any one word — a database may look up only the name's rarest words.
    """
    core = _Keys.of(name, "").core.split()
    return [frozenset({f"w:{_stem(word)}", *([f"p:{word[:4]}"] if len(word) >= 5 else [])})
            for word in core]


def find_duplicates(name: str, domain: str, candidates: Iterable[Candidate],
                    threshold: float = 88.0, limit: int | None = 10) -> list[Match]:
    """One-off check without keeping an index (for many checks build a DuplicateIndex)."""
    return DuplicateIndex(candidates, threshold).find(name, domain, limit)


def _equivalence_reason(query: _Keys, other: _Keys) -> str:
    """Say what differs between two names that are the same apart from minor things."""
    words, others = query.core.split(), other.core.split()
    aspects = []
    differing = set(query.name.split()) ^ set(other.name.split())
    generic = sorted(word for word in differing if word in GENERIC_WORDS)
    if generic:
        aspects.append("the word" + ("s " if len(generic) > 1 else " ")
                       + ", ".join(f"'{w}'" for w in generic))
    if query.compact == other.compact:
        if words != others:
            aspects.append("spacing")
    else:  # same singular words, sorted
        if [_stem(w) for w in words] != [_stem(w) for w in others]:
            aspects.append("word order")
        if sorted(words) != sorted(others):
            aspects.append("singular/plural")
    return f"same company name apart from {' and '.join(aspects)}: '{query.name}' ~ '{other.name}'"


def _words_agree(words: list[str], others: list[str]) -> bool:
    """Every distinctive word of one name has a counterpart in the other (see module notes)."""
    if len(words) != len(others):
        return False
    unmatched = list(others)
    for word in words:
        partner = next((o for o in unmatched if _same_word(word, o)), None)
        if partner is None:
            return False
        unmatched.remove(partner)
    return True


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if (min(len(a), len(b)) <= 3 or a in _COMPASS_WORDS or b in _COMPASS_WORDS
            or any(ch.isdigit() for ch in a + b)):
        return False
    if _stem(a) == _stem(b):
        return True
    allowed_edits = 1 if min(len(a), len(b)) < 8 else 2
    return OSA.distance(a, b, score_cutoff=allowed_edits) <= allowed_edits


def _stem(word: str) -> str:
    """The singular of an English plural, roughly: technologies → technology, systems → system."""
    if word.endswith("ies") and len(word) >= 6:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 5:
        return word[:-1]
    return word
