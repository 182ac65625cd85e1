"""docs/ring-format.md §11, byte for byte, and the names of §1."""
from __future__ import annotations

import struct

import numpy as np
import pytest

import arrow_shm
from arrow_shm import _header, _layout as L, _names

EXAMPLE_FIRST_128 = bytes.fromhex("""
41 53 48 4d 52 49 4e 47  01 00 00 10 00 00 00 00
09 00 02 00 00 00 00 00  d2 04 00 00 00 00 00 00
18 00 00 00 00 00 00 00  04 00 00 00 00 00 00 00
02 00 00 00 80 00 00 00  40 00 00 00 00 00 00 00
00 10 00 00 00 00 00 00  00 11 00 00 00 00 00 00
00 00 01 00 00 00 00 00  60 00 01 00 00 00 00 00
00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f
00 00 2a 36 fe 9c 97 17  02 00 00 00 00 00 00 00
""")
EXAMPLE_IID = bytes(range(16))


def example_header() -> bytes:
    return _header.encode("frames", 9, (2, 3), capacity=4, max_cursors=2, overflow=L.OVERFLOW_BLOCK,
                          creator_pid=1234, instance_id=EXAMPLE_IID, created_ns=1_700_000_000_000_000_000)


def test_worked_example_header_bytes():
    header = example_header()
    assert len(header) == L.IMMUTABLE_SIZE
    assert header[:128] == EXAMPLE_FIRST_128
    assert struct.unpack_from("<Q", header, 128)[0] == 3, "shape[1] = 3 at 128"
    assert not any(header[136:272]), "shape[2..19) are 0"
    assert header[272:276] == bytes.fromhex("51 1c 9f b5"), "header_crc 0xB59F1C51"
    assert struct.unpack_from("<I", header, 272)[0] == 0xB59F1C51
    assert header[512:518] == b"frames" and not any(header[518:768])
    assert not any(header[276:512])


def test_worked_example_geometry_and_files():
    file_bytes = example_header() + bytes(L.HEADER_SIZE - L.IMMUTABLE_SIZE)
    geometry = _header.validate(file_bytes, 65632, "/dev/shm/arrowshm_ring_e7d679448a726d", "e7d679448a726d", "frames")
    assert (geometry.slot_size, geometry.slot_table_offset, geometry.data_offset, geometry.segment_size) == (
        24, 4352, 65536, 65632)
    assert geometry.shape == (2, 3) and geometry.dtype == np.float32 and geometry.creator_pid == 1234
    digest = _names.h14(b"frames")
    assert digest == "e7d679448a726d"
    assert _names.ring_path(digest) == "/dev/shm/arrowshm_ring_e7d679448a726d"
    iid = "000102030405060708090a0b0c0d0e0f"
    assert _names.writer_lock_file(digest, EXAMPLE_IID) == f"arrowshm_ring_e7d679448a726d-{iid}.writer.lock"
    assert _names.table_lock_file(digest, EXAMPLE_IID) == f"arrowshm_ring_e7d679448a726d-{iid}.table.lock"
    assert [_names.cursor_lock_file(digest, EXAMPLE_IID, i) for i in (0, 1)] == [
        f"arrowshm_ring_e7d679448a726d-{iid}.cursor-0.lock", f"arrowshm_ring_e7d679448a726d-{iid}.cursor-1.lock"]
    assert _names.stream_lock_file(digest) == "ps_e7d679448a726d.lock"


def _stamps(name: str, capacity: int, slot_table: int) -> list:
    with open(f"/dev/shm/arrowshm_ring_{_names.h14(name.encode())}", "rb") as f:
        raw = f.read(slot_table + 64 * capacity)
    return [struct.unpack_from("<q", raw, slot_table + 64 * s)[0] for s in range(capacity)]


def test_worked_example_states(names):
    """§11's walk on a real ring of the same geometry: stamps, positions, the sixth write waiting."""
    name = names("example")
    ring = arrow_shm.Ring.create(name, shape=(2, 3), dtype="float32", capacity=4, max_cursors=2)
    with ring:
        raw = open(f"/dev/shm/arrowshm_ring_{_names.h14(name.encode())}", "rb").read(L.HEADER_SIZE)
        assert raw[:96] == EXAMPLE_FIRST_128[:24] + raw[24:32] + EXAMPLE_FIRST_128[32:96], "all but creator_pid"
        assert not any(raw[768:4096]), "reserved bytes and hot words start at 0"
        with ring.writer() as w, ring.reader("c", start="oldest") as r:
            for i in range(3):
                w.write(np.full((2, 3), i, np.float32))
            assert r.take(timeout=1).position == 0
            assert ring.write_position == 3
            assert _stamps(name, 4, 4352) == [2, 4, 6, 0]
            assert [c.position for c in ring.cursors()] == [1]
            w.write(np.full((2, 3), 3, np.float32))
            w.write(np.full((2, 3), 4, np.float32))  # overwrites position 0, which the cursor consumed
            assert _stamps(name, 4, 4352) == [10, 4, 6, 8]
            with pytest.raises(arrow_shm.StreamTimeoutError, match="cursor 'c' at position 1"):
                w.write(np.full((2, 3), 5, np.float32), timeout=0.1)
            assert r.take(timeout=1).position == 1  # the cursor's position reaches 2
            w.write(np.full((2, 3), 5, np.float32), timeout=1)
            assert _stamps(name, 4, 4352) == [10, 12, 6, 8]
