"""URLs of runs, results, the enterprise page, methods and appeals (app `evaluation`)."""

from django.urls import path

from . import cases, diff, enterprise, methods, results, runs

urlpatterns: list = [
    path("runs/", runs.RunListView.as_view(), name="runs"),
    path("runs/new/", runs.RunStartView.as_view(), name="run-start"),
    path("runs/<int:pk>/", runs.RunDetailView.as_view(), name="run-detail"),
    path("runs/<int:pk>/step/", runs.RunStepView.as_view(), name="run-step"),
    path("runs/<int:pk>/confirm/", runs.RunConfirmView.as_view(), name="run-confirm"),
    path("runs/<int:pk>/diff/", diff.RunDiffView.as_view(), name="run-diff"),
    path("runs/<int:pk>/whatif/", methods.WhatIfView.as_view(), name="run-whatif"),
    path("runs/<int:pk>/export/results/", results.ResultsExportView.as_view(), name="export-results"),
    path("runs/<int:pk>/export/notice/", results.NoticeExportView.as_view(), name="export-notice"),
    path("runs/<int:pk>/export/measures/", results.MeasuresExportView.as_view(), name="export-measures"),
    path("results/", results.ResultListView.as_view(), name="results"),
    path("enterprise/", enterprise.MyEnterpriseView.as_view(), name="mine"),
    path("enterprise/<str:uscc>/", enterprise.EnterpriseEvaluationView.as_view(), name="enterprise"),
    path("enterprise/<str:uscc>/objection/", enterprise.ObjectionCreateView.as_view(), name="objection-create"),
    path("enterprise/<str:uscc>/appeal/", enterprise.AppealCreateView.as_view(), name="appeal-create"),
    path("cases/", cases.CasesView.as_view(), name="cases"),
    path("objections/<int:pk>/answer/", cases.ObjectionAnswerView.as_view(), name="objection-answer"),
    path("objections/<int:pk>/evidence/", cases.ObjectionEvidenceView.as_view(), name="objection-evidence"),
    path("appeals/<int:pk>/decide/", cases.AppealDecideView.as_view(), name="appeal-decide"),
    path("appeals/<int:pk>/evidence/", cases.AppealEvidenceView.as_view(), name="appeal-evidence"),
    path("methods/", methods.MethodListView.as_view(), name="methods"),
    path("methods/copy/", methods.MethodCopyView.as_view(), name="method-copy"),
    path("methods/<int:pk>/", methods.MethodDetailView.as_view(), name="method-detail"),
    path("methods/<int:year>/edit/", methods.MethodEditView.as_view(), name="method-edit"),
]
