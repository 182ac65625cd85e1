"""Runs python/arrow_shm_reader.py (path in argv[1]) the way a user would, and reports on it.

  arrow_reader_check.py READER values NAME      what the views hold, and whether they are zero-copy
  arrow_reader_check.py READER frames NAME N    N reads of self-checking uint32 frames during writes
Answers one line like pyshmem_peer.py: "ok key=value ..." or "err ExceptionType message".
"""
import hashlib
import importlib.util
import sys

import numpy as np


def load_reader(path):
    spec = importlib.util.spec_from_file_location("arrow_shm_reader", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mapping_of(path):
    """[start, end) of this process's mapping of PATH, from /proc/self/maps."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            if line.rstrip().endswith(path):
                start, end = line.split()[0].split("-")
                return int(start, 16), int(end, 16)
    raise LookupError(f"{path} is not mapped")


def values(reader, name):
    data_path = "/dev/shm/ps_" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:14]

    def use(tensor, array):
        start, end = mapping_of(data_path)
        tensor_at = tensor.to_numpy().__array_interface__["data"][0]
        array_at = array.storage.values.buffers()[1].address
        return {
            "dtype": tensor.to_numpy().dtype,
            "shape": ",".join(map(str, tensor.shape)),
            "array_shape": ",".join(map(str, array.type.shape)),
            "array_length": len(array),
            "sha256": hashlib.sha256(tensor.to_numpy().tobytes()).hexdigest(),
            "array_sha256": hashlib.sha256(array.to_numpy_ndarray()[0].tobytes()).hexdigest(),
            "zero_copy": start <= tensor_at < end and start <= array_at < end,
        }

    return reader.read(name, use)


def frames(reader, name, reads):
    verified = mixed = 0
    for _ in range(int(reads)):
        frame = reader.read(name, lambda tensor, array: tensor.to_numpy().reshape(-1).copy())
        mix = np.arange(frame.size, dtype=np.uint32) * np.uint32(0x9E3779B1)  # as SelfCheckingFrames (not imported: no pyshmem here)
        if np.array_equal(frame ^ frame[0], mix):
            verified += 1
        else:
            mixed += 1
    return {"verified": verified, "mixed": mixed}


def main(reader_path, command, *args):
    try:
        reader = load_reader(reader_path)
        facts = {"values": values, "frames": frames}[command](reader, *args)
        facts["pyshmem_imported"] = "pyshmem" in sys.modules
    except Exception as exc:  # noqa: BLE001 - the exception's class is the answer the test checks
        print(f"err {type(exc).__name__} {' '.join(str(exc).split())}")
        return
    print(" ".join(["ok"] + [f"{key}={value}" for key, value in facts.items()]))


if __name__ == "__main__":
    main(*sys.argv[1:])
