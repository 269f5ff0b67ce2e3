from django.urls import path

from .views import cockpit, exports, imports, split, target

app_name = "targets"

urlpatterns = [
    path("", cockpit.CockpitView.as_view(), name="cockpit"),
    path("ranking/", cockpit.RankingView.as_view(), name="ranking"),
    path("export.xlsx", exports.CockpitExcelView.as_view(), name="export"),
    path("brief.pdf", exports.BriefPdfView.as_view(), name="brief"),
    path("import/", imports.ImportView.as_view(), name="import"),
    path("import/template.xlsx", imports.TemplateView.as_view(), name="import-template"),
    path("import/split-template.xlsx", imports.SplitTemplateView.as_view(), name="split-template"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/errors.xlsx", imports.ImportErrorsView.as_view(), name="import-errors"),
    path("observations/<int:pk>/attachment/", target.AttachmentView.as_view(), name="attachment"),
    path("<str:target>/", target.TargetDetailView.as_view(), name="detail"),
    path("<str:target>/observe/", target.ObservationEntryView.as_view(), name="observe"),
    path("<str:target>/observe/preview/", target.ObservationPreviewView.as_view(), name="observe-preview"),
    path("<str:target>/override/", target.OverrideView.as_view(), name="override"),
    path("<str:target>/split/", split.SplitView.as_view(), name="split"),
]
