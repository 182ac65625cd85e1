"""Writes the torch CUDA IPC pickle fixtures the gpu module's tests parse.

torch is not needed (nor used): the script installs stand-in modules named ``torch``,
``torch.storage``, ``torch.multiprocessing`` and ``torch.multiprocessing.reductions`` in
``sys.modules`` whose objects carry the real torch ``__module__``/``__qualname__`` and
``__reduce__`` behaviour, then calls CPython's own ``pickle.dumps((rebuild_cuda_tensor,
args), protocol=4)`` exactly as pyshmem 1.4.0 does (spec §6.1). The byte streams are
therefore laid out by CPython's pickler (framing, memoization, BINGET reuse of the
``'torch'`` module string, BININT1/BININT2/BININT/LONG1 choice), not by hand.

What the stand-ins reproduce from torch 2.x (torch/multiprocessing/reductions.py,
torch/csrc/Size.cpp, torch/csrc/Dtype.cpp):
* ``torch.Size`` is a tuple subclass whose ``__reduce__`` is ``(torch.Size, (tuple(self),))``;
* a ``torch.dtype`` reduces to its canonical name, so it pickles as global ``torch.<name>``;
* ``torch.Tensor`` has ``__module__ == 'torch'``, ``TypedStorage`` lives in ``torch.storage``;
* the storage handle is ``[version][b'c'][64-byte cudaIpcMemHandle_t]`` (or the bare 64
  bytes in older torch), the event handle is 64 bytes.

As a cross-check the script also loads every valid fixture with pyshmem's own
``_RestrictedCudaUnpickler`` (when pyshmem is importable) and asserts that it rejects the
hostile ones, so the Java allowlist is compared with the real one.

Run from the repository root (rewrites the fixtures; commit the result):
    /path/to/venv/bin/python gpu/src/test/python/make_torch_ipc_fixtures.py
"""

from __future__ import annotations

import os
import pickle
import pickletools
import sys
import types
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "resources" / "io" / "arrowshm" / "gpu" / "fixtures"

# ---- stand-in torch ------------------------------------------------------------------

torch = types.ModuleType("torch")
torch_storage = types.ModuleType("torch.storage")
torch_mp = types.ModuleType("torch.multiprocessing")
torch_mp_reductions = types.ModuleType("torch.multiprocessing.reductions")
torch.storage = torch_storage
torch.multiprocessing = torch_mp
torch_mp.reductions = torch_mp_reductions


class dtype:  # noqa: N801 - torch's spelling
    def __init__(self, name: str, itemsize: int):
        self.name = name
        self.itemsize = itemsize

    def __reduce__(self):
        # THPDtype_reduce returns the bare name: pickle then saves the global torch.<name>.
        return self.name

    def __repr__(self):
        return f"torch.{self.name}"


dtype.__module__ = "torch"
torch.dtype = dtype

DTYPES = {
    "bool": 1, "uint8": 1, "int8": 1, "int16": 2, "int32": 4, "int64": 8,
    "uint16": 2, "uint32": 4, "uint64": 8, "float16": 2, "bfloat16": 2,
    "float32": 4, "float64": 8, "complex64": 8, "complex128": 16,
}
for _name, _size in DTYPES.items():
    setattr(torch, _name, dtype(_name, _size))
# Aliases are the same objects, as in torch (torch.float is torch.float32).
torch.float = torch.float32
torch.half = torch.float16
torch.long = torch.int64


class Size(tuple):
    def __reduce__(self):
        return (Size, (tuple(self),))


Size.__module__ = "torch"
torch.Size = Size


class Tensor:
    pass


Tensor.__module__ = "torch"
torch.Tensor = Tensor


class TypedStorage:
    pass


class _TypedStorage:
    pass


TypedStorage.__module__ = "torch.storage"
_TypedStorage.__module__ = "torch.storage"
torch_storage.TypedStorage = TypedStorage
torch_storage._TypedStorage = _TypedStorage


def rebuild_cuda_tensor(*args):  # never called: the fixtures are only written
    raise AssertionError("stand-in rebuild_cuda_tensor must not run")


rebuild_cuda_tensor.__module__ = "torch.multiprocessing.reductions"
torch_mp_reductions.rebuild_cuda_tensor = rebuild_cuda_tensor

sys.modules.update({
    "torch": torch,
    "torch.storage": torch_storage,
    "torch.multiprocessing": torch_mp,
    "torch.multiprocessing.reductions": torch_mp_reductions,
})

# ---- payloads --------------------------------------------------------------------------


def ipc_bytes(seed: int, length: int = 64) -> bytes:
    """Deterministic stand-in for an opaque CUDA handle."""
    return bytes((seed * 31 + i * 7 + 1) & 0xFF for i in range(length))


def storage_handle(version: int | None, seed: int, kind: bytes = b"c") -> bytes:
    raw = ipc_bytes(seed)
    return raw if version is None else bytes([version]) + kind + raw


def contiguous_stride(shape):
    stride, step = [], 1
    for dim in reversed(shape):
        stride.append(step)
        step *= max(dim, 1)
    return tuple(reversed(stride))


def rebuild_args(*, shape, dtype_name, device, handle, storage_size=None, storage_offset=0,
                 tensor_offset=0, requires_grad=False, ref_name=b"/torch_4242_1234567890_0",
                 ref_offset=0, event_sync=True, storage_cls=TypedStorage, event_handle=None,
                 stride=None):
    numel = 1
    for dim in shape:
        numel *= dim
    itemsize = DTYPES[dtype_name]
    if storage_size is None:
        storage_size = (tensor_offset + numel) * itemsize
    return (
        Tensor,
        Size(shape),
        contiguous_stride(shape) if stride is None else stride,
        tensor_offset,
        storage_cls,
        getattr(torch, dtype_name),
        device,
        handle,
        storage_size,
        storage_offset,
        requires_grad,
        ref_name,
        ref_offset,
        ipc_bytes(99) if event_handle is None else event_handle,
        event_sync,
    )


VALID = {
    # name: (rebuild kwargs, handle version or None for the legacy bare form)
    "v2_float32_2x3": dict(shape=(2, 3), dtype_name="float32", device=0, version=2),
    "v1_int64_vector": dict(shape=(1000,), dtype_name="int64", device=1, version=1,
                            storage_offset=2097152, ref_offset=17, event_sync=False),
    "v3_uint8_image": dict(shape=(480, 640, 3), dtype_name="uint8", device=0, version=3,
                           requires_grad=False, storage_offset=1024),
    "legacy_float64_4d": dict(shape=(2, 3, 4, 5), dtype_name="float64", device=3, version=None,
                              storage_cls=_TypedStorage, ref_name=b"/torch_77_1_3"),
    "v2_bool_large_storage": dict(shape=(70000,), dtype_name="bool", device=0, version=2,
                                  storage_size=3_000_000_000, tensor_offset=5),
    "v2_complex128_scalar_dims": dict(shape=(1, 1, 1, 1, 1, 1, 1, 1), dtype_name="complex128",
                                      device=7, version=2, requires_grad=True),
    "v2_float16_long_ints": dict(shape=(65536, 65536), dtype_name="float16", device=0,
                                 version=2, ref_offset=70000),
}

HOSTILE = {}


def add_hostile(name, obj):
    HOSTILE[name] = pickle.dumps(obj, protocol=4)


class _Reduce:
    """Pickles as REDUCE(callable, args) of an arbitrary global."""

    def __init__(self, fn, args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return (self.fn, self.args)


def write_fixture(name: str, data: bytes, manifest: list[str], expect: dict | None):
    (OUT / f"{name}.bin").write_bytes(data)
    with open(OUT / f"{name}.dis.txt", "w") as out:
        try:
            pickletools.dis(data, out=out)
        except Exception as exc:  # hostile streams may not disassemble; say so
            out.write(f"(pickletools could not disassemble: {exc})\n")
    if expect is not None:
        for key, value in expect.items():
            manifest.append(f"{name}.{key}={value}")


def csv(values) -> str:
    return ",".join(str(v) for v in values)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in OUT.glob("*"):
        stale.unlink()
    manifest = ["# Expected parse results, written by make_torch_ipc_fixtures.py."]
    valid_payloads = {}
    for seed, (name, spec) in enumerate(sorted(VALID.items()), start=1):
        spec = dict(spec)
        version = spec.pop("version")
        handle = storage_handle(version, seed)
        args = rebuild_args(handle=handle, **spec)
        data = pickle.dumps((rebuild_cuda_tensor, args), protocol=4)
        valid_payloads[name] = data
        itemsize = DTYPES[args[5].name]
        write_fixture(name, data, manifest, {
            "shape": csv(args[1]),
            "stride": csv(args[2]),
            "tensorOffset": args[3],
            "storageClass": "torch.storage." + args[4].__name__,
            "dtype": args[5].name,
            "itemSize": itemsize,
            "device": args[6],
            "handleVersion": 0 if version is None else version,
            "ipcHandle": ipc_bytes(seed).hex(),
            "storageSizeBytes": args[8],
            "storageOffsetBytes": args[9],
            "requiresGrad": str(args[10]).lower(),
            "refCounterHandle": args[11].decode(),
            "refCounterOffset": args[12],
            "eventHandle": args[13].hex(),
            "eventSyncRequired": str(args[14]).lower(),
        })

    # Hostile or wrong payloads made by CPython's pickler (the byte-level ones, such as
    # truncations and forged lengths, are built in the Java tests from the valid fixtures).
    import builtins

    add_hostile("hostile_os_system", _Reduce(os.system, ("echo pwned",)))
    add_hostile("hostile_builtins_eval", _Reduce(builtins.eval, ("1+1",)))
    add_hostile("hostile_eval_in_args",
                (rebuild_cuda_tensor, rebuild_args(shape=(2,), dtype_name="float32", device=0,
                                                  handle=storage_handle(2, 1))[:5]
                 + (_Reduce(builtins.eval, ("1",)),)
                 + rebuild_args(shape=(2,), dtype_name="float32", device=0,
                                handle=storage_handle(2, 1))[6:]))
    add_hostile("wrong_arity_14", (rebuild_cuda_tensor,
                                   rebuild_args(shape=(2, 3), dtype_name="float32", device=0,
                                                handle=storage_handle(2, 1))[:14]))
    add_hostile("wrong_fn_tensor_global", (Tensor, rebuild_args(
        shape=(2, 3), dtype_name="float32", device=0, handle=storage_handle(2, 1))))
    add_hostile("expandable_segment", (rebuild_cuda_tensor, rebuild_args(
        shape=(2, 3), dtype_name="float32", device=0, handle=storage_handle(2, 1, b"e"))))
    add_hostile("handle_version_9", (rebuild_cuda_tensor, rebuild_args(
        shape=(2, 3), dtype_name="float32", device=0, handle=storage_handle(9, 1))))
    add_hostile("geometry_storage_too_small", (rebuild_cuda_tensor, rebuild_args(
        shape=(2, 3), dtype_name="float32", device=0, handle=storage_handle(2, 1),
        storage_size=20)))
    add_hostile("geometry_not_contiguous", (rebuild_cuda_tensor, rebuild_args(
        shape=(2, 3), dtype_name="float32", device=0, handle=storage_handle(2, 1),
        stride=(1, 2))))
    add_hostile("event_handle_short", (rebuild_cuda_tensor, rebuild_args(
        shape=(2, 3), dtype_name="float32", device=0, handle=storage_handle(2, 1),
        event_handle=b"\x00" * 8)))
    # A plain tuple where torch always writes torch.Size(...).
    plain = list(rebuild_args(shape=(2, 3), dtype_name="float32", device=0,
                              handle=storage_handle(2, 1)))
    plain[1] = (2, 3)
    add_hostile("size_not_torch_size", (rebuild_cuda_tensor, tuple(plain)))
    for name, data in sorted(HOSTILE.items()):
        write_fixture(name, data, manifest, None)
    (OUT / "expected.properties").write_text("\n".join(manifest) + "\n")

    cross_check_with_pyshmem(valid_payloads)
    print(f"wrote {len(valid_payloads)} valid and {len(HOSTILE)} hostile fixtures to {OUT}")


def cross_check_with_pyshmem(valid_payloads: dict) -> None:
    try:
        from pyshmem import _shared
    except Exception as exc:  # not fatal: the fixtures do not depend on it
        print(f"pyshmem not importable ({exc}); skipped the cross-check", file=sys.stderr)
        return
    for name, data in valid_payloads.items():
        fn, args = _shared._loads_cuda_handle(data)
        assert fn is rebuild_cuda_tensor and len(args) == 15, name
    for name in ("hostile_os_system", "hostile_builtins_eval", "hostile_eval_in_args"):
        try:
            _shared._loads_cuda_handle(HOSTILE[name])
        except pickle.UnpicklingError as exc:
            assert "disallowed global" in str(exc), (name, exc)
        else:
            raise AssertionError(f"pyshmem accepted {name}")
    print("pyshmem's _RestrictedCudaUnpickler agrees on every fixture it can judge")


if __name__ == "__main__":
    main()
