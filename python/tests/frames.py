"""Frame contents the writer and reader peers agree on, derived from a position alone."""
from __future__ import annotations

from typing import Tuple

import numpy as np

#: Element i of a self-checking frame is seed ^ MIX[i]; MIX[0] == 0, so a frame mixing two
#: writes (a torn frame) fails frame ^ frame[0] == MIX.
_MIX_CONSTANT = np.uint32(0x9E3779B1)


def mix(elements: int) -> np.ndarray:
    return np.arange(elements, dtype=np.uint32) * _MIX_CONSTANT


def self_checking(elements: int, seed: int, shape: Tuple[int, ...] = ()) -> np.ndarray:
    frame = mix(elements) ^ np.uint32(seed & 0xFFFFFFFF)
    return frame.reshape(shape or (elements,))


def self_check_seed(frame: np.ndarray, expected_mix: np.ndarray) -> int:
    """The frame's seed, or -1 when it is torn."""
    flat = frame.reshape(-1)
    if not np.array_equal(flat ^ flat[0], expected_mix):
        return -1
    return int(flat[0])


def pattern(dtype: np.dtype, shape: Tuple[int, ...], seed: int) -> np.ndarray:
    """Deterministic bytes for any dtype (bool kept to 0/1), different for every seed."""
    dtype = np.dtype(dtype)
    count = int(np.prod(shape)) * dtype.itemsize
    i = np.arange(count, dtype=np.uint64)
    raw = ((i * np.uint64(2654435761) + np.uint64(seed) * np.uint64(40503) + (i >> np.uint64(7))) >> np.uint64(3))
    raw = (raw & np.uint64(0xFF)).astype(np.uint8)
    if dtype == np.bool_:
        raw &= 1
    return raw.view(dtype).reshape(shape)
