"""A school from the request's Origin only: origins normalised, the page's claims replaced, tokens by hash."""

from __future__ import annotations

from typing import Any

import pytest

from schools.school import School, Schools, hash_token, new_token, normalise_origin, school_metadata

HILLSIDE = School(id="hillside", name="Hillside High School", origins=("https://hillside.example",),
                  counsellor_name="Ms Ada Park", counsellor_email="ada.park@hillside.example",
                  token_sha256=hash_token("correct horse battery staple"), timezone="America/Chicago")
RIDGEVIEW = School(id="ridgeview", name="Ridgeview Academy", origins=("https://ridgeview.example",))
LOCAL = School(id="local", name="", origins=("http://127.0.0.1:5005",), counsellor_email="careers@school.example")


@pytest.mark.parametrize("raw, expected", [
    ("https://www.Hillside.example", "https://www.hillside.example"),
    ("https://hillside.example:443/", "https://hillside.example"),
    ("http://hillside.example:80", "http://hillside.example"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("http://[::1]:8000", "http://[::1]:8000"),
    ("https://hillside.example/page", None),
    ("https://hillside.example?x=1", None),
    ("https://hillside.example#top", None),
    ("ftp://hillside.example", None),
    ("javascript:alert(1)", None),
    ("https://user:pw@hillside.example", None),
    ("https://hillside.example:99999", None),
    ("https://" + "h" * 300 + ".example", None),
    ("null", None),
    ("", None),
    (None, None),
    (["https://hillside.example"], None),
])
def test_origins_are_normalised(raw: Any, expected: Any) -> None:
    assert normalise_origin(raw) == expected


def test_with_a_schools_file_only_a_school_s_origin_gives_a_school() -> None:
    district = Schools([HILLSIDE, RIDGEVIEW], configured=True)
    assert district.origins == ["https://hillside.example", "https://ridgeview.example"]
    assert district.for_request("https://HILLSIDE.example:443") is HILLSIDE
    assert district.for_request("https://ridgeview.example") is RIDGEVIEW
    assert district.for_request(None) is None and district.for_request("https://evil.example") is None
    assert not district.allows(None) and not district.allows("") and not district.allows("https://evil.example")
    assert district.by_id("ridgeview") is RIDGEVIEW and district.by_id("nowhere") is None


def test_without_a_schools_file_every_allowed_request_is_the_local_school_s() -> None:
    alone = Schools([LOCAL], configured=False)
    assert alone.allows(None) and alone.allows("http://127.0.0.1:5005") and not alone.allows("http://evil.example")
    assert alone.for_request(None) is LOCAL and alone.for_request("http://127.0.0.1:5005") is LOCAL


def test_the_page_never_names_its_school() -> None:
    page = {"school": "Ridgeview Academy", "counsellor_email": "evil@evil.example", "school_id": "ridgeview",
            "counsellor_phone": "000", "lang": "en", "counsellor_links": "https://evil.example"}
    metadata = school_metadata(page, HILLSIDE)
    assert metadata == {"lang": "en", "school": "Hillside High School", "school_id": "hillside",
                        "counsellor_name": "Ms Ada Park", "counsellor_email": "ada.park@hillside.example"}
    assert school_metadata(page, None) == {"lang": "en"}
    assert school_metadata({}, LOCAL) == {"school_id": "local", "counsellor_email": "careers@school.example"}


def test_tokens_are_checked_against_their_hash() -> None:
    assert HILLSIDE.token_matches("correct horse battery staple")
    assert not HILLSIDE.token_matches("wrong") and not HILLSIDE.token_matches("")
    assert not RIDGEVIEW.token_matches("correct horse battery staple")  # no token: no page
    assert hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    token = new_token()
    assert len(token) >= 32 and token != new_token()


def test_the_school_s_weeks_are_its_own_time_zone_s() -> None:
    assert HILLSIDE.zone.key == "America/Chicago" and RIDGEVIEW.zone.key == "UTC"
