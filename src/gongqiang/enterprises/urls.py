from django.urls import path

from .views import imports, reconciliation
from .views import registry as views

app_name = "enterprises"

urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("export.xlsx", views.EnterpriseExportView.as_view(), name="export"),
    path("new/", views.EnterpriseCreateView.as_view(), name="create"),
    path("imports/", imports.ImportBatchListView.as_view(), name="imports"),
    path("imports/new/", imports.ImportUploadView.as_view(), name="import-upload"),
    path("imports/template/<str:source>/<int:year>.xlsx", imports.TemplateDownloadView.as_view(), name="import-template"),
    path("imports/<int:pk>/", imports.ImportBatchDetailView.as_view(), name="import"),
    path("imports/<int:pk>/progress/", imports.ImportProgressView.as_view(), name="import-progress"),
    path("imports/<int:pk>/file/", imports.ImportFileView.as_view(kind="file"), name="import-file"),
    path("imports/<int:pk>/errors.xlsx", imports.ImportFileView.as_view(kind="errors"), name="import-errors"),
    path("imports/<int:pk>/commit/", imports.ImportActionView.as_view(action="commit"), name="import-commit"),
    path("imports/<int:pk>/rollback/", imports.ImportActionView.as_view(action="rollback"), name="import-rollback"),
    path("imports/<int:pk>/discard/", imports.ImportActionView.as_view(action="discard"), name="import-discard"),
    path("reconciliation/", reconciliation.ReconciliationView.as_view(), name="reconciliation"),
    path("reconciliation/export.xlsx", reconciliation.ReconciliationExportView.as_view(), name="reconciliation-export"),
    path("<str:uscc>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<str:uscc>/edit/", views.EnterpriseUpdateView.as_view(), name="update"),
]
