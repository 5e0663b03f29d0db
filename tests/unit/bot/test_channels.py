"""The widget channel: widget.js is built from its parts in a fixed order; only the fixed list is served."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict

import pytest
from sanic.response import HTTPResponse

from bot.channels import DEMO_CSP, FILES, SCRIPT_END, SCRIPT_PARTS, SCRIPT_START, STATIC_DIR, WidgetInput, served
from bot.sanitize import MAX_MESSAGE_CHARS

MAX_PART_LINES = 400
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="needs node")


def routes() -> Dict[str, Any]:
    """The channel's route handlers by URI, called directly (no server, no sanic_testing)."""
    blueprint = WidgetInput().blueprint(lambda message: None)  # type: ignore[arg-type,return-value]
    return {route.uri: route.handler for route in blueprint._future_routes}


async def get(name: str, headers: Dict[str, str] | None = None) -> HTTPResponse:
    return await routes()["/<name:str>"](SimpleNamespace(headers=headers or {}), name)


# --- The parts ------------------------------------------------------------------------------------

@pytest.mark.parametrize("part", SCRIPT_PARTS)
def test_each_part_is_short_and_ends_a_line(part: str) -> None:
    text = (STATIC_DIR / part).read_text(encoding="utf-8")
    assert len(text.splitlines()) < MAX_PART_LINES, f"{part}: split it further"
    assert text.endswith("\n") and not text.endswith("\n\n\n")  # safe to put one after another


def test_the_script_is_only_its_parts() -> None:
    """Every widget-*.js in static/ is a part (none forgotten), and the old one-file widget.js is gone."""
    on_disk = sorted(p.name for p in STATIC_DIR.glob("widget*.js"))
    assert on_disk == sorted(SCRIPT_PARTS)
    assert len(set(SCRIPT_PARTS)) == len(SCRIPT_PARTS)


def test_served_widget_is_the_parts_in_order_with_the_limit_filled_in() -> None:
    parts = b"".join((STATIC_DIR / part).read_bytes() for part in SCRIPT_PARTS)
    assert parts.count(b"__MAX_MESSAGE_CHARS__") == 1  # one limit, written in once
    expected = (SCRIPT_START + parts + SCRIPT_END).replace(b"__MAX_MESSAGE_CHARS__", str(MAX_MESSAGE_CHARS).encode())
    body = served("widget.js")
    assert body == expected
    assert b"__MAX_MESSAGE_CHARS__" not in body
    assert f"parseInt('{MAX_MESSAGE_CHARS}', 10)".encode() in body
    assert body.startswith(b"(function () {\n'use strict';") and body.endswith(b"}());\n")


def test_other_files_are_served_as_they_are() -> None:
    for name in FILES:
        if name != "widget.js":
            assert served(name) == (STATIC_DIR / name).read_bytes()


@pytest.mark.parametrize("name", ["widget-base.js", "widget-view.js", "nope.js", "../channels.py", "widget.js.map"])
def test_served_refuses_a_name_not_in_the_list(name: str) -> None:
    with pytest.raises(KeyError):
        served(name)


# --- The script in node: each part parses, the whole parses, and it adds nothing to the page -----

@needs_node
@pytest.mark.parametrize("part", SCRIPT_PARTS)
def test_each_part_parses_on_its_own(part: str) -> None:
    subprocess.run([NODE, "--check", str(STATIC_DIR / part)], check=True, capture_output=True, timeout=30)


@needs_node
def test_the_served_script_parses_and_adds_no_globals(tmp_path: Path) -> None:
    """Run as a page without a current script (as a module would be): no names leak to `window`."""
    built = tmp_path / "widget.js"
    built.write_bytes(served("widget.js"))
    subprocess.run([NODE, "--check", str(built)], check=True, capture_output=True, timeout=30)
    probe = """
        const vm = require('vm');
        const code = require('fs').readFileSync(process.argv[1], 'utf8');
        const page = { document: { currentScript: null }, HTMLElement: function HTMLElement() {} };
        page.window = page;
        const before = Object.getOwnPropertyNames(page).sort();
        vm.runInNewContext(code, page);
        console.log(JSON.stringify({ before: before, after: Object.getOwnPropertyNames(page).sort() }));
    """
    run = subprocess.run([NODE, "-e", probe, str(built)], check=True, capture_output=True, text=True, timeout=30)
    names = json.loads(run.stdout)
    assert names["after"] == names["before"]


# --- The routes -----------------------------------------------------------------------------------

async def test_the_route_serves_the_built_widget_with_its_headers() -> None:
    response = await get("widget.js")
    assert response.status == 200
    assert response.body == served("widget.js")
    assert response.headers["Content-Type"] == FILES["widget.js"]
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Content-Security-Policy" not in response.headers
    again = await get("widget.js", {"If-None-Match": response.headers["ETag"]})
    assert again.status == 304 and not again.body


async def test_the_demo_page_keeps_its_strict_csp() -> None:
    response = await get("demo.html")
    assert response.status == 200
    assert response.headers["Content-Security-Policy"] == DEMO_CSP
    assert "script-src 'self';" in DEMO_CSP and "unsafe" not in DEMO_CSP


@pytest.mark.parametrize("name", ["widget-base.js", "widget-transport.js", "widget-messages.js", "widget-readaloud.js",
                                  "widget-view.js",
                                  "nope.js", "..%2fchannels.py", "__init__.py", "widget.js.map"])
async def test_a_name_not_in_the_list_is_404(name: str) -> None:
    response = await get(name)
    assert response.status == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_the_health_route_lists_the_fixed_files_only() -> None:
    response = await routes()["/"](SimpleNamespace(headers={}))
    assert json.loads(response.body) == {"status": "ok", "files": sorted(FILES)}


# --- The words: every one in English and Spanish --------------------------------------------------

def words() -> Dict[str, Dict[str, Any]]:
    """WORDS of widget-base.js, as node evaluates it (the part alone, with a bare window)."""
    probe = """
        const vm = require('vm');
        const page = { window: {} };
        vm.runInNewContext(require('fs').readFileSync(process.argv[1], 'utf8') + ';this.__w = WORDS;', page);
        console.log(JSON.stringify(page.__w));
    """
    run = subprocess.run([NODE, "-e", probe, str(STATIC_DIR / "widget-base.js")], check=True, capture_output=True,
                         text=True, timeout=30)
    return json.loads(run.stdout)


@needs_node
def test_both_word_tables_have_the_same_words() -> None:
    table = words()
    assert sorted(table) == ["en", "es"]
    en, es = table["en"], table["es"]
    assert sorted(en) == sorted(es)
    for key in en:
        assert type(en[key]) is type(es[key]), key
        assert ("{school}" in str(en[key])) == ("{school}" in str(es[key])), key
        assert en[key] != es[key], f"{key}: not translated"
    assert len(en["examples"]) == len(es["examples"]) == 4
    assert all(q.startswith("¿") and q.endswith("?") for q in es["examples"])
    for lang in table.values():
        for key, value in lang.items():
            assert all(isinstance(v, str) and v.strip() for v in (value if isinstance(value, list) else [value])), key


@needs_node
def test_the_parts_use_only_words_of_the_table() -> None:
    """Every word the other parts name is in the table, and none sets a visible text or a name from a literal."""
    keys = set(words()["en"])
    visible = re.compile(r"""(?:\btext|'aria-label'|\btitle|placeholder):\s*'[^']*[A-Za-z]""")
    for part in SCRIPT_PARTS:
        code = (STATIC_DIR / part).read_text(encoding="utf-8")
        used = set(re.findall(r"\b(?:words|w)\.(\w+)", code))
        assert used <= keys, f"{part}: {sorted(used - keys)}"
        if part != "widget-base.js":
            assert visible.findall(code) == [], part
