"""Which place a question names (knowledge/places.yml): the sources cover the US, and Pakistan's titles only."""

from __future__ import annotations

from pathlib import Path

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


# --- Spanish names, and any way of typing them: the text is folded before it is read ------------------------------

@pytest.mark.parametrize("text, name, kind, shown", [
    ("¿cuánto gana un ecografista en Bogotá?", "Bogotá", "elsewhere", "Bogotá"),
    ("¿y en bogota?", "bogota", "elsewhere", "Bogotá"),
    ("¿necesito licencia en el Reino Unido?", "Reino Unido", "elsewhere", "el Reino Unido"),
    ("¿en Francia pagan igual?", "Francia", "elsewhere", "Francia"),
    ("quiero trabajar en España", "España", "elsewhere", "España"),
    ("quiero trabajar en espana", "espana", "elsewhere", "España"),  # no ñ on the keyboard
    ("sueldo en MÉXICO", "MÉXICO", "elsewhere", "México"),
    ("¿y en Monterrey?", "Monterrey", "elsewhere", "Monterrey"),
    ("¿y en Canadá?", "Canadá", "elsewhere", "Canadá"),
    ("¿cuánto ganan en Colombia?", "Colombia", "elsewhere", "Colombia"),
    ("¿y en Guatemala?", "Guatemala", "elsewhere", "Guatemala"),
    ("¿cuánto se gana en mi país?", "mi país", "elsewhere", "tu país"),
    ("soy colombiana, ¿puedo trabajar de ecografista?", "colombiana", "elsewhere", "Colombia"),
    ("¿la licencia es igual en Puerto Rico?", "Puerto Rico", "elsewhere", "Puerto Rico"),  # a territory, no state
    ("¿cuánto ganan en Estados Unidos?", "Estados Unidos", "united_states", "Estados Unidos"),
    ("¿y en EE. UU.?", "EE. UU.", "united_states", "Estados Unidos"),
    ("¿y en Nueva York?", "Nueva York", "us_states", "Nueva York"),
    ("¿y en Texas?", "Texas", "us_states", "Texas"),
    ("en estados unidos o en canadá", "canadá", "elsewhere", "Canadá"),  # the place outside the US is asked about
    ("¿puedo trabajar fuera de estados unidos?", "fuera de estados unidos", "elsewhere", "otros países"),
])
def test_a_spanish_place_is_named_with_its_kind_and_its_spanish_name(text: str, name: str, kind: str,
                                                                     shown: str) -> None:
    place = named_place(text, "es")
    assert place is not None and (place.name, place.kind, place.shown()) == (name, kind, shown)


@pytest.mark.parametrize("text", [
    "¿qué hace un ecografista?", "vivo en la montaña", "¿hablan español en el hospital?", "¿cuánto ganan?",
    "¿es un buen trabajo?", "¿en qué estados se necesita licencia?",
])
def test_no_spanish_place_is_found_where_none_is_named(text: str) -> None:
    place = named_place(text, "es")
    assert place is None or place.kind == "united_states", place


def test_puerto_rico_is_a_place_the_sources_dont_cover_in_english_too() -> None:
    place = named_place("rad tech pay in puerto rico")
    assert place is not None and place.kind == "elsewhere"


def test_two_listed_names_typed_alike_are_refused(tmp_path: Path) -> None:
    """"bogotá" and "bogota" are one name once folded: the second would have no place of its own."""
    from knowledge.places import check

    path = tmp_path / "places.yml"
    path.write_text("elsewhere: [bogota, bogotá]\nshown_es: {bogota: Bogotá, bogotá: Bogotá}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="both typed `bogota`"):
        check(path)
    path.write_text("elsewhere: [bogotá]\nshown_es: {bogotá: Bogotá}\n", encoding="utf-8")
    check(path)
