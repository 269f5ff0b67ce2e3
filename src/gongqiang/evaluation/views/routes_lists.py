"""URLs of the low-efficiency lists of task one (T1)."""

from django.urls import path

from . import lists

urlpatterns: list = [
    path("lists/", lists.ListOverviewView.as_view(), name="lists"),
    path("lists/recompute/", lists.RecomputeView.as_view(), name="list-recompute"),
    path("lists/entries/", lists.EntryListView.as_view(), name="list-entries"),
    path("lists/entries/export.xlsx", lists.EntryExportView.as_view(), name="list-export"),
    path("lists/entries/add/", lists.ManualAddView.as_view(), name="list-add"),
    path("lists/entries/<int:pk>/", lists.EntryDetailView.as_view(), name="list-entry"),
    path("lists/entries/<int:pk>/status/", lists.EntryStatusView.as_view(), name="list-entry-status"),
]
