"""pyshmem 1.4.0's dtype table, which rings and classic streams share (ring format §2.1)."""
from __future__ import annotations

import numpy as np

#: dtype code -> NumPy dtype (little-endian, the only byte order the formats know).
BY_CODE = tuple(
    np.dtype(name).newbyteorder("<")
    for name in (
        "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
        "float16", "float32", "float64", "bool", "complex64", "complex128",
    )
)
_CODES = {dtype: code for code, dtype in enumerate(BY_CODE)}


def code_of(dtype: object) -> int:
    """The table's code for ``dtype`` (a NumPy dtype or anything ``np.dtype`` accepts).

    Raises ValueError for a dtype outside the table or in big-endian byte order.
    """
    try:
        resolved = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"unsupported dtype: {dtype!r}") from exc
    if resolved.byteorder == ">" or (resolved.byteorder == "=" and np.little_endian is False):
        raise ValueError(f"unsupported dtype: {resolved} (big-endian; rings and streams are little-endian)")
    code = _CODES.get(resolved.newbyteorder("<"))
    if code is None:
        names = ", ".join(d.name for d in BY_CODE)
        raise ValueError(f"unsupported dtype: {resolved} (supported: {names})")
    return code


def arrow_dtype(dtype: np.dtype) -> np.dtype:
    """The dtype Arrow views use: bool's 0/1 bytes as uint8 (Arrow's bool is bit-packed, so a
    zero-copy view cannot be one). Raises TypeError for complex, which Arrow tensors lack."""
    if dtype.kind == "c":
        raise TypeError(f"{dtype} has no Arrow tensor type (Arrow has no complex numbers); read the NumPy array instead")
    return np.dtype(np.uint8) if dtype == np.bool_ else dtype
