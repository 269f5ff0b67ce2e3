"""Enumerate every URL pattern of the site, so scope tests pick up new apps' URLs by themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:(?P<conv>[^:>]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    template: str  # "enterprises/<str:uscc>/"
    name: str  # "enterprises:detail"
    callback: Any

    @property
    def params(self) -> list[str]:
        return [m.group("name") for m in PARAM.finditer(self.template)]

    @property
    def view_class(self) -> Any:
        return getattr(self.callback, "view_class", None)

    def url(self, values: dict[str, str]) -> str:
        return "/" + PARAM.sub(lambda m: str(values[m.group("name")]), self.template)


def _walk(patterns: list, prefix: str, namespace: str) -> Iterator[Route]:
    for p in patterns:
        route = str(p.pattern)
        if route.startswith("^"):
            # Regex patterns (Django admin internals, static): not part of our own site.
            route = route.lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}".strip(":") if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + route, ns)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}".strip(":") if p.name else ""
            yield Route(prefix + route, name, p.callback)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns, "", ""))
