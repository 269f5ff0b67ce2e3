"""URLs of the low-efficiency lists (filled by the lists views)."""

urlpatterns: list = []
