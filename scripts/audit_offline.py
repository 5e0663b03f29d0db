"""Check requirements.lock against a local copy of the PyPA advisory database (OSV files).

`pip-audit` needs PyPI's JSON API or api.osv.dev; where neither can be reached, this reads a
checkout of https://github.com/pypa/advisory-database instead:

    git clone --depth 1 https://github.com/pypa/advisory-database /tmp/advisory-database
    make audit-offline ADVISORY_DB=/tmp/advisory-database

It prints every pinned package whose version an advisory lists or falls in an affected range,
with the advisory, its CVE and the first fixed version, and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import yaml
from packaging.version import InvalidVersion, Version

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)")


def normalise(name: str) -> str:
    """PEP 503's name form, so 'PyYAML' in the lock and 'pyyaml' in the database are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> Dict[str, str]:
    """The versions to check: every `==` pin of the lock, by normalised name."""
    found = {}
    for line in lock.read_text().splitlines():
        match = PIN.match(line.strip())
        if match:
            found[normalise(match.group(1))] = match.group(2)
    return found


def _version(text: str) -> Optional[Version]:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def affected(version: str, entry: dict) -> Tuple[bool, Optional[str]]:
    """Whether `version` is affected by one `affected` entry, and the fix of the matching range."""
    if version in (entry.get("versions") or []):
        fixes = [e["fixed"] for r in entry.get("ranges") or [] if r.get("type") == "ECOSYSTEM"
                 for e in r.get("events", []) if "fixed" in e]
        return True, fixes[0] if fixes else None
    mine = _version(version)
    if mine is None:
        return False, None
    for rng in entry.get("ranges") or []:
        if rng.get("type") != "ECOSYSTEM":
            continue
        inside = False
        for event in rng.get("events", []):  # events are ordered: introduced, then fixed or last_affected
            if "introduced" in event:
                start = _version(event["introduced"]) if event["introduced"] != "0" else Version("0")
                inside = start is not None and mine >= start
            elif "fixed" in event and inside:
                end = _version(event["fixed"])
                if end is not None and mine < end:
                    return True, event["fixed"]
                inside = False
            elif "last_affected" in event and inside:
                end = _version(event["last_affected"])
                if end is not None and mine <= end:
                    return True, None
                inside = False
        if inside:  # introduced, never fixed
            return True, None
    return False, None


def advisories(database: Path, names: Dict[str, str]) -> Iterator[Tuple[str, str, dict, Optional[str]]]:
    """Every advisory that affects a pinned version, once per advisory, skipping withdrawn ones."""
    for folder in sorted((database / "vulns").iterdir()):
        if normalise(folder.name) not in names:
            continue
        for path in sorted(folder.glob("*.yaml")):
            data = yaml.safe_load(path.read_text())
            if data.get("withdrawn"):
                continue
            for entry in data.get("affected") or []:
                name = normalise(entry.get("package", {}).get("name", ""))
                if name in names:
                    hit, fix = affected(names[name], entry)
                    if hit:
                        yield name, names[name], data, fix
                        break


def main(argv: Optional[List[str]] = None) -> int:
    """`make audit-offline`: exit 1 on any known vulnerability, 2 when the path is no advisory database."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path, help="a checkout of pypa/advisory-database")
    parser.add_argument("--lock", type=Path, default=Path("requirements.lock"))
    args = parser.parse_args(argv)
    if not (args.database / "vulns").is_dir():
        print(f"{args.database} has no vulns/ folder: is it a checkout of pypa/advisory-database?",
              file=sys.stderr)
        return 2
    names = pins(args.lock)
    hits = list(advisories(args.database, names))
    print(f"{len(names)} pinned packages checked against {args.database}: "
          f"{len(hits)} known vulnerabilities in {len({h[0] for h in hits})} packages")
    for name, version, data, fix in hits:
        cves = ", ".join(a for a in data.get("aliases", []) if a.startswith("CVE")) or "-"
        summary = " ".join(str(data.get("summary") or data.get("details", "")).split())[:110]
        print(f"- {name}=={version}: {data['id']} ({cves}); fixed in {fix or 'no release yet'}. {summary}")
    return 1 if hits else 0


if __name__ == "__main__":
    raise SystemExit(main())
