from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("export.xlsx", views.EnterpriseExportView.as_view(), name="export"),
    path("<str:uscc>/", views.EnterpriseDetailView.as_view(), name="detail"),
]
