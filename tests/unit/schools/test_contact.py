"""The contact checks: the same for the schools file and for what a message's metadata carries."""

from __future__ import annotations

from typing import Any

import pytest

from schools.contact import EMAIL, PHONE, PLAIN, Contact, Link, checked, https_url


@pytest.mark.parametrize("value, pattern, expected", [
    ("  Ms Ada Park ", PLAIN, "Ms Ada Park"),
    ("<script>alert(1)</script>", PLAIN, None),
    ("two\nlines", PLAIN, None),
    ("x" * 101, PLAIN, None),
    ("ada.park@hillside.example", EMAIL, "ada.park@hillside.example"),
    ("not an email", EMAIL, None),
    ("ada@hillside", EMAIL, None),
    ('"a"@hillside.example', EMAIL, None),
    ("555-0142", PHONE, "555-0142"),
    ("+44 (0)20 7946 0000", PHONE, "+44 (0)20 7946 0000"),
    ("call me", PHONE, None),
    ("", PLAIN, None),
    (None, PLAIN, None),
    (42, PHONE, None),
])
def test_a_value_is_kept_only_when_it_passes_its_check(value: Any, pattern: Any, expected: Any) -> None:
    assert checked(value, pattern) == expected


def test_the_contact_from_the_metadata_the_channels_filled() -> None:
    metadata = {"school": "Hillside High", "school_id": "hillside", "counsellor_name": "Ms Ada Park",
                "counsellor_email": "ada@hillside.edu", "counsellor_phone": "555-0142", "client_tag": "0" * 16}
    assert Contact.from_metadata(metadata) == Contact("Hillside High", "Ms Ada Park", "ada@hillside.edu", "555-0142")


def test_a_field_that_fails_its_check_is_left_out() -> None:
    bad = {"counsellor_name": "<script>alert(1)</script>", "counsellor_email": "not an email",
           "counsellor_phone": ["555-0142"], "school": "Hillside"}
    assert Contact.from_metadata(bad) == Contact(school="Hillside")


@pytest.mark.parametrize("metadata", [None, "school=Hillside", [], {}])
def test_no_metadata_is_no_contact(metadata: Any) -> None:
    assert Contact.from_metadata(metadata) == Contact()


@pytest.mark.parametrize("value, expected", [
    ("https://www.lakeside.example/open-days?year=2026#june", "https://www.lakeside.example/open-days?year=2026#june"),
    ("  https://lakeside.example ", "https://lakeside.example"),
    ("http://lakeside.example", None),
    ("javascript:alert(1)", None),
    ("https://", None),
    ("https://a@lakeside.example", None),
    ('https://lakeside.example/"onmouseover="x', None),
    ("https://lakeside.example/<script>", None),
    ("https://lakeside.example:port/", None),
    ("https://lakeside.example/" + "a" * 500, None),
    (None, None),
])
def test_a_link_is_https_only(value: Any, expected: Any) -> None:
    assert https_url(value) == expected


def test_links_from_the_metadata_are_checked_again() -> None:
    metadata = {"counsellor_links": [
        {"title": "Open day", "url": "https://lakeside.example/open"},
        {"title": "Sneaky", "url": "http://lakeside.example"},
        {"title": "<img src=x>", "url": "https://lakeside.example"},
        "https://lakeside.example",
    ]}
    assert Contact.from_metadata(metadata).links == (Link("Open day", "https://lakeside.example/open"),)
    assert Contact.from_metadata({"counsellor_links": "https://x.example"}).links == ()
