"""The schools file: validated with errors that name the school and the field; without one, the local school."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml

from schools.file import SchoolsError, from_env, load, local, parse
from schools.school import hash_token, new_token

EXAMPLE = Path(__file__).resolve().parents[3] / "schools.example.yml"


@pytest.fixture()
def data() -> Dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def test_the_example_file_is_valid_and_each_origin_gives_its_school(data: Dict[str, Any]) -> None:
    found = parse(data)
    assert found.configured and len(found.schools) == len(data["schools"])
    for entry in data["schools"]:
        for origin in entry["origins"]:
            school = found.for_origin(origin.upper().replace("HTTPS", "https"))
            assert school is not None and school.id == entry["id"]
            assert found.allows(origin)
    assert found.for_origin("https://evil.example") is None and not found.allows("https://evil.example")
    assert not found.allows(None) and not found.allows("")  # with a schools file, no Origin is no school's page


def test_the_example_file_loads_from_disk() -> None:
    assert load(EXAMPLE).by_id("hillside") is not None
    assert from_env({"SCHOOLS_FILE": f"  {EXAMPLE}  "}).configured


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
    (lambda d: d["schools"][0]["counsellor"].update(phone="call me"), "school hillside counsellor", "`phone`"),
    (lambda d: d["schools"][0].update(counsellor="Ms Park"), "school hillside", "`counsellor` must be a mapping"),
    (lambda d: d["schools"][0].update(name="<script>x</script>"), "school hillside", "`name`"),
    (lambda d: d["schools"][0].update(origins=[]), "school hillside", "`origins` must list"),
    (lambda d: d.update(schools=[]), "-", "non-empty `schools:`"),
    (lambda d: d["schools"].append("ridgeview"), "school 3", "must be a mapping"),
    (lambda d: d["schools"][0].update(id="Hill Side!"), "school 1", "`id`"),
    (lambda d: d["schools"][0].update(timezone="Mars/Olympus"), "school hillside", "not a time zone name"),
    (lambda d: d["schools"][0].update(timezone="../../etc/passwd"), "school hillside", "not a time zone name"),
    (lambda d: d["schools"][0]["links"][1].update(url="http://www.hillside.example/careers"),
     "school hillside link 2", "`http://www.hillside.example/careers` is not an https:// address"),
    (lambda d: d["schools"][0]["links"][0].update(url="javascript:alert(1)"), "school hillside link 1",
     "is not an https:// address"),
    (lambda d: d["schools"][0]["links"][0].update(url="https://user:pw@evil.example/"), "school hillside link 1",
     "is not an https:// address"),
    (lambda d: d["schools"][0]["links"][0].update(url="https://x.example/a b"), "school hillside link 1",
     "is not an https:// address"),
    (lambda d: d["schools"][0]["links"][0].pop("url"), "school hillside link 1", "`url` is required"),
    (lambda d: d["schools"][0]["links"][0].update(title="<b>Open day</b>"), "school hillside link 1", "`title`"),
    (lambda d: d["schools"][0]["links"][0].pop("title"), "school hillside link 1", "`title` is required"),
    (lambda d: d["schools"][0]["links"][0].update(note="x"), "school hillside link 1", "`title` and `url` only"),
    (lambda d: d["schools"][0].update(links="https://www.hillside.example"), "school hillside",
     "`links` must be a list"),
    (lambda d: d["schools"][0].update(links=[{"title": f"Day {i}", "url": "https://a.example"} for i in range(11)]),
     "school hillside", "at most 10"),
]


@pytest.mark.parametrize("change, where, problem", CASES)
def test_a_wrong_file_names_the_school_and_the_field(data: Dict[str, Any], change: Callable[[Dict], Any],
                                                     where: str, problem: str) -> None:
    broken = copy.deepcopy(data)
    change(broken)
    with pytest.raises(SchoolsError) as error:
        parse(broken, "schools.yml")
    assert f"schools.yml: {where}: " in str(error.value) and problem in str(error.value)


def test_values_are_kept_without_their_spaces_and_tokens_in_lower_case(data: Dict[str, Any]) -> None:
    data["schools"][0]["name"] = "  Hillside High School "
    data["schools"][0]["insights_token_sha256"] = " " + hash_token("t").upper()
    hillside = parse(data).by_id("hillside")
    assert hillside is not None and hillside.name == "Hillside High School"
    assert hillside.token_sha256 == hash_token("t") and hillside.token_matches("t")


def test_links_are_next_steps_in_the_file_s_order(data: Dict[str, Any]) -> None:
    found = parse(data)
    hillside, ridgeview = found.by_id("hillside"), found.by_id("ridgeview")
    assert hillside is not None and ridgeview is not None
    assert [(link.title, link.url) for link in hillside.links] == [
        (entry["title"], entry["url"]) for entry in data["schools"][0]["links"]]
    assert ridgeview.links == ()  # optional
    assert hillside.metadata()["counsellor_links"][0] == data["schools"][0]["links"][0]
    assert "counsellor_links" not in ridgeview.metadata()


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(SchoolsError, match="cannot be read"):
        load(tmp_path / "missing.yml")
    bad = tmp_path / "bad.yml"
    bad.write_text("schools: [unclosed\n")
    with pytest.raises(SchoolsError, match="not valid YAML"):
        load(bad)
    bad.write_bytes(b"schools:\n  - id: \xff\n")
    with pytest.raises(SchoolsError, match="cannot be read"):
        load(bad)
    with pytest.raises(SchoolsError, match="cannot be read"):
        from_env({"SCHOOLS_FILE": str(tmp_path / "missing.yml")})


def test_without_a_schools_file_the_local_pages_work() -> None:
    found = from_env({"CORS_ORIGINS": "http://localhost:5005 http://127.0.0.1:5005",
                      "SCHOOL_NAME": "Hillside High", "COUNSELLOR_EMAIL": "careers@hillside.example"})
    assert not found.configured
    assert found.allows("http://127.0.0.1:5005") and found.allows(None)  # curl and rasa test send no Origin
    assert not found.allows("http://evil.example")
    assert found.schools[0].metadata() == {"school": "Hillside High", "school_id": "local",
                                           "counsellor_email": "careers@hillside.example"}
    assert not from_env({}).allows("http://127.0.0.1:5005")  # no allow-list: no page at all


def test_the_local_contact_is_checked_like_the_file_s() -> None:
    """A wrong setting is left out, not shown: the channels put this contact into every message."""
    school = local({"SCHOOL_NAME": "<b>Hillside</b>", "COUNSELLOR_NAME": " Ms Ada Park ",
                    "COUNSELLOR_EMAIL": "not an email", "COUNSELLOR_PHONE": "0123 456 789"}).schools[0]
    assert school.metadata() == {"school_id": "local", "counsellor_name": "Ms Ada Park",
                                 "counsellor_phone": "0123 456 789"}


def test_a_time_zone_and_a_local_token(data: Dict[str, Any]) -> None:
    """The page counts the school's own days; one local school may have a page too."""
    found = parse(data, "schools.yml")
    assert found.by_id("hillside").timezone == "America/Chicago" and found.by_id("ridgeview").timezone == "UTC"
    token = new_token()
    school = local({"INSIGHTS_TOKEN_SHA256": hash_token(token), "SCHOOL_TIMEZONE": "Europe/London"}).schools[0]
    assert school.token_matches(token) and school.timezone == "Europe/London"
    wrong = local({"INSIGHTS_TOKEN_SHA256": "short", "SCHOOL_TIMEZONE": "Nowhere"}).schools[0]
    assert wrong.token_sha256 is None and wrong.timezone == "UTC"
