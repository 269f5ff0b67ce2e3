from django.urls import path

from .views import registry as views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("export.xlsx", views.EnterpriseExportView.as_view(), name="export"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("<str:uscc>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<str:uscc>/edit/", views.EnterpriseUpdateView.as_view(), name="update"),
]
