"""One shared mapping of a ring file: its words, its slot data and who still uses it."""
from __future__ import annotations

import ctypes
import mmap
import os
import threading

import numpy as np

from ._header import RingGeometry


class RingMapping:
    """The file descriptor and read-write mapping of one ring generation, with typed views.

    ``u32``, ``u64`` and ``i64`` index the control region [0, data_offset) by ``offset // width``;
    ``slots`` is the data region as a (capacity, *shape) array. A ring handle, each writer and
    each reader holds a reference (:meth:`retain` / :meth:`release`); the last release unmaps.
    Arrays handed to a caller (lease views, batches) keep the mapping alive by themselves, so a
    release never unmaps memory a caller still looks at: the unmap then waits for them.
    """

    def __init__(self, fd: int, geometry: RingGeometry) -> None:
        self.fd = fd
        self.geometry = geometry
        self._mm = mmap.mmap(fd, geometry.segment_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        anchor = ctypes.c_char.from_buffer(self._mm)
        #: Absolute address of byte 0 (futex calls take addresses).
        self.address = ctypes.addressof(anchor)
        del anchor
        control = memoryview(self._mm)[:geometry.data_offset]
        self.u32 = control.cast("I")
        self.u64 = control.cast("Q")
        self.i64 = control.cast("q")
        self._control = control
        elements = geometry.slot_size // geometry.dtype.itemsize
        flat = np.frombuffer(self._mm, dtype=geometry.dtype, count=elements * geometry.capacity,
                             offset=geometry.data_offset)
        self.slots = flat.reshape((geometry.capacity,) + geometry.shape)
        self._references = 1
        self._lock = threading.Lock()

    def view(self, offset: int, length: int) -> memoryview:
        """A memoryview of bytes [offset, offset + length) of the control region."""
        return self._control[offset:offset + length]

    def retain(self) -> "RingMapping":
        with self._lock:
            if self._references <= 0:
                raise ValueError(f"ring {self.geometry.name!r} is closed")
            self._references += 1
        return self

    def release(self) -> None:
        with self._lock:
            self._references -= 1
            if self._references != 0:
                return
        for view in (self.u32, self.u64, self.i64, self._control):
            view.release()
        self.slots = None  # type: ignore[assignment]
        try:
            self._mm.close()
        except BufferError:
            pass  # a caller still holds a view: the mapping goes when the last view does
        self._mm = None  # type: ignore[assignment]
        os.close(self.fd)

    def linked(self) -> bool:
        """Whether the file still has its name (False once the ring was unlinked)."""
        return os.fstat(self.fd).st_nlink > 0
