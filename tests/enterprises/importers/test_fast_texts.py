"""The fast path's text of an Excel number is repr's, whether written by Python or by Polars."""

from __future__ import annotations

import random
import struct

from gongqiang.enterprises.importers.fast import _texts


def test_a_column_of_numbers_reads_as_repr_would_write_it():
    rng = random.Random(7)
    values: list[object] = [round(rng.uniform(-1e6, 1e7), rng.randint(0, 6)) for _ in range(2000)]
    values += [rng.random() * 10 ** rng.randint(-8, 20) for _ in range(2000)]
    bits = (struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0] for _ in range(2000))
    values += [v for v in bits if v == v and abs(v) != float("inf")]
    values += [0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, 123.0, -5.5, None, 5e-324]
    got = _texts(values)
    assert list(got) == [None if v is None else repr(v) for v in values]


def test_mixed_cells_keep_the_cell_by_cell_reading():
    assert _texts([1.5, " 2 ", "", None, 7, True]) == ["1.5", "2", None, None, "7", "\x00odd"]
