"""arrow_shm: tensors between processes through named shared memory, the Python side of the
arrow-shm Java library (https://github.com/... see the project's README).

* **Ring streams** (:class:`Ring`): a named queue of ``capacity`` fixed-shape tensors, one
  writer, named durable cursors, ``overflow="block"`` (lossless) or ``"overwrite"`` (lost frames
  counted exactly); the format is ``docs/ring-format.md``, shared with Java's ``io.arrowshm.Ring``.
* **Classic streams** (:mod:`arrow_shm.streams`): zero-copy reads of pyshmem 1.4 / arrow-shm
  streams with NumPy and pyarrow; pyshmem writes them.

Pure Python and the standard library (mmap, fcntl, ctypes for the futex system call) plus
NumPy; pyarrow only for Arrow views. Linux on x86-64 and aarch64.
"""
from __future__ import annotations

from ._cursors import CursorInfo
from ._reader import Batch, Frame, RingReader
from ._ring import Ring, RingInfo
from ._version import __version__
from ._writer import RingWriter
from .errors import (CursorInUseError, InconsistentStreamError, InvalidMetadataError, LappedError,
                     SharedMemoryError, SharedMemoryFullError, StaleStreamError, StreamExistsError,
                     StreamNotFoundError, StreamTimeoutError, UntrustedFileError)
from .streams import read as read_stream

__all__ = [
    "Ring", "RingWriter", "RingReader", "Frame", "Batch", "CursorInfo", "RingInfo", "read_stream",
    "SharedMemoryError", "StreamNotFoundError", "StreamExistsError", "StreamTimeoutError",
    "InvalidMetadataError", "InconsistentStreamError", "UntrustedFileError", "StaleStreamError",
    "CursorInUseError", "LappedError", "SharedMemoryFullError", "__version__",
]
