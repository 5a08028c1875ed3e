"""Duplicate / channel-conflict matching — seed 001 ("match by company domain or company name"),
DESIGN §4 (normalised domain and company name, fuzzy above a threshold)."""

import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from workbench.domain.matching import (
    GENERIC_WORDS, LEGAL_SUFFIXES, Candidate, DuplicateIndex, Match, blocking_keys, find_duplicates,
    is_generic_domain, normalise_company_name, normalise_domain)

# -- domains ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("https://www.Acme.com/", "acme.com"),
    ("acme.com", "acme.com"),
    ("ACME.COM.", "acme.com"),  # trailing dot of a fully qualified name
    ("bob@acme.com", "acme.com"),
    ("mailto:Bob@Acme.com", "acme.com"),
    ("http://user:secret@shop.acme.com:8080/cart?id=1#top", "shop.acme.com"),
    ("www.acme.co.uk/contact", "acme.co.uk"),
    ("  www.www.acme.com  ", "acme.com"),
    ("www.com", "www.com"),  # "www" is the company here, not a prefix
    ("acme.com:443", "acme.com"),
    ("münchen.de", "münchen.de"),
    ("", ""),
    ("not a domain", ""),
    ("localhost", ""),
    ("192.168.0.1", ""),
    ("acme..com", ""),
    ("-acme.com", ""),
])
def test_design_4_domain_normalisation(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.parametrize("domain", ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com",
                                    "yahoo.co.uk", "hotmail.fr", "icloud.com", "gmx.de"])
def test_free_mail_domains_are_generic(domain):
    assert is_generic_domain(domain)


@pytest.mark.parametrize("domain", ["acme.com", "outlook-consulting.com", "live.nation.com",
                                    "gmailcorp.com"])
def test_company_domains_are_not_generic(domain):
    assert not is_generic_domain(domain)


# -- company names --------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("Acme Holdings Co., Ltd.", "acme holdings"),  # legal forms removed, also when repeated
    ("ACME Corp.", "acme"),
    ("acme corporation", "acme"),
    ("Müller GmbH", "muller"),
    ("Initech LLC", "initech"),
    ("Initech L.L.C.", "initech"),
    ("Globex Corporation", "globex"),
    ("Foo S.p.A.", "foo"),
    ("Schmidt GmbH & Co. KG", "schmidt"),
    ("Smith & Co", "smith"),
    ("Marks & Spencer plc", "marks and spencer"),
    ("The Coca-Cola Company", "coca cola"),
    ("McDonald's Corporation", "mcdonalds"),
    ("I.B.M.", "ibm"),
    ("Sony Kabushiki Kaisha", "sony"),
    ("Acme Pty Ltd", "acme"),
    ("Acme Corportion", "acme"),  # a typo in a long legal form is still one
    ("Company Ltd.", "company"),  # nothing but legal forms: keep the first word
    ("Société Générale S.A.", "societe generale"),
    ("  ACME   Logistics\t", "acme logistics"),
    ("", ""),
    ("!!!", ""),
])
def test_design_4_company_name_normalisation(raw, expected):
    assert normalise_company_name(raw) == expected


def test_acme_corp_equals_acme_corporation():
    assert normalise_company_name("ACME Corp.") == normalise_company_name("acme corporation")


@given(st.text())
@example("The The Acme")
@example("a b the c")
@example("İstanbul Ǆ ﬁnance ß")
@example("Foo & Co & Co")
def test_company_name_normalising_is_idempotent(text):
    once = normalise_company_name(text)
    assert normalise_company_name(once) == once


@given(st.text())
@example("www.www.acme.com")
@example("http://www.acme.com.:80/")
def test_domain_normalising_is_idempotent(text):
    once = normalise_domain(text)
    assert normalise_domain(once) == once


_RESERVED = LEGAL_SUFFIXES | GENERIC_WORDS | {"and", "the"}
words = st.from_regex(r"[a-z]{4,10}", fullmatch=True).filter(lambda w: w not in _RESERVED)
company_words = st.lists(words, min_size=1, max_size=4)
suffixes = st.sampled_from(["Inc", "Inc.", ", Inc.", "Corp.", "Corporation", "LLC", "L.L.C.",
                            "Ltd", "Ltd.", "Limited", "GmbH", "AG", "S.A.", "SAS", "BV", "N.V.",
                            "Pty Ltd", "Co., Ltd.", "PLC", "Oy", "AB", "S.p.A.", "KK", "SARL"])


@given(company_words, suffixes, st.sampled_from([str.upper, str.lower, str.title, str.capitalize]),
       st.sampled_from([" ", "  ", " - ", ", ", ". "]))
def test_case_suffix_and_punctuation_variants_normalise_equal(parts, suffix, case, separator):
    plain = " ".join(parts)
    variant = case(separator.join(parts)) + " " + suffix + "."
    assert normalise_company_name(variant) == normalise_company_name(plain)


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)


@given(st.lists(labels, min_size=1, max_size=3), st.sampled_from(["com", "de", "co.uk", "io"]))
def test_url_and_email_forms_of_a_domain_normalise_equal(names, tld):
    domain = ".".join(names + [tld])
    expected = normalise_domain(domain)
    assert expected  # a valid domain survives
    for form in (f"https://www.{domain}/about", f"HTTP://{domain.upper()}:8443", f"jane@{domain}",
                 f"{domain}.", f"mailto:jane@{domain}?subject=hi"):
        assert normalise_domain(form) == expected


# -- matching ------------------------------------------------------------------------------------

SAME_COMPANY = [
    ("Globex Corporation", "Globex Corp"),
    ("Initech", "Initech LLC"),
    ("Müller GmbH", "Muller"),
    ("ACME Corp.", "acme corporation"),
    ("Acme Logistics", "Acme Logistic"),  # typo
    ("Acme Logistics", "Acme Logisitcs"),  # transposed letters
    ("Mueller Industries", "Muller Industries"),
    ("Alpha Systems", "Alpha Systems Group"),  # decided: generic words do not tell companies apart
    ("Acme Holdings Co., Ltd.", "Acme"),
    ("Acme Technologies", "Acme Technology"),  # singular/plural
    ("Price Waterhouse", "Pricewaterhouse"),  # spacing
    ("Bank of North Star", "North Star Bank"),  # word order
    ("Marks & Spencer", "Marks and Spencer PLC"),
    ("Johnson Controls International", "Johnson Controls Intl"),
    ("Schneider & Smith Legal GmbH", "Schneidr & Smith Legal"),
    ("Parker Acba Holdings Pty Ltd", "Parker Acba Hodings"),  # typo in a generic word
]
DIFFERENT_COMPANIES = [
    ("Acme Logistics", "Acme Robotics"),
    ("North Star Bank", "South Star Bank"),
    ("North Star Bank of America", "South Star Bank of America"),
    ("East Coast Freight Lines", "West Coast Freight Lines"),
    ("Acme Store 12", "Acme Store 13"),
    ("ABC Consulting", "ABD Consulting"),
    ("Globex", "Initech"),
    ("Acme Logistics", "Acme Logistics Services"),
    ("Alpha Systems", "Beta Systems"),
    ("Acme Molding", "Acme Holding"),  # a trade, not a misspelt generic word
    ("Acme Folding Chairs", "Acme Chairs"),
]


@pytest.mark.parametrize("query, existing", SAME_COMPANY)
def test_design_4_same_company_matches(query, existing):
    matches = find_duplicates(query, "", [Candidate("r1", existing)])
    assert [m.candidate.id for m in matches] == ["r1"], (query, existing)
    assert matches[0].score >= 88
    # the rule is symmetric: whichever was entered first
    assert find_duplicates(existing, "", [Candidate("r1", query)])


@pytest.mark.parametrize("query, existing", DIFFERENT_COMPANIES)
def test_design_4_distinguishing_words_prevent_a_match(query, existing):
    assert find_duplicates(query, "", [Candidate("r1", existing)]) == []
    assert find_duplicates(existing, "", [Candidate("r1", query)]) == []


def test_reasons_explain_an_exact_domain_match():
    [match] = find_duplicates("Totally Different", "https://www.Acme.com/",
                              [Candidate("r1", "Acme Inc", "acme.com")])
    assert match.score == 100
    assert match.reasons == ("same domain acme.com",)


def test_reasons_explain_an_exact_name_match():
    [match] = find_duplicates("ACME Corp.", "", [Candidate("r1", "acme corporation")])
    assert match.score == 100
    assert match.reasons == ("same company name after normalising (acme)",)


def test_reasons_explain_a_fuzzy_match_with_both_names_and_the_similarity():
    [match] = find_duplicates("Acme Logisitcs", "", [Candidate("r1", "Acme Logistics Ltd")])
    assert match.reasons == ("similar company name: 'acme logisitcs' ~ 'acme logistics' (93%)",)
    assert match.score == 92.9


def test_reasons_explain_generic_word_and_word_order_differences():
    [match] = find_duplicates("Alpha Systems", "", [Candidate("r1", "Alpha Systems Group")])
    assert match.reasons == ("same company name apart from the word 'group': "
                             "'alpha systems' ~ 'alpha systems group'",)
    [match] = find_duplicates("Bank of North Star", "", [Candidate("r1", "North Star Bank")])
    assert "word order" in match.reasons[0]


def test_domain_and_name_reasons_are_both_given():
    [match] = find_duplicates("Acme Corp", "acme.com", [Candidate("r1", "ACME Inc.", "www.acme.com")])
    assert match.score == 100
    assert match.reasons == ("same domain acme.com", "same company name after normalising (acme)")


@pytest.mark.parametrize("free_mail", ["gmail.com", "bob@outlook.com", "https://yahoo.com",
                                       "jane@hotmail.co.uk"])
def test_free_mail_domains_never_count_as_a_domain_match(free_mail):
    existing = [Candidate("r1", "Globex", "alice@" + normalise_domain(free_mail))]
    assert find_duplicates("Initech", free_mail, existing) == []


def test_subdomains_of_one_organisation_match():
    index = DuplicateIndex([Candidate("parent", "Acme", "acme.com"),
                            Candidate("child", "Acme Europe", "emea.acme.com")])
    by_id = {m.candidate.id: m for m in index.find("Unrelated Name", "shop.acme.com")}
    assert by_id["parent"].reasons == ("related domain: shop.acme.com is part of acme.com",)
    assert "child" not in by_id  # siblings are not parent and child
    by_id = {m.candidate.id: m for m in index.find("Unrelated Name", "acme.com")}
    assert by_id["parent"].score == 100
    assert by_id["child"].reasons == ("related domain: emea.acme.com is part of acme.com",)


def test_shared_hosting_and_public_suffixes_do_not_relate_domains():
    index = DuplicateIndex([Candidate("a", "Alpha", "alpha.github.io"),
                            Candidate("b", "Beta", "beta.co.uk")])
    assert index.find("Gamma", "gamma.github.io") == []
    assert index.find("Delta", "delta.co.uk") == []
    assert index.find("Nobody", "github.io") == []


def test_reasons_never_reveal_the_owner():
    owner = "partner-7f3a-Contoso-Resellers"
    candidates = [Candidate("r1", "Acme Logistics", "acme.com", owner=owner),
                  Candidate("r2", "Acme Logistic", "emea.acme.com", owner=owner),
                  Candidate("r3", "Acme Logistics Group", "", owner=owner)]
    matches = find_duplicates("Acme Logistics", "https://acme.com", candidates)
    assert len(matches) == 3
    for match in matches:
        assert all(owner.lower() not in reason.lower() for reason in match.reasons)
        assert all("contoso" not in reason.lower() for reason in match.reasons)


def test_best_match_first_and_limit():
    candidates = [Candidate("fuzzy", "Acme Logistic"), Candidate("exact", "ACME Logistics Inc"),
                  Candidate("both", "Acme Logistics", "acme.com"),
                  Candidate("other", "Initech")]
    matches = find_duplicates("Acme Logistics", "acme.com", candidates)
    assert [m.candidate.id for m in matches] == ["both", "exact", "fuzzy"]
    assert [m.candidate.id for m in find_duplicates("Acme Logistics", "acme.com", candidates,
                                                    limit=1)] == ["both"]


def test_threshold_is_respected():
    existing = [Candidate("r1", "Glass Co")]
    assert find_duplicates("Glas", "", existing)  # 88.9
    assert find_duplicates("Glas", "", existing, threshold=90) == []
    with pytest.raises(ValueError, match="threshold"):
        DuplicateIndex(threshold=0)


def test_index_add_remove_replace_and_len():
    index = DuplicateIndex()
    assert len(index) == 0 and index.find("Acme", "acme.com") == []
    index.add(Candidate("r1", "Acme", "acme.com", kind="account"))
    index.add(Candidate("r2", "Acme Logistic"))
    assert len(index) == 2 and "r1" in index
    assert index.find("Acme Logistics")[0].candidate.id == "r2"
    index.add(Candidate("r2", "Initech"))  # same id: replaces
    assert len(index) == 2
    assert index.find("Acme Logistics") == []
    assert [m.candidate.id for m in index.find("Initech LLC")] == ["r2"]
    index.remove("r1")
    index.remove("never-added")  # ignored
    assert len(index) == 1
    assert index.find("Acme", "acme.com") == []


def test_removing_one_of_two_identical_names_keeps_the_other_findable():
    index = DuplicateIndex([Candidate("a", "Acme Logistics"), Candidate("b", "Acme Logistics")])
    index.remove("a")
    assert [m.candidate.id for m in index.find("Acme Logistic")] == ["b"]
    index.remove("b")
    assert index.find("Acme Logistic") == []
    index.add(Candidate("c", "Acme Logistics"))  # a freed slot is reused
    assert [m.candidate.id for m in index.find("Acme Logistic")] == ["c"]


def test_candidate_kinds_are_returned_untouched():
    candidates = [Candidate("o1", "Acme", "acme.com", kind="direct_opportunity"),
                  Candidate("a1", "Acme", kind="account")]
    matches = find_duplicates("Acme Inc", "acme.com", candidates)
    assert {m.candidate.kind for m in matches} == {"direct_opportunity", "account"}
    assert all(isinstance(m, Match) for m in matches)


def test_empty_query_matches_nothing():
    index = DuplicateIndex([Candidate("r1", "Acme", "acme.com"), Candidate("r2", "", "")])
    assert index.find("", "") == []
    assert index.find("!!!", "not a domain") == []


def _random_word(rng) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(8))


def test_large_index_blocks_on_shared_words_and_still_finds_a_typo(monkeypatch):
    import random

    from workbench.domain import matching
    rng = random.Random(3)
    names = [" ".join(_random_word(rng) for _ in range(3)) for _ in range(60)]
    index = DuplicateIndex([Candidate(str(i), name) for i, name in enumerate(names)])
    first, second, third = names[0].split()
    one_typo = f"{first[:-1]}x {second} {third}"
    three_typos = f"{first[:-1]}x {second[:-1]}x {third[:-1]}x"
    assert [m.candidate.id for m in index.find(one_typo)] == ["0"]
    assert [m.candidate.id for m in index.find(three_typos)] == ["0"]  # small index: full scan

    monkeypatch.setattr(matching, "FULL_SCAN_LIMIT", 10)  # as if there were 100k names
    assert [m.candidate.id for m in index.find(one_typo)] == ["0"]
    # the documented trade-off: a name with every word misspelt is no longer found
    assert index.find(three_typos) == []


# --- blocking keys: the server's database pre-filter must never hide a match ----------------

BLOCKING_PAIRS = [
    ("ACME Corp.", "https://www.Acme.com/", "acme corporation", ""),
    ("Globex Corporation", "", "Globex Corp", ""),
    ("Price Waterhouse", "", "Pricewaterhouse", ""),
    ("Acme Logistics", "", "Acme Logistic", ""),
    ("Bank of North Star", "", "North Star Bank", ""),
    ("Shop", "shop.acme.com", "Acme", "acme.com"),
    ("Initech", "", "Initech LLC", ""),
    ("Müller GmbH", "", "Muller", ""),
    ("Alpha Systems", "", "Alpha Systems Group", ""),
]


@pytest.mark.parametrize(("name", "domain", "other_name", "other_domain"), BLOCKING_PAIRS)
def test_blocking_keys_are_shared_by_every_pair_that_matches(name, domain, other_name, other_domain):
    """seed 003 edge case 3 on the server: a conflict pre-filter that drops a match is a missed conflict."""
    index = DuplicateIndex([Candidate("x", other_name, other_domain)])
    assert index.find(name, domain), "the pair should match"
    assert blocking_keys(name, domain) & blocking_keys(other_name, other_domain)


def test_blocking_keys_of_unrelated_companies_are_disjoint():
    assert not blocking_keys("Acme Logistics", "acmelogistics.com") & \
        blocking_keys("Globex Robotics", "globex.com")
