"""Attachments of dispatch reports: allowed types checked by extension and by the file's first bytes."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.conf import settings

# The kinds a department's report carries (documents, sheets, photos), with the bytes they start with.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",), ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",), ".xls": (b"\xd0\xcf\x11\xe0",),
    ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG",),
}
MAX_FILES = 5


def max_bytes() -> int:
    return int(getattr(settings, "SUPERVISION_ATTACHMENT_MAX_MB", 20)) * 1024 * 1024


def check_attachments(files: list[Any]) -> list[str]:
    """Every reason the uploads are refused (Chinese); empty when all may be stored."""
    errors = []
    if len(files) > MAX_FILES:
        errors.append(f"附件最多 {MAX_FILES} 个")
    limit = max_bytes()
    for f in files:
        name = PurePath(f.name or "").name
        ext = PurePath(name).suffix.lower()
        if ext not in MAGIC:
            errors.append(f"附件“{name}”的类型不允许（可上传：{'、'.join(sorted(e[1:] for e in MAGIC))}）")
            continue
        if f.size > limit:
            errors.append(f"附件“{name}”超过 {limit // (1024 * 1024)} MB")
            continue
        head = f.read(8)
        f.seek(0)
        if not any(head.startswith(m) for m in MAGIC[ext]):
            errors.append(f"附件“{name}”的内容与扩展名不符")
    return errors
