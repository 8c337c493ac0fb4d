"""Command-line entry point: `cli <command> ...`; see `cli --help`."""

import argparse
import ctypes
import decimal
import hashlib
import importlib.metadata
import importlib.resources
import json
import os
import ssl
import sys
import zlib

from pystatic_cli import __version__


def cmd_info(args):
    """Versions of the C libraries linked into this executable."""
    import sqlite3

    info = {
        "version": __version__,
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "openssl": ssl.OPENSSL_VERSION,
        "sqlite": sqlite3.sqlite_version,
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
        "decimal": str(decimal.Decimal(1) / decimal.Decimal(7)),
        "distribution": importlib.metadata.version("pystatic-cli"),
        "console_scripts": [e.name for e in importlib.metadata.entry_points(group="console_scripts")],
        "data_files": sorted(p.name for p in importlib.resources.files("pystatic_cli").joinpath("data").iterdir()),
        "motd": importlib.resources.files("pystatic_cli").joinpath("data/motd.txt").read_text().strip(),
    }
    print(json.dumps(info, indent=1))
    return 0


def cmd_notes(args):
    """Stores notes in SQLite (schema from package data) and prints them as JSON."""
    import sqlite3

    db = sqlite3.connect(":memory:")
    db.executescript(importlib.resources.files("pystatic_cli").joinpath("data/schema.sql").read_text())
    for body in args.text:
        db.execute("INSERT INTO notes (body, digest) VALUES (?, ?)", (body, hashlib.sha256(body.encode()).hexdigest()[:12]))
    rows = db.execute("SELECT id, body, digest FROM notes ORDER BY id").fetchall()
    print(json.dumps([{"id": i, "body": b, "sha256": d} for i, b, d in rows]))
    return 0


def cmd_compress(args):
    """zlib round trip of the given text; prints sizes and the CRC."""
    data = " ".join(args.text).encode() * 100
    packed = zlib.compress(data, 9)
    assert zlib.decompress(packed) == data
    print(json.dumps({"raw": len(data), "compressed": len(packed), "crc32": zlib.crc32(data)}))
    return 0


def cmd_ctypes(args):
    """Calls a Python callback through libffi, and sums with a C array."""
    doubler = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(lambda x: 2 * x)
    numbers = (ctypes.c_int * 4)(1, 2, 3, 4)
    print(json.dumps({"callback": doubler(21), "array_sum": sum(numbers), "sizeof_long": ctypes.sizeof(ctypes.c_long)}))
    return 0


def cmd_tls(args):
    """Sets up a TLS client context (certificates: SSL_CERT_FILE, none in an empty root)."""
    context = ssl.create_default_context()
    print(json.dumps({"protocol": context.protocol.name, "verify": context.verify_mode.name, "openssl": ssl.OPENSSL_VERSION}))
    return 0


def cmd_workers(args):
    """Hashes texts in a multiprocessing pool: children re-enter this executable."""
    import multiprocessing

    from pystatic_cli.workers import digest

    context = multiprocessing.get_context(args.start_method)
    with context.Pool(2) as pool:
        results = pool.map(digest, args.text)
    print(json.dumps({"start_method": args.start_method, "pid_differs": True, "digests": results}))
    return 0


def cmd_fail(args):
    """Raises an error (to see a traceback with source lines) or exits with a code."""
    if args.exit_code is not None:
        sys.exit(args.exit_code)
    raise RuntimeError("failing on purpose")


def cmd_wait(args):
    """Prints "ready" and sleeps (Ctrl-C ends it with exit code 130)."""
    import time

    print("ready", flush=True)
    time.sleep(args.seconds)
    return 0


def parser():
    p = argparse.ArgumentParser(prog=os.path.basename(sys.argv[0]), description=__doc__)
    p.add_argument("--version", action="version", version=__version__)
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("info", help=cmd_info.__doc__).set_defaults(run=cmd_info)
    for name, run in [("notes", cmd_notes), ("compress", cmd_compress)]:
        s = sub.add_parser(name, help=run.__doc__)
        s.add_argument("text", nargs="+")
        s.set_defaults(run=run)
    sub.add_parser("ctypes", help=cmd_ctypes.__doc__).set_defaults(run=cmd_ctypes)
    sub.add_parser("tls", help=cmd_tls.__doc__).set_defaults(run=cmd_tls)
    s = sub.add_parser("workers", help=cmd_workers.__doc__)
    s.add_argument("--start-method", choices=["fork", "spawn", "forkserver"], default="spawn")
    s.add_argument("text", nargs="+")
    s.set_defaults(run=cmd_workers)
    s = sub.add_parser("wait", help=cmd_wait.__doc__)
    s.add_argument("seconds", type=float)
    s.set_defaults(run=cmd_wait)
    s = sub.add_parser("fail", help=cmd_fail.__doc__)
    s.add_argument("--exit-code", type=int)
    s.set_defaults(run=cmd_fail)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    return args.run(args)
