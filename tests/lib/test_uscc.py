"""USCC checks: reasons in Chinese, normalisation of pasted codes, and a property test."""

from hypothesis import given
from hypothesis import strategies as st

from gongqiang.lib.uscc import USCC_ALPHABET, is_valid, make, normalise, uscc_error

VALID = make("91371302MA3C00001")


def test_valid_code():
    assert uscc_error(VALID) is None and is_valid(VALID)


def test_reasons():
    assert "前 8 位应为数字" in uscc_error("9137130IMA3C000010")
    assert "18位" in uscc_error(VALID[:-1])
    wrong = VALID[:-1] + ("0" if VALID[-1] != "0" else "1")
    assert f"第18位应为“{VALID[-1]}”" in uscc_error(wrong)
    assert "为空" in uscc_error("  ")


def test_normalises_case_spaces_and_full_width():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID.lower())
    assert normalise(f" {full_width} ") == VALID
    assert is_valid(VALID.lower())


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
def test_made_codes_are_valid_and_one_changed_char_is_caught(head, tail):
    code = make(head + tail)
    assert is_valid(code)
    for wrong in USCC_ALPHABET:
        if wrong != code[-1]:
            assert not is_valid(code[:-1] + wrong)
            break


@given(st.text(max_size=30))
def test_never_raises(text):
    assert uscc_error(text) is None or isinstance(uscc_error(text), str)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZab１２ ", min_size=0, max_size=20))
def test_same_verdict_as_python_stdnum(text):
    from stdnum.cn import uscc as stdnum_uscc

    code = normalise(text)
    assert is_valid(text) == (len(code) == 18 and stdnum_uscc.is_valid(code))


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
def test_check_digit_matches_stdnum(head, tail):
    from stdnum.cn import uscc as stdnum_uscc

    assert make(head + tail)[-1] == stdnum_uscc.calc_check_digit(head + tail)
