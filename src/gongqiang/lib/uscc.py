"""统一社会信用代码 (GB 32100-2015) checks with reasons in Chinese."""

from stdnum import exceptions
from stdnum.cn import uscc as _uscc

# The characters GB 32100-2015 allows in a code (no I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalise(value: str) -> str:
    """Upper-case, strip spaces and full-width characters (codes arrive pasted from Word and Excel)."""
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in str(value))
    return "".join(text.split()).upper()


def uscc_error(value: str) -> str | None:
    """None when valid; otherwise why not, in Chinese."""
    code = normalise(value)
    if not code:
        return "统一社会信用代码为空。"
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位。"
    try:
        _uscc.validate(code)
    except exceptions.InvalidChecksum:
        return f"统一社会信用代码校验位错误（第18位应为“{_uscc.calc_check_digit(code[:17])}”）。"
    except exceptions.InvalidFormat:
        return "统一社会信用代码格式不正确：前 8 位应为数字，其余位不得使用 I、O、Z、S、V。"
    except exceptions.ValidationError:
        return "统一社会信用代码格式不正确。"
    return None


def is_valid(value: str) -> bool:
    return uscc_error(value) is None


def make(first17: str) -> str:
    """A valid code from its first 17 characters (for demo data and tests)."""
    return first17 + _uscc.calc_check_digit(first17)
