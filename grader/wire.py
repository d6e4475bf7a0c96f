"""Data-only messages between the grader and a worker.

A message is a JSON header followed by raw array bytes: no pickle in either
direction. Sizes and dtypes in the header are checked before anything is
allocated, so a hostile peer can neither run code in the reader nor make it
allocate more than the caps allow.

This module is imported by the worker too, so it uses only the standard
library and NumPy.
"""

import json
import struct

import numpy as np

MAGIC = b"BPG1"
# a header is a few hundred bytes; anything larger is not ours
MAX_HEADER_BYTES = 1 << 20
# the largest case sends a 1024x1024 float64 (8 MiB); leave room, stop bombs
MAX_ARRAY_BYTES = 64 << 20
MAX_MESSAGE_BYTES = 256 << 20
MAX_ARRAYS = 64
MAX_NDIM = 16
ALLOWED_DTYPES = frozenset(
    ["|b1", "|i1", "|u1"]
    + [f"<{kind}{size}" for kind in "iu" for size in (2, 4, 8)]
    + ["<f2", "<f4", "<f8"]
)

# the worker writes this to its output stream before each message it sends,
# so the grader knows when it has read all the output that came before
OUTPUT_MARK = b"\x00\x1egrader-end-of-output\x1e\x00"

_PREFIX = struct.Struct("<4sI")


class WireError(Exception):
    """A message that breaks the protocol or its caps."""


def encode(header: dict, arrays: list[np.ndarray]) -> bytes:
    """Pack a JSON-able header and plain arrays into one message."""
    specs, chunks = [], []
    for array in arrays:
        # astype, not ascontiguousarray: the latter turns 0-d arrays into 1-d
        array = np.asarray(array).astype(
            array.dtype.newbyteorder("<"), order="C", copy=False
        )
        specs.append({"dtype": array.dtype.str, "shape": list(array.shape)})
        chunks.append(array.tobytes())
    text = json.dumps({**header, "arrays": specs}).encode()
    return _PREFIX.pack(MAGIC, len(text)) + text + b"".join(chunks)


def read_message(read_exact) -> tuple[dict, list[np.ndarray]]:
    """Read one message through `read_exact(n) -> bytes`, checking every cap.

    Raises EOFError at a clean end of stream and WireError on anything that
    does not follow the protocol.
    """
    magic, length = _PREFIX.unpack(_read(read_exact, _PREFIX.size, eof_ok=True))
    if magic != MAGIC or length > MAX_HEADER_BYTES:
        raise WireError("the worker sent something that is not a grader message")
    try:
        header = json.loads(_read(read_exact, length))
    except ValueError as error:
        raise WireError(f"unreadable message header: {error}") from None
    specs = _array_specs(header)
    arrays = [_read_array(read_exact, dtype, shape) for dtype, shape in specs]
    return header, arrays


def _array_specs(header) -> list[tuple[np.dtype, tuple[int, ...]]]:
    specs = header.get("arrays") if isinstance(header, dict) else None
    if not isinstance(specs, list) or len(specs) > MAX_ARRAYS:
        raise WireError("message header has no valid array list")
    checked, total = [], 0
    for spec in specs:
        dtype, shape = _check_spec(spec)
        total += dtype.itemsize * int(np.prod(shape, dtype=np.int64))
        checked.append((dtype, shape))
    if total > MAX_MESSAGE_BYTES:
        raise WireError(f"message of {total} bytes is over the {MAX_MESSAGE_BYTES} cap")
    return checked


def _check_spec(spec) -> tuple[np.dtype, tuple[int, ...]]:
    if not isinstance(spec, dict) or spec.get("dtype") not in ALLOWED_DTYPES:
        raise WireError(f"array of unsupported dtype: {str(spec)[:80]}")
    shape = spec.get("shape")
    if (
        not isinstance(shape, list)
        or len(shape) > MAX_NDIM
        or not all(type(n) is int and 0 <= n <= MAX_ARRAY_BYTES for n in shape)
    ):
        raise WireError(f"array with an invalid shape: {str(shape)[:80]}")
    dtype = np.dtype(spec["dtype"])
    size = dtype.itemsize
    for n in shape:
        size *= n
        if size > MAX_ARRAY_BYTES:
            raise WireError(
                f"array of shape {tuple(shape)} is over the {MAX_ARRAY_BYTES}-byte cap"
            )
    return dtype, tuple(shape)


def _read_array(read_exact, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    count = int(np.prod(shape, dtype=np.int64))
    data = _read(read_exact, count * dtype.itemsize)
    return np.frombuffer(data, dtype=dtype, count=count).reshape(shape).copy()


def _read(read_exact, n: int, eof_ok: bool = False) -> bytes:
    data = read_exact(n)
    if len(data) == n:
        return data
    if eof_ok and not data:
        raise EOFError
    raise WireError("the stream ended in the middle of a message")
