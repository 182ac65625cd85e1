# Reads a Java (arrow-shm) GPU stream's payload in torch through arrow-shm's _gpu record (272 bytes).
import ctypes, hashlib, struct, sys, torch
name = sys.argv[1]; base = "ps_" + hashlib.sha1(name.encode()).hexdigest()[:14]
rec = open(f"/dev/shm/{base}_gpu", "rb").read()
assert rec[:8] == b"ASHMGPU\0", "not an arrow-shm GPU record"
dtype_code, device = struct.unpack_from("<Hi", rec, 10); offset, size = struct.unpack_from("<qq", rec, 24)
ndim = struct.unpack_from("<H", rec, 48)[0]; shape = struct.unpack_from(f"<{ndim}q", rec, 56)
assert dtype_code == 9, "this snippet reads float32 streams"
torch.zeros(1, device=f"cuda:{device}")  # makes the device's primary context current
class Handle(ctypes.Structure): _fields_ = [("reserved", ctypes.c_ubyte * 64)]
ptr, cuda = ctypes.c_uint64(), ctypes.CDLL("libcuda.so.1")
rc = cuda.cuIpcOpenMemHandle_v2(ctypes.byref(ptr), Handle.from_buffer_copy(rec, 208), ctypes.c_uint(1))
assert rc == 0, f"cuIpcOpenMemHandle failed: {rc}"
View = type("View", (), {"__cuda_array_interface__": {"shape": shape, "typestr": "<f4", "data": (ptr.value + offset, False), "version": 2}})
t = torch.as_tensor(View(), device=f"cuda:{device}")  # zero-copy; hold the lock or copy under the seqlock for consistency
print("torch", tuple(t.shape), float(t.sum()), flush=True)
