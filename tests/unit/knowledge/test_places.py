"""Which place a question names (knowledge/places.yml): the sources cover the US, and Pakistan's titles only."""

from __future__ import annotations

import pytest

from knowledge.places import named_place


@pytest.mark.parametrize("text, name, kind", [
    ("do i need a licence in canada", "canada", "elsewhere"),
    ("what about in the UK?", "UK", "elsewhere"),
    ("is the pay the same for australian sonographers", "australian", "elsewhere"),
    ("do radiographers need a license in pakistan", "pakistan", "pakistan"),
    ("how much do they make in texas", "texas", "us_states"),
    ("is it the same in the usa", "usa", "united_states"),
    ("pay in the us vs canada", "canada", "elsewhere"),  # the place outside the US is the one asked about
    ("sonographer pay in london per hour", "london", "elsewhere"),
    ("AHPRA registration for sonographers", "AHPRA", "elsewhere"),  # a body that exists in one country
    ("rad tech salary in karachi", "karachi", "pakistan"),
])
def test_a_place_is_named_with_its_kind(text: str, name: str, kind: str) -> None:
    place = named_place(text)
    assert place is not None and (place.name, place.kind) == (name, kind)


@pytest.mark.parametrize("text", [
    "what does a sonographer do", "can you tell us about mri techs", "i speak spanish and english",
    "how many pounds can they lift", "is the job in turkey or jordan different",
    "", "x" * 10_000,
])
def test_no_place_is_found_where_none_is_named(text: str) -> None:
    assert named_place(text) is None


def test_non_text_is_no_place() -> None:
    assert named_place(None) is None and named_place(42) is None


@pytest.mark.parametrize("text, shown", [
    ("licence in the uk", "the UK"), ("what NHS band are they", "the NHS Band"), ("jobs in toronto", "Toronto"),
    ("pay in euros", "pay in euros"), ("is band 5 good", "band 5"), ("work in new delhi", "New Delhi"),
])
def test_a_reply_names_the_place_as_people_write_it(text: str, shown: str) -> None:
    place = named_place(text)
    assert place is not None and place.shown() == shown
