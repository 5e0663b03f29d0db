"""`python -m schools [FILE]`: check a schools file before a server is started with it.

FILE (default: SCHOOLS_FILE) is checked and its schools listed; `--hash TOKEN` prints the hash to put in
`insights_token_sha256`; `--new-token` a new token and its hash; `--origins FILE` every school's origins
(scripts/serve.sh's CORS allow-list). A wrong file prints one line naming the school and the field.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

from schools.file import SchoolsError, from_env, load
from schools.school import hash_token, new_token


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command; 0 when the file is valid (or the token printed), 1 with its error otherwise."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--new-token"]:
        token = new_token()
        print(f"token (give it to the counsellor, once): {token}\ninsights_token_sha256: {hash_token(token)}")
        return 0
    if args[:1] == ["--hash"] and len(args) == 2:
        print(hash_token(args[1]))
        return 0
    if args[:1] == ["--origins"] and len(args) == 2:  # for the server's CORS headers (scripts/serve.sh)
        try:
            print(" ".join(load(Path(args[1])).origins))
        except SchoolsError as error:
            print(f"schools file: {error}", file=sys.stderr)
            return 1
        return 0
    try:
        found = load(Path(args[0])) if args else from_env()
    except SchoolsError as error:
        print(f"schools file: {error}", file=sys.stderr)
        return 1
    if not found.configured:
        print("no SCHOOLS_FILE: pages on CORS_ORIGINS only: " + (" ".join(found.origins) or "(none)"))
    for school in found.schools if found.configured else []:
        print(f"{school.id}: {school.name} <- {' '.join(school.origins)}"
              + ("" if school.token_sha256 else " (no insights token)")
              + (f", {len(school.links)} next-step link(s)" if school.links else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
