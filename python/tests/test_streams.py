"""Classic streams (pyshmem 1.4.0's format) read by arrow_shm.streams: zero-copy Arrow and
NumPy views inside the seqlock check, never a torn frame, clear errors."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest

import arrow_shm
from arrow_shm import _dtypes, streams

pyshmem = pytest.importorskip("pyshmem")
PYTHON_DIR = Path(__file__).resolve().parent.parent


@pytest.fixture
def stream_name():
    made = []

    def make(label="stream"):
        name = f"pytest-{label}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        made.append(name)
        return name

    yield make
    for name in made:
        pyshmem.unlink(name)


def data_address_range(name):
    path = "/dev/shm/ps_" + hashlib.sha1(name.encode()).hexdigest()[:14]
    with open("/proc/self/maps") as maps:
        return [tuple(int(x, 16) for x in line.split()[0].split("-")) for line in maps if line.rstrip().endswith(path)]


@pytest.mark.parametrize("dtype", [d.name for d in _dtypes.BY_CODE])
def test_reads_what_pyshmem_wrote_zero_copy(stream_name, dtype):
    name = stream_name(dtype)
    values = (np.arange(15) % 2).astype(dtype).reshape(3, 5) if dtype == "bool" else np.arange(15).astype(dtype).reshape(3, 5)
    shm = pyshmem.create(name, shape=(3, 5), dtype=np.dtype(dtype))
    shm.write(values)
    shm.close()

    def numpy_view(view):
        ranges = data_address_range(name)
        at = view.__array_interface__["data"][0]
        return view.copy(), any(start <= at < end for start, end in ranges), view.flags.writeable

    copy, zero_copy, writeable = streams.read_array(name, numpy_view)
    assert copy.tobytes() == values.tobytes() and copy.dtype == values.dtype and zero_copy and not writeable
    if dtype.startswith("complex"):
        with pytest.raises(TypeError, match="complex"):
            streams.read(name, lambda tensor, array: None)
        return

    def arrow_views(tensor, array):
        ranges = data_address_range(name)
        at = array.storage.values.buffers()[1].address
        return tensor.to_numpy().copy(), array.to_numpy_ndarray()[0].copy(), any(s <= at < e for s, e in ranges)

    tensor, row, zero_copy = arrow_shm.read_stream(name, arrow_views)
    assert tensor.tobytes() == values.tobytes() == row.tobytes() and zero_copy
    assert str(tensor.dtype) == ("uint8" if dtype == "bool" else dtype)
    info = streams.info(name)
    assert (info.dtype, info.shape, info.count) == (dtype, (3, 5), 1)
    assert name in streams.list_streams()


WRITER = r'''
import sys, numpy as np, pyshmem
shm = pyshmem.open(sys.argv[1])
frame = np.arange(256 * 1024, dtype=np.uint32) * np.uint32(0x9E3779B1)
k = 1
shm.write(frame ^ np.uint32(k))  # before "ready": the zeros of a fresh stream are no frame of ours
print("ready", flush=True)
while True:
    k += 1
    shm.write(frame ^ np.uint32(k))
'''


def test_never_returns_a_frame_a_pyshmem_writer_tore(stream_name):
    name = stream_name("torn")
    pyshmem.create(name, shape=(256 * 1024,), dtype=np.uint32).close()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, name], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        mix = np.arange(256 * 1024, dtype=np.uint32) * np.uint32(0x9E3779B1)
        seeds = set()
        for _ in range(200):
            frame = streams.read_array(name, lambda view: view.copy())
            assert np.array_equal(frame ^ frame[0], mix), "a torn frame"
            seeds.add(int(frame[0]))
        assert len(seeds) > 1, "the writer wrote during the reads"
    finally:
        writer.kill()
        writer.wait()


def test_errors(stream_name, tmp_path):
    name = stream_name("errors")
    with pytest.raises(arrow_shm.StreamNotFoundError):
        streams.read_array(name, lambda v: v)
    shm = pyshmem.create(name, shape=(4,), dtype=np.uint8)
    with pytest.raises(RuntimeError):
        with shm.write_view():
            raise RuntimeError("an aborted write")
    with pytest.raises(arrow_shm.InconsistentStreamError, match="failed"):
        streams.read_array(name, lambda v: v.copy())
    shm.write(np.ones(4, np.uint8))
    assert list(streams.read_array(name, lambda v: v.copy())) == [1, 1, 1, 1]
    meta = "/dev/shm/ps_" + hashlib.sha1(name.encode()).hexdigest()[:14] + "_meta"
    with open(meta, "r+b") as f:
        f.seek(100)
        f.write(b"\1")  # frame_id is not covered by the CRC; shape is
        f.seek(110)
        f.write(b"\7")
    with pytest.raises(arrow_shm.InvalidMetadataError) as caught:
        streams.read_array(name, lambda v: v)
    assert caught.value.field in ("shape", "size", "header_crc")
    shm.close()
    other = stream_name("link")
    os.symlink(meta, "/dev/shm/ps_" + hashlib.sha1(other.encode()).hexdigest()[:14] + "_meta")
    try:
        with pytest.raises(arrow_shm.UntrustedFileError, match="symbolic link"):
            streams.read_array(other, lambda v: v)
    finally:
        os.unlink("/dev/shm/ps_" + hashlib.sha1(other.encode()).hexdigest()[:14] + "_meta")


def test_the_old_reader_file_still_works(stream_name):
    """python/arrow_shm_reader.py, loaded by path as interop's ArrowReaderTest does, reads through the package."""
    name = stream_name("shim")
    shm = pyshmem.create(name, shape=(2, 2), dtype=np.float32)
    shm.write(np.full((2, 2), 7, np.float32))
    shm.close()
    spec = importlib.util.spec_from_file_location("arrow_shm_reader", PYTHON_DIR / "arrow_shm_reader.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.read(name, lambda tensor, array: float(tensor.to_numpy().mean())) == 7.0
    printed = subprocess.run([sys.executable, str(PYTHON_DIR / "arrow_shm_reader.py"), name], capture_output=True,
                             text=True, env={**os.environ, "PYTHONPATH": ""}, cwd="/")
    assert printed.returncode == 0 and printed.stdout.startswith("float (2, 2)"), printed.stderr
