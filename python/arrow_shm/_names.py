"""Names: rules, hashes and the files a ring or a stream lives in (ring format §1)."""
from __future__ import annotations

import hashlib

SHM_DIR = "/dev/shm"
#: Prefix of a ring's segment in /dev/shm, then the name's h14.
RING_PREFIX = "arrowshm_ring_"
#: Prefix of pyshmem's (and arrow-shm's classic) stream segments.
STREAM_PREFIX = "ps_"
MAX_NAME_BYTES = 256
MAX_CURSOR_NAME_BYTES = 64


def encoded(name: object, what: str = "name", limit: int = MAX_NAME_BYTES) -> bytes:
    """UTF-8 bytes of a valid name: a str, not blank after ``strip()``, 1..limit bytes.

    Raises ValueError (TypeError for a non-str) naming what was wrong.
    """
    if not isinstance(name, str):
        raise TypeError(f"{what} must be a str, got {type(name).__name__}")
    if not name.strip():
        raise ValueError(f"{what} must be a non-empty string, not blank: {name!r}")
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} {name!r} is not valid Unicode text (it cannot be UTF-8 encoded): {exc}") from exc
    if len(raw) > limit:
        raise ValueError(f"{what} is too long: {len(raw)} UTF-8 bytes, at most {limit}")
    return raw


def cursor_name_bytes(name: object) -> bytes:
    """UTF-8 bytes of a valid cursor name: the ring-name rule, at most 64 bytes, no NUL (§2.3)."""
    raw = encoded(name, "cursor name", MAX_CURSOR_NAME_BYTES)
    if b"\0" in raw:
        raise ValueError(f"cursor name {name!r} contains a NUL character")
    return raw


def h14(raw: bytes) -> str:
    """The first 14 lowercase hex digits of SHA-1 over a name's UTF-8 bytes (§1.1)."""
    return hashlib.sha1(raw).hexdigest()[:14]


def is_h14(text: str) -> bool:
    return len(text) == 14 and all(c in "0123456789abcdef" for c in text)


def ring_file(digest: str) -> str:
    """The file name (in /dev/shm) of the ring whose name hashes to ``digest``."""
    return RING_PREFIX + digest


def ring_path(digest: str) -> str:
    return f"{SHM_DIR}/{ring_file(digest)}"


def stream_meta_path(digest: str) -> str:
    """pyshmem's metadata segment of the stream whose name hashes to ``digest``."""
    return f"{SHM_DIR}/{STREAM_PREFIX}{digest}_meta"


def stream_data_path(digest: str) -> str:
    return f"{SHM_DIR}/{STREAM_PREFIX}{digest}"


def stream_lock_file(digest: str) -> str:
    """pyshmem's stream lock of the name, in the lock directory (§1.3, §9.1)."""
    return f"{STREAM_PREFIX}{digest}.lock"


def generation_lock_prefix(digest: str, instance_id: bytes) -> str:
    """``arrowshm_ring_<h14>-<iid>``: what every lock file of one generation starts with (§1.3)."""
    return f"{RING_PREFIX}{digest}-{instance_id.hex()}"


def writer_lock_file(digest: str, instance_id: bytes) -> str:
    return generation_lock_prefix(digest, instance_id) + ".writer.lock"


def table_lock_file(digest: str, instance_id: bytes) -> str:
    return generation_lock_prefix(digest, instance_id) + ".table.lock"


def cursor_lock_file(digest: str, instance_id: bytes, entry: int) -> str:
    return generation_lock_prefix(digest, instance_id) + f".cursor-{entry}.lock"
