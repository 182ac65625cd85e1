"""Reads an arrow-shm (or pyshmem 1.4) stream with numpy and pyarrow only: no pyshmem needed.

    import arrow_shm_reader
    total = arrow_shm_reader.read("frames", lambda tensor, array: tensor.to_numpy().sum())

The payload is /dev/shm/ps_<sha1(name)[:14]> (C order, little-endian); its ..._meta header holds
the dtype code (u16 at 16), ndim (u16 at 18), the shape (u64[ndim] at 104) and the seqlock word
write_sequence (i64 at 48: even = stable, odd = a write in progress, negative = a failed write).
"""
import hashlib
import mmap
import struct
import time

import numpy as np
import pyarrow as pa

# dtype codes 0..11. Arrow tensors have no bool type, so bool's 0/1 bytes come as uint8.
DTYPES = "int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 uint8".split()


def _map(path):
    with open(path, "rb") as segment:
        return mmap.mmap(segment.fileno(), 0, prot=mmap.PROT_READ)


def read(name, use, timeout=5.0):
    """Calls use(tensor, array) on zero-copy views of the live payload, a pyarrow.Tensor and a
    one-element FixedShapeTensorArray, and returns its result once no write overlapped the call.
    The views change under later writes: take from them, inside use, what must stay."""
    base = "/dev/shm/ps_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:14]
    meta, data = _map(base + "_meta"), _map(base)
    if meta[:8] != b"PYSHMEM\0":
        raise ValueError(f"{name!r} has no v3 header")
    code, ndim = struct.unpack_from("<HH", meta, 16)
    if code >= len(DTYPES):
        raise TypeError(f"{name!r} holds complex numbers, which Arrow tensors cannot")
    shape = struct.unpack_from(f"<{ndim}Q", meta, 104)
    values = np.frombuffer(data, DTYPES[code], count=int(np.prod(shape))).reshape(shape)
    tensor = pa.Tensor.from_numpy(values)
    array = pa.FixedShapeTensorArray.from_numpy_ndarray(values.reshape((1, *shape)))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = struct.unpack_from("<q", meta, 48)[0]
        if before < 0:
            raise RuntimeError(f"the last write to {name!r} failed; the next complete write repairs it")
        if before % 2 == 0:
            result = use(tensor, array)
            if struct.unpack_from("<q", meta, 48)[0] == before:
                return result
        time.sleep(1e-4)
    raise TimeoutError(f"no stable write on {name!r} within {timeout} s")


if __name__ == "__main__":
    import sys

    print(read(sys.argv[1], lambda tensor, array: f"{tensor.type} {tensor.shape}: {tensor.to_numpy()}"))
