import io
import json
import struct

import numpy as np
import pytest

from grader import wire


def roundtrip(header, arrays):
    return wire.read_message(io.BytesIO(wire.encode(header, arrays)).read)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(12.0).reshape(3, 4),
        np.array(2.5),
        np.zeros((0, 3)),
        np.arange(6, dtype=np.int32)[::2],
        np.array([True, False]),
        np.arange(4, dtype=">f8"),
        np.ones((2, 2), dtype=np.float32).T,
    ],
)
def test_arrays_come_back_equal_with_shape_and_dtype(array):
    header, (back,) = roundtrip({"k": 1}, [array])
    assert header["k"] == 1
    assert back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("<")
    np.testing.assert_array_equal(back, array)
    assert back.flags.writeable


def message(header_obj, payload=b""):
    text = json.dumps(header_obj).encode()
    return io.BytesIO(struct.pack("<4sI", b"BPG1", len(text)) + text + payload).read


def test_object_dtype_is_refused():
    with pytest.raises(wire.WireError, match="dtype"):
        wire.read_message(message({"arrays": [{"dtype": "|O", "shape": [1]}]}))


def test_huge_declared_shape_is_refused_before_allocating():
    spec = {"dtype": "<f8", "shape": [1 << 20, 1 << 20]}
    with pytest.raises(wire.WireError, match="cap"):
        wire.read_message(message({"arrays": [spec]}))


def test_negative_and_non_integer_sizes_are_refused():
    for shape in ([-1], [2.5], ["3"], [True]):
        with pytest.raises(wire.WireError, match="shape"):
            wire.read_message(message({"arrays": [{"dtype": "<f8", "shape": shape}]}))


def test_stream_cut_short_is_an_error_not_a_hang():
    data = wire.encode({}, [np.arange(10.0)])[:-5]
    with pytest.raises(wire.WireError, match="ended"):
        wire.read_message(io.BytesIO(data).read)


def test_clean_end_of_stream_is_eof():
    with pytest.raises(EOFError):
        wire.read_message(io.BytesIO(b"").read)


def test_bytes_that_are_not_a_message_are_refused():
    with pytest.raises(wire.WireError, match="not a grader message"):
        wire.read_message(io.BytesIO(b"Score: 100/100\n" * 4).read)
