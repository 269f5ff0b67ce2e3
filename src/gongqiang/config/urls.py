from django.contrib import admin
from django.urls import include, path

from gongqiang.config.api import api

urlpatterns = [
    path("", include("gongqiang.portal.urls")),
    path("", include("gongqiang.core.urls")),
    path("enterprises/", include("gongqiang.enterprises.urls")),
    path("evaluation/", include("gongqiang.evaluation.urls")),
    path("targets/", include("gongqiang.targets.urls")),
    path("supervision/", include("gongqiang.supervision.urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]
