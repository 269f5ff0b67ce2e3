from __future__ import annotations

from django.http import HttpResponse

STAFF = frozenset({"admin", "city", "leader", "department", "county"})
WRITERS = frozenset({"admin", "city", "department", "county"})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
