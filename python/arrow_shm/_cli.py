"""``python -m arrow_shm``: a quick look at rings and streams without the JVM.

Exit status: 0 ok, 1 usage error, 2 missing or invalid ring/stream (one line on stderr).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from typing import List, Optional

from . import streams
from ._ring import Ring
from .errors import SharedMemoryError, StreamNotFoundError


def _age(ns: int) -> str:
    if ns <= 0:
        return "-"
    seconds = time.time() - ns / 1e9
    return f"{seconds:.2f} s ago" if seconds < 120 else f"{seconds / 60:.1f} min ago"


def _list(args: argparse.Namespace) -> int:
    rows = []
    for name in Ring.list():
        try:
            info = Ring.stat(name)
        except SharedMemoryError:
            continue
        rows.append({"kind": "ring", "name": name, "dtype": info.dtype, "shape": list(info.shape),
                     "capacity": info.capacity, "overflow": info.overflow, "write_position": info.write_position,
                     "cursors": len(info.cursors)})
    for name in streams.list_streams():
        try:
            stream = streams.info(name)
        except SharedMemoryError:
            continue
        rows.append({"kind": "stream", "name": name, "dtype": stream.dtype, "shape": list(stream.shape),
                     "count": stream.count})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    if not rows:
        print("no rings or streams found", file=sys.stderr)
        return 0
    print(f"{'KIND':6}  {'NAME':24}  {'DTYPE':10}  {'SHAPE':14}  DETAILS")
    for row in rows:
        shape = "x".join(map(str, row["shape"]))
        details = (f"capacity {row['capacity']}, {row['overflow']}, position {row['write_position']},"
                   f" {row['cursors']} cursor(s)" if row["kind"] == "ring" else f"count {row['count']}")
        print(f"{row['kind']:6}  {row['name']:24}  {row['dtype']:10}  {shape:14}  {details}")
    return 0


def _stat(args: argparse.Namespace) -> int:
    try:
        info = Ring.stat(args.name)
    except StreamNotFoundError:
        try:
            stream = streams.info(args.name)
        except StreamNotFoundError:
            raise StreamNotFoundError(f"no ring or stream named {args.name!r} on this host") from None
        if args.json:
            print(json.dumps(dataclasses.asdict(stream), ensure_ascii=False))
        else:
            for key, value in dataclasses.asdict(stream).items():
                print(f"{key + ':':16}{value}")
        return 0
    if args.json:
        print(json.dumps(dataclasses.asdict(info), ensure_ascii=False))
        return 0
    fields = dataclasses.asdict(info)
    cursors = fields.pop("cursors")
    fields["created"] = _age(info.created_ns)
    fields["writer"] = (f"pid {info.writer_pid} ({'alive' if info.writer_alive else 'gone'})"
                        if info.writer_pid else "none")
    for key in ("writer_pid", "writer_alive", "created_ns"):
        fields.pop(key)
    for key, value in fields.items():
        print(f"{key + ':':16}{value}")
    print(f"cursors:        {len(cursors)}")
    if cursors:
        print(f"  {'NAME':20}  {'POSITION':>10}  {'LAG':>8}  {'PID':>8}  STATE")
        for cursor in info.cursors:
            state = ["live" if cursor.live else f"detached {_age(cursor.detached_ns)}",
                     "blocking" if cursor.blocking else "non-blocking"]
            if cursor.untethered:
                state.append("untethered")
            print(f"  {cursor.name:20}  {cursor.position:>10}  {cursor.lag:>8}  {cursor.pid:>8}  {', '.join(state)}")
    return 0


def _unlink(args: argparse.Namespace) -> int:
    for name in args.names:
        removed = Ring.unlink(name)
        print(f"unlinked {name!r}" if removed else f"no ring {name!r}")
    return 0


def _purge(args: argparse.Namespace) -> int:
    removed = Ring.purge()
    for name in removed:
        print(f"purged {name!r}")
    print(f"removed {len(removed)} ring(s)")
    return 0


def _drop_cursor(args: argparse.Namespace) -> int:
    with Ring.open(args.ring) as ring:
        dropped = ring.drop_cursor(args.cursor)
    print(f"dropped cursor {args.cursor!r}" if dropped else f"ring {args.ring!r} has no cursor {args.cursor!r}")
    return 0 if dropped else 2


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m arrow_shm", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    listing = commands.add_parser("list", help="rings and classic streams on this host")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=_list)
    stat = commands.add_parser("stat", help="a ring's header, writer and cursors (or a stream's header)")
    stat.add_argument("name")
    stat.add_argument("--json", action="store_true")
    stat.set_defaults(run=_stat)
    unlink = commands.add_parser("unlink", help="remove rings by name")
    unlink.add_argument("names", nargs="+", metavar="NAME")
    unlink.set_defaults(run=_unlink)
    purge = commands.add_parser("purge", help="remove every ring on this host (not classic streams)")
    purge.set_defaults(run=_purge)
    drop = commands.add_parser("drop-cursor", help="remove a ring's named cursor (refused while a reader holds it)")
    drop.add_argument("ring")
    drop.add_argument("cursor")
    drop.set_defaults(run=_drop_cursor)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 1
    try:
        return int(args.run(args))
    except (SharedMemoryError, ValueError, TypeError) as exc:
        print(f"python -m arrow_shm {args.command}: {exc}", file=sys.stderr)
        return 2
