"""URL of a run's input data in the CLI's format."""

from django.urls import path

from . import inputs

urlpatterns = [
    path("runs/<int:pk>/export/inputs.csv", inputs.RunInputsView.as_view(), name="export-inputs"),
]
