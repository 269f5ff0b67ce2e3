"""Filters other apps add to the enterprise list (the evaluation's class), without the registry importing
them: an app registers a `Facet` in its AppConfig.ready(); the list page, its Excel export and the filter
read them from here. Keeps the dependency one way (enterprises ← evaluation)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class Facet:
    param: str  # the query-string name
    label: str  # the Chinese label of the select
    choices: Callable[[], list[tuple[str, str]]]  # (value, label)
    apply: Callable[[QuerySet, str, int | None], QuerySet]  # (scoped enterprises, value, year or None)


FACETS: dict[str, Facet] = {}


def register(facet: Facet) -> None:
    FACETS[facet.param] = facet
