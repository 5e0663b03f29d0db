"""The offline vulnerability check reads OSV ranges the way pip-audit would."""

from __future__ import annotations

from pathlib import Path

from scripts.audit_offline import advisories, affected, pins

ENTRY = {"package": {"name": "Some_Pkg", "ecosystem": "PyPI"},
         "ranges": [{"type": "GIT", "events": [{"introduced": "0"}, {"fixed": "abc123"}]},
                    {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.4.2"},
                                                     {"introduced": "2.0"}, {"last_affected": "2.1"}]}]}


def test_ranges_with_fixed_and_last_affected() -> None:
    assert affected("1.4.1", ENTRY) == (True, "1.4.2")
    assert affected("1.4.2", ENTRY) == (False, None)
    assert affected("0.9", ENTRY) == (False, None)
    assert affected("2.1", ENTRY) == (True, None)
    assert affected("2.2", ENTRY) == (False, None)
    assert affected("not a version", ENTRY) == (False, None)


def test_finds_a_pinned_package_in_a_database_folder(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("# pins\nsome-pkg==1.2.0\nother==3.0\n")
    folder = tmp_path / "db" / "vulns" / "some-pkg"
    folder.mkdir(parents=True)
    (folder / "PYSEC-1.yaml").write_text(
        "id: PYSEC-1\naliases: [CVE-2099-1]\naffected:\n- package: {name: some_pkg, ecosystem: PyPI}\n"
        "  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: '0'\n    - fixed: 1.3.0\n")
    (folder / "PYSEC-2.yaml").write_text("id: PYSEC-2\nwithdrawn: '2020-01-01'\naffected: []\n")
    hits = list(advisories(tmp_path / "db", pins(lock)))
    assert [(name, version, data["id"], fix) for name, version, data, fix in hits] == [
        ("some-pkg", "1.2.0", "PYSEC-1", "1.3.0")]
