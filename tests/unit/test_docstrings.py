"""Every public function and method says in one line why it is there, in every room of the project.

"Public": a module's functions and its classes' methods whose names do not start with `_`. The folders
are every room (each top-level package but tests/, which `test_every_room_is_checked` holds to), plus the
unit tests' shared fixtures. NOT_YET would excuse a file for a while, by path; issue 21's docstring pass
left it empty.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, List, Sequence, Tuple, Union

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("actions", "bench", "bot", "components", "deploy", "harness", "insights", "knowledge", "schools", "scripts",
           "store")
FILES = ("tests/unit/conftest.py",)
NOT_YET: frozenset[str] = frozenset()
SKIPPED_PARTS = frozenset({"__pycache__", "tmp"})  # bench/tmp/ is scratch space, ignored by git

Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def checked_files() -> List[str]:
    """The covered modules, as paths from the project root, so a failure names the file to fix."""
    found = [p.relative_to(ROOT).as_posix() for folder in FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))
             if not SKIPPED_PARTS & set(p.relative_to(ROOT).parts)]
    return [f for f in [*found, *FILES] if f not in NOT_YET]


def public_functions(body: Sequence[ast.stmt], prefix: str = "") -> Iterator[Tuple[str, Function]]:
    """Module-level functions and the methods of public classes, nested classes included, by dotted name."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            yield prefix + node.name, node
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            yield from public_functions(node.body, f"{prefix}{node.name}.")


@pytest.mark.parametrize("path", checked_files())
def test_every_public_function_has_a_docstring(path: str) -> None:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    missing = [f"{name} (line {node.lineno})" for name, node in public_functions(tree.body)
               if ast.get_docstring(node) is None]
    assert not missing, f"{path}: write a one-line docstring saying why for {', '.join(missing)}"


def test_the_check_sees_what_it_should() -> None:
    tree = ast.parse('def shown(): pass\n'
                     'def _private(): pass\n'
                     'class Public:\n'
                     '    def method(self): pass\n'
                     '    def _helper(self): pass\n'
                     '    class Inner:\n'
                     '        def deep(self): pass\n'
                     'class _Hidden:\n'
                     '    def method(self): pass\n')
    assert [name for name, _ in public_functions(tree.body)] == ["shown", "Public.method", "Public.Inner.deep"]
    assert "actions/answers.py" in checked_files() and "tests/unit/conftest.py" in checked_files()
    assert "bot/input.py" in checked_files() and "components/job_mask.py" in checked_files()
    assert not NOT_YET & set(checked_files())


def test_every_room_is_checked() -> None:
    """A room added later is checked from its first commit: every top-level package but tests/ is a FOLDER."""
    rooms = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests"}
    assert rooms, "no package found at the project root"
    assert not rooms - set(FOLDERS), f"add {sorted(rooms - set(FOLDERS))} to FOLDERS"
    assert all((ROOT / f).is_dir() for f in FOLDERS), "a folder of FOLDERS is gone: a renamed room is not checked"
