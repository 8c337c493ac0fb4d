"""Reads, lists, globs, walks, stats and copies its data directory through Python's file APIs.

Every path here is below the executable (`<exe>/filesapp/data/...`): in a py_static_binary they
are served from the embedded tree, read-only, with nothing extracted. `files` prints a JSON
report; `copy DEST` copies the data directory to disk; `write` tries to write next to the module.
"""

import copy
import glob
import inspect
import io
import json
import linecache
import os
import pathlib
import pickle
import shutil
import sqlite3
import subprocess
import sys
import zipfile

HERE = os.path.dirname(__file__)
DATA = os.path.join(HERE, "data")


def greeting_line():
    """A function whose source the report shows (inspect.getsource)."""
    return "greeting"


def report():
    with open(os.path.join(DATA, "greeting.txt"), encoding="utf-8") as f:
        first = f.readline().rstrip("\n")
        position = f.tell()
        rest = f.read()
    with io.open(os.path.join(DATA, "table.csv"), "rb") as f:
        f.seek(8)
        buffer = bytearray(4)
        f.readinto(buffer)
    with open(os.path.join(DATA, "table.csv"), newline="") as f:
        rows = [line.split(",") for line in f.read().splitlines()]
    data = pathlib.Path(__file__).parent / "data"
    stat = os.stat(os.path.join(DATA, "greeting.txt"))
    walked = sorted((os.path.relpath(d, DATA), sorted(dirs), sorted(files)) for d, dirs, files in os.walk(DATA))
    return {
        "first_line": first,
        "tell_after_first_line": position,
        "rest": rest,
        "readinto": buffer.decode(),
        "rows": rows,
        "listdir": sorted(os.listdir(DATA)),
        "scandir": sorted((e.name, e.is_dir(), e.is_file()) for e in os.scandir(DATA)),
        "walk": walked,
        "glob": sorted(os.path.relpath(p, DATA) for p in glob.glob(os.path.join(DATA, "**", "*.html"), recursive=True)),
        "iglob": sorted(os.path.basename(p) for p in glob.iglob(os.path.join(DATA, "*.txt"))),
        "exists": [os.path.exists(DATA), os.path.isdir(DATA), os.path.isfile(os.path.join(DATA, "greeting.txt")),
                   os.path.exists(os.path.join(DATA, "missing.txt"))],
        "size": [stat.st_size, os.path.getsize(os.path.join(DATA, "greeting.txt"))],
        "mtime_is_number": isinstance(os.path.getmtime(DATA), float),
        "access_read": os.access(DATA + "/table.csv", os.R_OK),
        "access_write": os.access(DATA + "/table.csv", os.W_OK),
        "realpath_same": os.path.realpath(DATA) == os.path.normpath(DATA),
        "pathlib": {
            "exists": data.exists(), "is_dir": data.is_dir(), "is_file": (data / "table.csv").is_file(),
            "iterdir": sorted(p.name for p in data.iterdir()),
            "glob": sorted(p.name for p in data.glob("*.csv")),
            "rglob": sorted(p.relative_to(data).as_posix() for p in data.rglob("*.html")),
            "read_text": (data / "templates" / "page.html").read_text(),
            "read_bytes": len((data / "table.csv").read_bytes()),
            "stat_size": (data / "table.csv").stat().st_size,
        },
        "module_file_exists": os.path.isfile(__file__),
        "source_line": inspect.getsource(greeting_line).splitlines()[0],
        "linecache": linecache.getline(__file__, 1).rstrip("\n"),
        # The file functions still look and behave like the built-ins they are.
        "functions": {
            "repr": repr(open), "signature": str(inspect.signature(open)).split(",")[0], "doc": open.__doc__[:20],
            "pickle": pickle.loads(pickle.dumps(open)) is open and pickle.loads(pickle.dumps(os.stat)) is os.stat,
            "copy": copy.deepcopy(open) is open and copy.copy(os.listdir) is os.listdir,
            "io_open": io.open is open, "dir_fd": os.stat in os.supports_dir_fd,
        },
    }


def copy_data(destination):
    shutil.copytree(DATA, destination)
    shutil.copyfile(os.path.join(DATA, "greeting.txt"), os.path.join(destination, "copied.txt"))
    return sorted(os.path.relpath(os.path.join(d, f), destination) for d, _, fs in os.walk(destination) for f in fs)


def notes_db():
    """C code (SQLite) opens a database file next to the module: needs extract_packages = ["filesapp.db"]."""
    from filesapp import db

    connection = sqlite3.connect(f"file:{db.PATH}?mode=ro", uri=True)
    return {"db_file": db.PATH, "rows": connection.execute("select word from words order by word").fetchall()}


def spawn():
    """Files of the binary given to other processes (a script for /bin/sh, a program run directly):
    each runs from a copy on disk that the runtime writes once to the cache directory."""
    script = os.path.join(HERE, "scripts", "greet.sh")
    shell = subprocess.run(["/bin/sh", script, "shell"], capture_output=True, text=True, check=True).stdout
    program = subprocess.run([script, "program"], capture_output=True, text=True, check=True).stdout
    as_bytes = subprocess.run([b"/bin/sh", os.fsencode(script), b"bytes"], capture_output=True, check=True).stdout
    return {"script": script, "shell": shell.strip(), "program": program.strip(), "bytes": as_bytes.decode().strip()}


def as_zip(destination):
    """Zipapp-minded code (virtualenv) reads its files with zipfile from the executable, the file on
    sys.path: a ZipFile of the executable lists the embedded tree and reads from it."""
    with zipfile.ZipFile(sys.executable) as archive:
        names = archive.namelist()
        info = archive.getinfo("filesapp/data/table.csv")
        info.filename = "renamed.csv"  # as virtualenv's extract does
        archive.extract(info, destination)
        greeting = archive.read("filesapp/data/greeting.txt").decode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as other:
        other.writestr("x.txt", "other archives are zipfile's own")
    return {
        "greeting": greeting.splitlines()[0], "has_table": "filesapp/data/table.csv" in names,
        "has_source": "filesapp/main.py" in names, "extracted": open(os.path.join(destination, "renamed.csv")).read(),
        "other": zipfile.ZipFile(buffer).read("x.txt").decode(), "is_zipfile": zipfile.is_zipfile(sys.executable),
    }


def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "files"
    if command == "files":
        print(json.dumps(report(), indent=1, ensure_ascii=False))
    elif command == "copy":
        print(json.dumps(copy_data(sys.argv[2])))
    elif command == "write":
        with open(os.path.join(DATA, "new.txt"), "w") as f:
            f.write("x")
    elif command == "db":
        print(json.dumps(notes_db()))
    elif command == "spawn":
        print(json.dumps(spawn()))
    elif command == "zip":
        print(json.dumps(as_zip(sys.argv[2])))
    else:
        print(f"unknown command {command!r}: files, copy DEST, write, db, spawn, zip DEST", file=sys.stderr)
        return 2
    return 0
