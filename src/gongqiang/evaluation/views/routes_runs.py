"""URLs of runs, results, methods and appeals (filled by the runs views)."""

urlpatterns: list = []
