"""URLs of the bonus, penalty and veto items."""

from django.urls import path

from . import items

urlpatterns = [
    path("items/", items.ItemListView.as_view(), name="items"),
    path("items/add/", items.ItemAddView.as_view(), name="item-add"),
    path("items/<int:pk>/delete/", items.ItemDeleteView.as_view(), name="item-delete"),
    path("items/import/", items.ItemImportView.as_view(), name="items-import"),
    path("items/import/errors.xlsx", items.ItemErrorReportView.as_view(), name="items-errors"),
    path("items/template.xlsx", items.ItemTemplateView.as_view(), name="items-template"),
]
