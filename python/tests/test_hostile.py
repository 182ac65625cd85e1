"""Hostile files: fuzzed and truncated headers, planted links, FIFOs, sockets, devices and other
users' files, corrupted shared words. Each one is a clear exception naming what is wrong; none
crashes, hangs or indexes memory out of range."""
from __future__ import annotations

import os
import random
import socket
import stat
import struct
import zlib

import numpy as np
import pytest

import arrow_shm
from arrow_shm import _header, _layout as L, _names

OTHER_UID = 12345


def ring_path(name: str) -> str:
    return _names.ring_path(_names.h14(name.encode("utf-8")))


def make_ring(name: str, **kwargs) -> None:
    arrow_shm.Ring.create(name, **{"shape": (3, 4), "dtype": "int16", "capacity": 4, "max_cursors": 2, **kwargs}).close()


def patch(name: str, offset: int, data: bytes, fix_crc: bool = True) -> None:
    path = ring_path(name)
    fd = os.open(path, os.O_RDWR)
    try:
        os.pwrite(fd, data, offset)
        if fix_crc:
            header = os.pread(fd, L.IMMUTABLE_SIZE, 0)
            os.pwrite(fd, struct.pack("<I", _header.header_crc(header)), L.HEADER_CRC_OFFSET)
    finally:
        os.close(fd)


def open_error(name: str):
    with pytest.raises(arrow_shm.InvalidMetadataError) as caught:
        arrow_shm.Ring.open(name).close()
    return caught.value


# (offset, struct format, value, the field the error must name)
FIELD_CASES = [
    (L.MAGIC_OFFSET, "8s", b"ASHMRINX", "magic"),
    (L.VERSION_OFFSET, "<H", 2, "version"),
    (L.HEADER_SIZE_OFFSET, "<H", 1024, "header_size"),
    (L.FLAGS_OFFSET, "<I", 1, "flags"),
    (L.DTYPE_CODE_OFFSET, "<H", 14, "dtype_code"),
    (L.NDIM_OFFSET, "<H", 0, "ndim"),
    (L.NDIM_OFFSET, "<H", 20, "ndim"),
    (L.NDIM_OFFSET, "<H", 1, "shape"),            # shape[1] is set past ndim
    (L.SHAPE_OFFSET, "<Q", 0, "shape"),
    (L.SHAPE_OFFSET + 8 * 5, "<Q", 9, "shape"),
    (L.SLOT_SIZE_OFFSET, "<Q", 25, "slot_size"),
    (L.SHAPE_OFFSET, "<Q", 2 ** 62, "slot_size"),  # prod(shape) x itemsize past 2^62
    (L.CAPACITY_OFFSET, "<Q", 0, "capacity"),
    (L.CAPACITY_OFFSET, "<Q", 2 ** 20 + 1, "capacity"),
    (L.CAPACITY_OFFSET, "<Q", 2 ** 64 - 1, "capacity"),
    (L.CAPACITY_OFFSET, "<Q", 5, "segment_size"),  # in range: the stored offsets then disagree
    (L.MAX_CURSORS_OFFSET, "<I", 0, "max_cursors"),
    (L.MAX_CURSORS_OFFSET, "<I", 1025, "max_cursors"),
    (L.MAX_CURSORS_OFFSET, "<I", 3, "slot_table_offset"),
    (L.CURSOR_ENTRY_SIZE_OFFSET, "<I", 64, "cursor_entry_size"),
    (L.SLOT_ENTRY_SIZE_OFFSET, "<I", 128, "slot_entry_size"),
    (L.OVERFLOW_OFFSET, "<I", 2, "overflow"),
    (L.RESERVED_60_OFFSET, "<I", 1, "reserved"),
    (L.RESERVED_276_OFFSET + 100, "<B", 1, "reserved"),
    (L.RESERVED_768_OFFSET + 255, "<B", 1, "reserved"),
    (L.CURSOR_TABLE_OFFSET_OFFSET, "<Q", 0, "cursor_table_offset"),
    (L.SLOT_TABLE_OFFSET_OFFSET, "<Q", 2 ** 63, "slot_table_offset"),
    (L.DATA_OFFSET_OFFSET, "<Q", 4096, "data_offset"),
    (L.SEGMENT_SIZE_OFFSET, "<Q", 2 ** 40, "segment_size"),
    (L.INSTANCE_ID_OFFSET, "16s", bytes(16), "instance_id"),
    (L.CREATOR_PID_OFFSET, "<q", 0, "creator_pid"),
    (L.CREATOR_PID_OFFSET, "<q", -5, "creator_pid"),
    (L.NAME_OFFSET, "4s", b"evil", "name"),
    (L.NAME_OFFSET, "2s", b"\xff\xfe", "name"),
    (L.NAME_OFFSET, "1s", b"\0", "name"),
]


@pytest.mark.parametrize("offset,fmt,value,field", FIELD_CASES,
                         ids=[f"{c[3]}@{c[0]}={c[2]!r}"[:40] for c in FIELD_CASES])
def test_each_bad_header_field_is_named(names, offset, fmt, value, field):
    name = names("field")
    make_ring(name)
    patch(name, offset, struct.pack(fmt, value))
    error = open_error(name)
    assert error.field == field, str(error)
    assert ring_path(name) in str(error) and "create it again" in str(error)
    if field == "version":
        assert "unsupported ring version 2" in str(error)


def test_a_header_the_crc_does_not_cover_fails_the_crc(names):
    name = names("crc")
    make_ring(name)
    patch(name, L.CREATED_NS_OFFSET, struct.pack("<q", 42), fix_crc=False)
    assert open_error(name).field == "header_crc"


def test_stored_offsets_consistent_with_a_lie_still_cannot_point_outside_the_file(names):
    """A crafted header whose capacity and every offset agree, for a file too short to hold it."""
    name = names("liar")
    make_ring(name)
    capacity = 1000
    slot_table = L.slot_table_offset(2)
    data = L.data_offset(2, capacity)
    segment = L.segment_size(2, capacity, 24)
    patch(name, L.CAPACITY_OFFSET, struct.pack("<Q", capacity))
    patch(name, L.SLOT_TABLE_OFFSET_OFFSET, struct.pack("<QQQ", slot_table, data, segment))
    error = open_error(name)
    assert error.field == "segment_size" and "truncated" in str(error)


def test_random_bit_flips_in_the_header_always_fail_cleanly(names):
    """500 single-byte corruptions of the immutable header, CRC not fixed: every one raises
    InvalidMetadataError (the CRC catches what the field checks do not)."""
    name = names("fuzz")
    make_ring(name)
    path = ring_path(name)
    original = open(path, "rb").read(L.HEADER_SIZE)
    rng = random.Random(23)
    fields = set()
    for _ in range(500):
        offset = rng.randrange(L.IMMUTABLE_SIZE)
        byte = original[offset] ^ rng.randrange(1, 256)
        patch(name, offset, bytes([byte]), fix_crc=False)
        fields.add(open_error(name).field)
        patch(name, offset, original[offset:offset + 1], fix_crc=False)
    arrow_shm.Ring.open(name).close()
    assert {"header_crc", "magic", "name"} <= fields


def test_random_fields_with_a_fixed_crc_fail_cleanly_or_open(names):
    """Random 8-byte values with the CRC recomputed: open either fails naming a field or yields a
    ring whose geometry fits inside its file (then a write and a read work)."""
    name = names("fuzz-crc")
    rng = random.Random(7)
    for _ in range(200):
        make_ring(name)
        offset = rng.randrange(0, L.IMMUTABLE_SIZE - 8) & ~7
        patch(name, offset, struct.pack("<Q", rng.choice([0, 1, 2 ** 63, rng.getrandbits(64), rng.getrandbits(8)])))
        try:
            ring = arrow_shm.Ring.open(name)
        except arrow_shm.InvalidMetadataError:
            pass
        else:
            with ring:
                assert ring._geometry.segment_size <= os.stat(ring_path(name)).st_size
                with ring.writer() as w, ring.reader("c") as r:
                    w.write(np.ones(ring.shape, ring.dtype))
                    assert r.take(timeout=1).array.tobytes() == np.ones(ring.shape, ring.dtype).tobytes()
        arrow_shm.Ring.unlink(name)


@pytest.mark.parametrize("size", [0, 100, 4095, 4096, 65536 + 24 * 4 - 1])
def test_truncated_files(names, size):
    name = names("short")
    make_ring(name, shape=(3, 4), capacity=4)
    os.truncate(ring_path(name), size)
    error = open_error(name)
    assert error.field == ("file size" if size < 4096 else "segment_size"), str(error)


def planted(kind: str, path: str, target: str) -> None:
    if kind == "symlink":
        os.symlink(target, path)
    elif kind == "fifo":
        os.mkfifo(path, 0o600)
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(path)
        server.close()
    elif kind == "directory":
        os.mkdir(path, 0o700)
    elif kind == "device":
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == "foreign":
        with open(target, "rb") as source, open(path, "wb") as copy:
            copy.write(source.read())
        os.chmod(path, 0o600)
        os.chown(path, OTHER_UID, OTHER_UID)


KINDS = ["symlink", "fifo", "socket", "directory", "device", "foreign"]


@pytest.mark.parametrize("kind", KINDS)
def test_a_planted_file_at_the_ring_name_is_refused(names, kind):
    if kind in ("device", "foreign") and os.geteuid() != 0:
        pytest.skip("needs root (mknod, chown)")
    real = names("real")
    make_ring(real)
    name = names(f"planted-{kind}")
    path = ring_path(name)
    planted(kind, path, ring_path(real))
    try:
        with pytest.raises(arrow_shm.UntrustedFileError) as caught:
            arrow_shm.Ring.open(name)
        assert caught.value.path == path and path in str(caught.value)
        assert {"symlink": "symbolic link", "fifo": "FIFO", "socket": "socket", "directory": "directory",
                "device": "character device", "foreign": f"owned by uid {OTHER_UID}"}[kind] in str(caught.value)
        with pytest.raises(arrow_shm.UntrustedFileError):
            arrow_shm.Ring.unlink(name)
        assert name not in arrow_shm.Ring.list()
        if kind != "directory":
            assert os.path.lexists(path), "refused means untouched"
    finally:
        if kind == "directory":
            os.rmdir(path)
        elif os.path.lexists(path):
            os.unlink(path)


@pytest.mark.parametrize("kind", ["symlink", "fifo", "foreign"])
def test_a_planted_lock_file_is_refused(names, monkeypatch, tmp_path, kind):
    if kind == "foreign" and os.geteuid() != 0:
        pytest.skip("needs root (chown)")
    locks = tmp_path / "locks"
    locks.mkdir(mode=0o700)
    monkeypatch.setenv("PYSHMEM_LOCK_DIR", str(locks))
    name = names("lockfile")
    with arrow_shm.Ring.create(name, shape=(1,), capacity=1) as ring:
        g = ring._geometry
        lock = locks / _names.writer_lock_file(g.digest, g.instance_id)
        decoy = tmp_path / "decoy"
        decoy.write_bytes(b"")
        planted(kind, str(lock), str(decoy))
        with pytest.raises(arrow_shm.UntrustedFileError) as caught:
            ring.writer()
        assert caught.value.path == str(lock)


def test_hostile_lock_directories(names, monkeypatch, tmp_path):
    name = names("lockdir")
    with arrow_shm.Ring.create(name, shape=(1,), capacity=1) as ring:
        target = tmp_path / "elsewhere"
        target.mkdir(mode=0o700)
        link = tmp_path / "link"
        link.symlink_to(target)
        monkeypatch.setenv("PYSHMEM_LOCK_DIR", str(link))
        with pytest.raises(arrow_shm.UntrustedFileError, match="symbolic link"):
            ring.writer()
        shared = tmp_path / "shared"
        shared.mkdir()
        os.chmod(shared, 0o1777)
        monkeypatch.setenv("PYSHMEM_LOCK_DIR", str(shared))
        with pytest.raises(arrow_shm.UntrustedFileError, match="shared directory"):
            ring.reader("c")
        loose = tmp_path / "loose"
        loose.mkdir()
        os.chmod(loose, 0o755)
        monkeypatch.setenv("PYSHMEM_LOCK_DIR", str(loose))
        ring.writer().close()
        assert os.stat(loose).st_mode & 0o777 == 0o700, "our own directory is tightened"
        if os.geteuid() == 0:
            foreign = tmp_path / "foreign"
            foreign.mkdir(mode=0o700)
            os.chown(foreign, OTHER_UID, OTHER_UID)
            monkeypatch.setenv("PYSHMEM_LOCK_DIR", str(foreign))
            with pytest.raises(arrow_shm.UntrustedFileError, match=f"owned by uid {OTHER_UID}"):
                ring.writer()
        missing = tmp_path / "made" / "on" / "demand"
        monkeypatch.setenv("PYSHMEM_LOCK_DIR", str(missing))
        ring.writer().close()
        assert os.stat(missing).st_mode & 0o777 == 0o700


def words(name: str):
    ring = arrow_shm.Ring.open(name)
    return ring, ring._mapping


def test_corrupt_write_position(names):
    name = names("wp")
    make_ring(name)
    ring, m = words(name)
    with ring:
        m.u64[L.WRITE_POSITION_OFFSET // 8] = 2 ** 62
        for attempt in (ring.writer, lambda: ring.reader("c")):
            with pytest.raises(arrow_shm.InvalidMetadataError) as caught:
                attempt()
            assert caught.value.field == "write_position"


def test_corrupt_stamps(names):
    name = names("stamps")
    make_ring(name, capacity=4)
    ring, m = words(name)
    g = ring._geometry
    stamp = lambda s: (g.slot_table_offset + L.SLOT_ENTRY_SIZE * s) // 8  # noqa: E731
    with ring:
        with ring.writer() as w:
            for p in range(2):
                w.write(np.zeros((3, 4), np.int16))
        m.i64[stamp(2)] = 12345  # slot of write_position 2 holds nonsense
        with pytest.raises(arrow_shm.InconsistentStreamError, match="stamp 12345"):
            ring.writer()
        m.i64[stamp(2)] = 0
        with ring.reader("c") as r:
            m.i64[stamp(0)] = 0  # a published position whose stamp says "never written"
            with pytest.raises(arrow_shm.InconsistentStreamError, match="published"):
                r.take(timeout=1)
            m.i64[stamp(0)] = 2 ** 62  # far in the future: counted as lapped, never indexed
            frame = r.take(timeout=1)
            assert frame.position == 1 and r.lost == 1


@pytest.mark.parametrize("case", ["state", "flags", "name_length", "name_utf8", "position", "reserved"])
def test_corrupt_cursor_entries(names, case):
    name = names("entry")
    make_ring(name, capacity=2)
    ring, m = words(name)
    base = L.HEADER_SIZE
    with ring:
        with ring.reader("victim"):
            pass
        if case == "state":
            m.u32[(base + L.CURSOR_STATE) // 4] = 7
        elif case == "flags":
            m.u32[(base + L.CURSOR_FLAGS) // 4] = 0x80
        elif case == "name_length":
            m.u32[(base + L.CURSOR_NAME_LENGTH) // 4] = 200
        elif case == "name_utf8":
            m.view(base + L.CURSOR_NAME, 2)[:] = b"\xff\xfe"
        elif case == "position":
            m.u64[(base + L.CURSOR_POSITION) // 8] = 10 ** 6
        elif case == "reserved":
            m.view(base + L.CURSOR_RESERVED_56, 1)[:] = b"\1"
        field = f"cursor_table[0].{'name' if case == 'name_utf8' else case}"
        with pytest.raises(arrow_shm.InvalidMetadataError) as caught:
            ring.cursors()
        assert caught.value.field == field, str(caught.value)
        if case in ("flags", "position", "reserved"):
            with pytest.raises(arrow_shm.InvalidMetadataError) as caught:
                ring.reader("victim")
            assert caught.value.field == field
        if case in ("state", "position"):
            with ring.writer() as w:  # the writer's scan meets the entry once the ring is full
                with pytest.raises(arrow_shm.InvalidMetadataError) as caught:
                    for _ in range(3):
                        w.write(np.zeros((3, 4), np.int16), timeout=1)
                assert caught.value.field == field
