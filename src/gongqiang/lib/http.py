from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {".xlsx": XLSX, ".docx": DOCX, ".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8"}


def attachment(content: bytes, filename: str, *, inline: bool = False) -> HttpResponse:
    """A download with a Chinese file name that every browser on the intranet keeps (RFC 5987).

    `inline` lets the browser show it (a PDF brief) instead of saving it."""
    suffix = filename[filename.rfind("."):].lower()
    response = HttpResponse(content, content_type=CONTENT_TYPES.get(suffix, "application/octet-stream"))
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename=\"export{suffix}\"; filename*=UTF-8''{quote(filename)}"
    return response
