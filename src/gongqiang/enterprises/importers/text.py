"""Text clean-up shared by the readers, the header mapping and the row checks.

Department files are typed in Chinese input methods, so the same character arrives full-width or
half-width, with ideographic spaces and with either kind of bracket; we compare after folding those.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Marks that templates put beside a header ("统一社会信用代码*") and that carry no meaning for us.
_MARKS = str.maketrans({"*": "", "※": "", "★": "", "【": "(", "】": ")", "[": "(", "]": ")"})


def halfwidth(text: str) -> str:
    """Full-width ASCII (１２３，．－ＡＢＣ) and the ideographic space to their half-width forms."""
    return "".join(
        chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else (" " if c == "\u3000" else c) for c in text
    )


def fold(text: str) -> str:
    """The comparison form of a header or a coded value: NFKC, no spaces, one kind of bracket, lower case."""
    folded = unicodedata.normalize("NFKC", text).translate(_MARKS)
    return _SPACES.sub("", folded).lower()


def cell_text(value: object) -> str:
    """A cell as the text a clerk sees: integral floats without ".0" (codes typed as numbers), stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
