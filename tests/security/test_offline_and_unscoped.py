"""Offline first: no rendered page references a non-local URL. And the unscoped path is the reviewed one:
views, API and document code read models only through `visible_to` / `writable_by`, or say why not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gongqiang.testing.urlwalk import all_routes

from .test_scope_walk import EXCLUDED_PREFIXES, SKIPPED_NAMES, param_values

SRC = Path(__file__).resolve().parents[2] / "src" / "gongqiang"
REMOTE = re.compile(
    r"""(?:src|href|action|poster|data)\s*=\s*["']\s*(?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)"""
    r"""|url\(\s*["']?(?:https?:)?//(?!127\.0\.0\.1|localhost)"""
    r"""|@import\s+["'](?:https?:)?//""",
    re.IGNORECASE,
)


def rendered_pages(client, user, world):
    client.force_login(user)
    for route in all_routes():
        if route.template.startswith(EXCLUDED_PREFIXES) or route.name in SKIPPED_NAMES:
            continue
        own, _ = param_values(route, user, world)
        if any(v is None for v in own.values()):
            continue
        url = route.url(own)
        response = client.get(url)
        if "text/html" in response.get("Content-Type", ""):
            yield url, response.content.decode("utf-8", "replace")


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["admin", "city", "county_a", "ent_user", "dept", "leader"])
def test_no_page_references_a_remote_url(client, personas, world, who):
    pages = list(rendered_pages(client, getattr(personas, who), world))
    assert len(pages) >= 5
    for url, html in pages:
        match = REMOTE.search(html)
        assert match is None, f"{url} references a remote URL: …{html[max(0, match.start() - 60):match.end() + 60]}…"


@pytest.mark.django_db
def test_login_page_is_offline(client):
    html = client.get("/login/").content.decode()
    assert REMOTE.search(html) is None
    assert "/static/vendor/bootstrap/" in html


def test_vendored_assets_exist_with_licences():
    vendor = SRC / "static" / "vendor"
    for package, files in {
        "bootstrap": ["css/bootstrap.min.css", "js/bootstrap.bundle.min.js", "LICENSE"],
        "htmx.org": ["htmx.min.js", "LICENSE"],
        "echarts": ["echarts.min.js", "LICENSE", "NOTICE"],
        "bootstrap-icons": ["bootstrap-icons.min.css", "LICENSE"],
    }.items():
        for name in files:
            assert (vendor / package / name).is_file(), f"missing static/vendor/{package}/{name}"
    for css in vendor.rglob("*.css"):
        assert REMOTE.search(css.read_text(errors="replace")) is None, css


# Reading a scoped model outside the scoped entry point is allowed only on a line (or the line above)
# carrying "scope: reviewed" with the reason.
UNSCOPED = re.compile(r"\b[A-Z]\w*\.objects\.(?!visible_to\b|writable_by\b)\w+")
CHECKED_FILES = ("views.py", "api.py", "documents.py", "exports.py", "filters.py", "services.py")


def test_views_api_and_documents_read_through_the_scope():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        if not (path.name in CHECKED_FILES or "views" in path.parts):
            continue
        if "services" in path.parts and path.parent.name == "services" and path.parent.parent.name == "core":
            continue  # core's own services (policy loading, auth events) are system operations
        lines = path.read_text().splitlines()
        for n, line in enumerate(lines):
            if UNSCOPED.search(line):
                context = line + (lines[n - 1] if n else "")
                if "scope: reviewed" not in context:
                    offenders.append(f"{path.relative_to(SRC)}:{n + 1}: {line.strip()}")
    assert not offenders, "unscoped reads without a reviewed reason:\n" + "\n".join(offenders)
