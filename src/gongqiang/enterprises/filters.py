"""One filter for the enterprise list: the page, the Excel export and the API use the same."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from gongqiang.lib.uscc import normalise

from .facets import FACETS
from .models import EnterpriseName, EnterpriseStatus


@dataclass(frozen=True)
class EnterpriseFilter:
    q: str = ""
    region: str = ""
    town: str = ""
    industry: str = ""
    scale: str = ""  # "above" | "below" | ""
    status: str = ""
    year: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # (param, value) of the facets other apps registered

    @classmethod
    def from_params(cls, params: Any) -> EnterpriseFilter:
        def get(name: str) -> str:
            value = params.get(name) if hasattr(params, "get") else None
            return str(value).strip()[:100] if value else ""

        extra = tuple((p, get(p)) for p in FACETS if get(p))
        return cls(q=get("q"), region=get("region"), town=get("town"), industry=get("industry"),
                   scale=get("scale"), status=get("status"), year=get("year"), extra=extra)

    def value(self, param: str) -> str:
        return dict(self.extra).get(param, "")

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.q:
            code = normalise(self.q)
            # scope: reviewed — correlated to the outer (already scoped) enterprise rows.
            former = EnterpriseName.objects.filter(enterprise=OuterRef("pk"), name__icontains=self.q)
            qs = qs.filter(Q(name__icontains=self.q) | Q(uscc__startswith=code) | Exists(former))
        if self.industry:
            qs = qs.filter(industry_code__startswith=self.industry)
        year = int(self.year) if self.year.isdigit() else None
        for param, value in self.extra:
            if param in FACETS:
                qs = FACETS[param].apply(qs, value, year)
        if year is not None:
            # With a year, county, town, scale and status are those of that year (an enterprise that
            # moved counts for the county it belonged to then). One filter() keeps them on one join.
            conditions = {"years__year": year}
            if self.region:
                conditions["years__region__code"] = self.region
            if self.town:
                conditions["years__town__code"] = self.town
            if self.scale in ("above", "below"):
                conditions["years__above_scale"] = self.scale == "above"
            if self.status in EnterpriseStatus.values:
                conditions["years__status"] = self.status
            return qs.filter(**conditions)
        if self.region:
            qs = qs.filter(region__code=self.region)
        if self.town:
            qs = qs.filter(town__code=self.town)
        if self.scale == "above":
            qs = qs.filter(above_scale=True)
        elif self.scale == "below":
            qs = qs.filter(above_scale=False)
        if self.status in EnterpriseStatus.values:
            qs = qs.filter(status=self.status)
        return qs

    @property
    def active(self) -> bool:
        return any((self.q, self.region, self.town, self.industry, self.scale, self.status, self.year, self.extra))
