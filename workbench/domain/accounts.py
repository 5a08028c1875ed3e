"""Is this company already an account? The one rule for imports, `accounts add` and the window.

Seed 003, edge case 4: duplicate detection on account creation. A rep who re-imports the weekly
CRM export must end with one record per company, and adding "ACME Corp." by hand next to
"Acme Corporation" must not make a twin without a word.

1. The CRM's record id (Salesforce `Id`, HubSpot `Record ID`), when the new data has one, names
   the account outright: the company may have been renamed or moved to a new domain since.
2. Otherwise the duplicate matcher on domain and name (matching.py). An account that carries a
   *different* CRM id is another CRM record, so not a candidate: two records in the CRM are two
   companies to the rep, however alike their names.
3. The best match is the twin only if no other account matches as well; a tie is ambiguous and
   the caller must not guess.

Salesforce ids come in a 15-character case-sensitive form (reports) and an 18-character form
(data exports, the API); both are compared in the 18-character form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.domain.matching import Candidate, DuplicateIndex, Match

_SALESFORCE_15 = re.compile(r"[A-Za-z0-9]{15}")
_SALESFORCE_18 = re.compile(r"[A-Za-z0-9]{18}")
_CHECKSUM_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def _salesforce_suffix(id15: str) -> str:
    """The three characters Salesforce appends to make a 15-character id case-insensitive."""
    suffix = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _CHECKSUM_LETTERS[bits]
    return suffix


def _looks_like_salesforce(text: str) -> bool:
    return any(ch.isalpha() for ch in text) and any(ch.isdigit() for ch in text)


def normalise_crm_record_id(text: str | None) -> str:
    """The form CRM ids are stored and compared in; "" for none.

    Outer blanks go; a 15-character Salesforce id becomes its 18-character form
    ("001A000001abcde" → "001A000001abcdeIAA"); other ids (HubSpot's numbers, GUIDs) stay as
    they are, case included.
    """
    value = (text or "").strip()
    if _SALESFORCE_15.fullmatch(value) and _looks_like_salesforce(value):
        return value + _salesforce_suffix(value)
    if _SALESFORCE_18.fullmatch(value) and _looks_like_salesforce(value) \
            and value[15:].upper() == _salesforce_suffix(value[:15]):
        return value[:15] + value[15:].upper()
    return value


@dataclass(frozen=True)
class ExistingAccount:
    id: str
    name: str
    domain: str = ""
    crm_record_id: str = ""


@dataclass(frozen=True)
class Twin:
    """The account a new one would duplicate, and why."""
    account: ExistingAccount
    score: float  # 0-100, as the duplicate matcher scores
    reasons: tuple[str, ...]
    also: tuple[ExistingAccount, ...] = field(default=())  # as good a match: ambiguous
    by_record_id: bool = False  # the CRM (or workbench) record id said so, not the names

    @property
    def ambiguous(self) -> bool:
        return bool(self.also)

    def why(self) -> str:
        return "; ".join(self.reasons)


class AccountMatcher:
    """The accounts of a store, indexed for `twin`. Add accounts as they are created so that the
    rows of one import do not duplicate each other either."""

    def __init__(self, accounts: Iterable[ExistingAccount] = ()) -> None:
        self._accounts: dict[str, ExistingAccount] = {}
        self._by_crm_id: dict[str, list[str]] = {}
        self._index: DuplicateIndex | None = None  # built at the first search by name: a
        # re-import whose rows all carry known CRM ids never needs it
        self._last: tuple[tuple[str, str], list[Match]] | None = None  # the last fuzzy search
        for account in accounts:
            self.add(account)

    def add(self, account: ExistingAccount) -> None:
        """Index an account; one with the id of an indexed account replaces it (an update)."""
        crm_id = normalise_crm_record_id(account.crm_record_id)
        account = ExistingAccount(account.id, account.name, account.domain, crm_id)
        self._last = None
        previous = self._accounts.get(account.id)
        if previous is not None and previous.crm_record_id:
            self._by_crm_id[previous.crm_record_id].remove(account.id)
        self._accounts[account.id] = account
        if crm_id:
            self._by_crm_id.setdefault(crm_id, []).append(account.id)
        if self._index is not None:
            self._index.add(_candidate(account))

    def twin(self, name: str, domain: str = "", crm_record_id: str | None = None, *,
             exclude_ids: frozenset[str] = frozenset()) -> Twin | None:
        """The account this company already is, if any (see the module notes)."""
        crm_id = normalise_crm_record_id(crm_record_id)
        if crm_id:
            if crm_id in self._accounts and crm_id not in exclude_ids:  # a workbench id itself
                return Twin(self._accounts[crm_id], 100.0, ("same workbench record id",),
                            by_record_id=True)
            same = [self._accounts[i] for i in self._by_crm_id.get(crm_id, ())
                    if i not in exclude_ids]
            if same:
                return Twin(same[0], 100.0, (f"same CRM record id {crm_id}",), tuple(same[1:]),
                            by_record_id=True)
        matches = [m for m in self._find(name, domain) if m.candidate.id not in exclude_ids
                   and self._may_be_same_record(m.candidate.id, crm_id)]
        if not matches:
            return None
        best = matches[0]  # best first: score, then the number of reasons
        tied = tuple(self._accounts[m.candidate.id] for m in matches[1:]
                     if m.score >= best.score and len(m.reasons) >= len(best.reasons))
        return Twin(self._accounts[best.candidate.id], best.score, best.reasons, tied)

    def _find(self, name: str, domain: str) -> list[Match]:
        # An import asks twice about a row with an unknown CRM id (its twin, then whether it
        # looks like one); the fuzzy search is the expensive part, so it runs once.
        if self._index is None:
            self._index = DuplicateIndex(_candidate(a) for a in self._accounts.values())
        if self._last is None or self._last[0] != (name, domain):
            self._last = ((name, domain), self._index.find(name, domain, limit=None))
        return self._last[1]

    def _may_be_same_record(self, account_id: str, crm_id: str) -> bool:
        theirs = self._accounts[account_id].crm_record_id
        return not (crm_id and theirs and theirs != crm_id)


def _candidate(account: ExistingAccount) -> Candidate:
    return Candidate(id=account.id, name=account.name, domain=account.domain, kind="account")
