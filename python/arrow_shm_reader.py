"""Reads an arrow-shm (or pyshmem 1.4) stream with numpy and pyarrow only: no pyshmem needed.

This file is kept for code that copied it or loads it by path; the reader now lives in the
package: ``pip install ./python``, then ``arrow_shm.streams.read`` (same arguments) or
``arrow_shm.read_stream``.

    import arrow_shm_reader
    total = arrow_shm_reader.read("frames", lambda tensor, array: tensor.to_numpy().sum())
"""
import os
import sys

try:
    from arrow_shm.streams import read
except ImportError:  # not installed: use the package beside this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from arrow_shm.streams import read

__all__ = ["read"]

if __name__ == "__main__":
    print(read(sys.argv[1], lambda tensor, array: f"{tensor.type} {tensor.shape}: {tensor.to_numpy()}"))
