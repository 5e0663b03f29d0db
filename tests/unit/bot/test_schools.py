"""The schools file: validated with errors that name the school, and the school taken from the Origin only."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml

from bot import schools
from bot.schools import SchoolsError, normalise_origin

EXAMPLE = Path(__file__).resolve().parents[3] / "schools.example.yml"


@pytest.fixture()
def data() -> Dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("raw, expected", [
    ("https://www.Hillside.example", "https://www.hillside.example"),
    ("https://hillside.example:443/", "https://hillside.example"),
    ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("http://[::1]:8000", "http://[::1]:8000"),
    ("https://hillside.example/page", None),
    ("https://hillside.example?x=1", None),
    ("ftp://hillside.example", None),
    ("javascript:alert(1)", None),
    ("https://user:pw@hillside.example", None),
    ("https://hillside.example:99999", None),
    ("null", None),
    ("", None),
    (None, None),
    (["https://hillside.example"], None),
])
def test_origins_are_normalised(raw: Any, expected: Any) -> None:
    assert normalise_origin(raw) == expected


def test_the_example_file_is_valid_and_each_origin_gives_its_school(data: Dict[str, Any]) -> None:
    found = schools.parse(data)
    assert found.configured and len(found.schools) == len(data["schools"])
    for entry in data["schools"]:
        for origin in entry["origins"]:
            school = found.for_origin(origin.upper().replace("HTTPS", "https"))
            assert school is not None and school.id == entry["id"]
            assert found.allows(origin)
    assert found.for_origin("https://evil.example") is None and not found.allows("https://evil.example")
    assert not found.allows(None) and not found.allows("")  # with a schools file, no Origin is no school's page


CASES = [
    (lambda d: d["schools"][0].pop("name"), "school hillside", "`name` is required"),
    (lambda d: d["schools"][0].update(origins=["https://hillside.example/chat"]), "school hillside",
     "is not scheme://host[:port]"),
    (lambda d: d["schools"][1]["origins"].append(d["schools"][0]["origins"][0]), "school ridgeview",
     "is also an origin of `hillside`"),
    (lambda d: d["schools"][1].update(id="hillside"), "school hillside", "duplicate id"),
    (lambda d: d["schools"][0].update(insights_token_sha256="secret"), "school hillside", "64 hex digits"),
    (lambda d: d["schools"][0]["counsellor"].update(email="not an email"), "school hillside counsellor",
     "`email`"),
    (lambda d: d["schools"][0].update(name="<script>x</script>"), "school hillside", "`name`"),
    (lambda d: d["schools"][0].update(origins=[]), "school hillside", "`origins` must list"),
    (lambda d: d.update(schools=[]), "-", "non-empty `schools:`"),
    (lambda d: d["schools"][0].update(id="Hill Side!"), "school 1", "`id`"),
    (lambda d: d["schools"][0].update(timezone="Mars/Olympus"), "school hillside", "not a time zone name"),
    (lambda d: d["schools"][0].update(timezone="../../etc/passwd"), "school hillside", "not a time zone name"),
]


@pytest.mark.parametrize("change, where, problem", CASES)
def test_a_wrong_file_names_the_school_and_the_field(data: Dict[str, Any], change: Callable[[Dict], Any],
                                                     where: str, problem: str) -> None:
    broken = copy.deepcopy(data)
    change(broken)
    with pytest.raises(SchoolsError) as error:
        schools.parse(broken, "schools.yml")
    assert f"schools.yml: {where}: " in str(error.value) and problem in str(error.value)


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(SchoolsError, match="cannot be read"):
        schools.load(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("schools: [unclosed\n")
    with pytest.raises(SchoolsError, match="not valid YAML"):
        schools.load(bad)
    bad.write_bytes(b"schools:\n  - id: \xff\n")
    with pytest.raises(SchoolsError, match="cannot be read"):
        schools.load(bad)
    with pytest.raises(SchoolsError, match="cannot be read"):
        schools.from_env({"SCHOOLS_FILE": str(tmp_path / "missing.yml")})


def test_without_a_schools_file_the_local_pages_work() -> None:
    local = schools.from_env({"CORS_ORIGINS": "http://localhost:5005 http://127.0.0.1:5005",
                              "SCHOOL_NAME": "Hillside High", "COUNSELLOR_EMAIL": "careers@hillside.example"})
    assert not local.configured
    assert local.allows("http://127.0.0.1:5005") and local.allows(None)  # curl and rasa test send no Origin
    assert not local.allows("http://evil.example")
    assert local.schools[0].metadata() == {"school": "Hillside High", "school_id": "local",
                                           "counsellor_email": "careers@hillside.example"}
    assert not schools.from_env({}).allows("http://127.0.0.1:5005")  # no allow-list: no page at all


def test_the_page_never_names_its_school(data: Dict[str, Any]) -> None:
    hillside = schools.parse(data).by_id("hillside")
    page = {"school": "Ridgeview Academy", "counsellor_email": "evil@evil.example", "school_id": "ridgeview",
            "lang": "en"}
    metadata = schools.school_metadata(page, hillside)
    assert metadata["school"] == "Hillside High School" and metadata["school_id"] == "hillside"
    assert metadata["counsellor_email"] == "ada.park@hillside.example" and metadata["lang"] == "en"
    assert schools.school_metadata(page, None) == {"lang": "en"}


def test_tokens_are_checked_against_their_hash(data: Dict[str, Any]) -> None:
    token = "correct horse battery staple"
    data["schools"][0]["insights_token_sha256"] = schools.hash_token(token)
    hillside = schools.parse(data).by_id("hillside")
    assert hillside is not None and hillside.token_matches(token)
    assert not hillside.token_matches("wrong") and not hillside.token_matches("")
    assert not schools.parse(data).by_id("ridgeview").token_matches(token)  # type: ignore[union-attr]


def test_the_command_checks_a_file(tmp_path: Path, data: Dict[str, Any], capsys: pytest.CaptureFixture) -> None:
    assert schools.main([str(EXAMPLE)]) == 0 and "hillside: Hillside High School" in capsys.readouterr().out
    data["schools"][0].pop("origins")
    broken = tmp_path / "schools.yml"
    broken.write_text(yaml.safe_dump(data))
    assert schools.main([str(broken)]) == 1 and "school hillside: `origins`" in capsys.readouterr().err
    assert schools.main(["--hash", "abc"]) == 0 and capsys.readouterr().out.strip() == schools.hash_token("abc")


def test_a_time_zone_and_a_local_token(data: Dict[str, Any]) -> None:
    """The page counts the school's own days; one local school may have a page too."""
    found = schools.parse(data, "schools.yml")
    assert found.by_id("hillside").timezone == "America/Chicago" and found.by_id("ridgeview").timezone == "UTC"
    token = schools.new_token()
    local = schools.local({"INSIGHTS_TOKEN_SHA256": schools.hash_token(token), "SCHOOL_TIMEZONE": "Europe/London"})
    assert local.schools[0].token_matches(token) and local.schools[0].timezone == "Europe/London"
    assert len(token) >= 32 and token != schools.new_token()
    wrong = schools.local({"INSIGHTS_TOKEN_SHA256": "short", "SCHOOL_TIMEZONE": "Nowhere"}).schools[0]
    assert wrong.token_sha256 is None and wrong.timezone == "UTC"
