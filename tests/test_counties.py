"""The wellbeing services counties: each points at its own web site and says, briefly, how an adult reaches care."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

# The county's own domain(s). A url must be on one of them or a subdomain of one (hel.fi for Helsinki).
DOMAINS = {
    "county.ita-uusimaa": ("itauusimaa.fi", "ostranyland.fi"),
    "county.keski-uusimaa": ("keusote.fi",),
    "county.lansi-uusimaa": ("luvn.fi",),
    "county.vantaa-kerava": ("vakehyva.fi",),
    "county.varsinais-suomi": ("varha.fi",),
    "county.satakunta": ("satakunnanhyvinvointialue.fi", "sata.fi"),
    "county.kanta-hame": ("omahame.fi",),
    "county.pirkanmaa": ("pirha.fi",),
    "county.paijat-hame": ("paijat-sote.fi", "paijatha.fi"),
    "county.kymenlaakso": ("kymenhva.fi",),
    "county.etela-karjala": ("ekhva.fi",),
    "county.etela-savo": ("etelasavonha.fi",),
    "county.pohjois-savo": ("pshyvinvointialue.fi",),
    "county.pohjois-karjala": ("siunsote.fi",),
    "county.keski-suomi": ("hyvaks.fi",),
    "county.etela-pohjanmaa": ("hyvaep.fi",),
    "county.pohjanmaa": ("pohjanmaanhyvinvointi.fi", "osterbottensvalfard.fi"),
    "county.keski-pohjanmaa": ("soite.fi",),
    "county.pohjois-pohjanmaa": ("pohde.fi",),
    "county.kainuu": ("hyvinvointialue.kainuu.fi",),
    "county.lappi": ("lapha.fi",),
    "county.helsinki": ("hel.fi",),
}

# Counties with no verified web address yet (see the item's note). Remove an id here when its url is added.
NO_VERIFIED_URL = {"county.etela-pohjanmaa"}

# Bilingual counties must point Swedish-language clients at a Swedish page.
BILINGUAL = {
    "county.ita-uusimaa", "county.keski-uusimaa", "county.lansi-uusimaa", "county.vantaa-kerava",
    "county.varsinais-suomi", "county.pohjanmaa", "county.keski-pohjanmaa", "county.helsinki",
}
# ... except where no Swedish page of the county could be verified yet (see the item's note); these fall back to
# the Finnish page. Remove an id here when its Swedish url is added.
NO_VERIFIED_SV = {"county.keski-uusimaa", "county.lansi-uusimaa", "county.vantaa-kerava",
                  "county.keski-pohjanmaa", "county.helsinki"}

MAX_BODY = 220


@pytest.fixture(scope="module")
def counties(library):
    return {item.id: item for item in library.items if item.kind == "county"}


def _on_domain(url: str, domains: tuple[str, ...]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def test_the_expected_counties_are_there(counties):
    assert set(counties) == set(DOMAINS)


@pytest.mark.parametrize("county_id", sorted(DOMAINS))
def test_county_url_is_on_its_own_domain(counties, county_id):
    item = counties[county_id]
    if county_id in NO_VERIFIED_URL:
        assert item.url is None, f"{county_id} has a url now: drop it from NO_VERIFIED_URL"
        return
    assert item.url is not None, f"{county_id}: no url"
    for lang in ("fi", "sv", "en"):
        url = getattr(item.url, lang)
        if url is not None:
            assert url.startswith("https://"), f"{county_id}.url.{lang}: {url}"
            assert _on_domain(url, DOMAINS[county_id]), f"{county_id}.url.{lang}: {url} not on {DOMAINS[county_id]}"


@pytest.mark.parametrize("county_id", sorted(BILINGUAL))
def test_bilingual_county_has_a_swedish_url(counties, county_id):
    sv = counties[county_id].url.sv if counties[county_id].url else None
    if county_id in NO_VERIFIED_SV:
        assert sv is None, f"{county_id} has a Swedish url now: drop it from NO_VERIFIED_SV"
    else:
        assert sv, f"{county_id}: bilingual county without a Swedish url"


def test_swedish_urls_only_where_the_lists_say_so(counties):
    with_sv = {cid for cid, item in counties.items() if item.url is not None and item.url.sv}
    assert with_sv <= BILINGUAL, f"Swedish url for a county not listed as bilingual: {sorted(with_sv - BILINGUAL)}"


@pytest.mark.parametrize("county_id", sorted(DOMAINS))
def test_county_body_is_short_and_in_three_languages(counties, county_id):
    body = counties[county_id].body
    assert body is not None, f"{county_id}: no body"
    for lang in ("fi", "sv", "en"):
        text = getattr(body, lang)
        assert text and text.strip(), f"{county_id}.body.{lang} is empty"
        assert len(text) <= MAX_BODY, f"{county_id}.body.{lang}: {len(text)} characters (max {MAX_BODY})"


@pytest.mark.parametrize("county_id", sorted(DOMAINS))
def test_county_keeps_its_law_citations_and_a_verification_note(counties, county_id):
    item = counties[county_id]
    assert {"law-hyvinvointialue", "law-jarjestamislaki"} <= set(item.cite)
    assert item.note and "2026-12" in item.note
