
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from gongqiang.core.api import get_scoped_or_404, scoped

from .filters import EnterpriseFilter
from .models import Enterprise

router = Router(tags=["企业库"])


class EnterpriseOut(Schema):
    uscc: str
    name: str
    region_code: str
    region_name: str
    town_code: str | None
    town_name: str | None
    industry_code: str
    above_scale: bool
    status: str

    @staticmethod
    def resolve_region_code(obj: Enterprise) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj: Enterprise) -> str:
        return obj.region.name

    @staticmethod
    def resolve_town_code(obj: Enterprise) -> str | None:
        return obj.town.code if obj.town_id else None

    @staticmethod
    def resolve_town_name(obj: Enterprise) -> str | None:
        return obj.town.name if obj.town_id else None


class EnterpriseQuery(Schema):
    q: str = ""
    region: str = ""
    town: str = ""
    industry: str = ""
    scale: str = ""
    status: str = ""


@router.get("/", response=list[EnterpriseOut], summary="企业名录（按数据范围过滤）")
@paginate(PageNumberPagination, page_size=50)
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseQuery]):
    flt = EnterpriseFilter(**filters.dict())
    return flt.apply(scoped(Enterprise, request).select_related("region", "town"))


@router.get("/{uscc}", response=EnterpriseOut, summary="企业详情")
def get_enterprise(request: HttpRequest, uscc: str):
    return get_scoped_or_404(Enterprise, request, uscc=uscc.upper())
