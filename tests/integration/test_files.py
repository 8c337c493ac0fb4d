"""Files inside the binary (docs/import-protocol.md): code that reads its data as files next to its
modules runs unmodified, each binary alone in an empty read-only root; nothing is extracted except
what extract_packages names; writes below the executable fail with EROFS."""

import json
import os
import pathlib
import shutil
import stat
import subprocess

import pytest

MUSL = "--platforms=//platforms:linux_musl"
AARCH64 = "--platforms=//platforms:linux_musl_aarch64"
TARGETS = ["//examples/files:files", "//examples/files:l10n", "//examples/files:rst2html"]
DOCUMENT = "Static\n======\n\nA *document* with a `link <https://example.org/>`_.\n\n.. note:: Nothing extracted.\n"


@pytest.fixture(scope="module")
def built(bazel):
    result = bazel.run("build", *TARGETS, MUSL)
    binaries = {t.rpartition(":")[2]: bazel.output_file(t, MUSL) for t in TARGETS}
    return binaries, result.stderr


@pytest.fixture(scope="module")
def binaries(built):
    return built[0]


def alone(bwrap, binary, tmp_path, *args, stdin=None, tmpfs=None):
    """Runs `binary` as /app in a read-only root that holds nothing else (no /tmp, /proc, /dev);
    `tmpfs`: an empty directory to mount a writable tmpfs on."""
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    shutil.copy2(binary, root / "app")
    extra = []
    if tmpfs:
        (root / tmpfs).mkdir(exist_ok=True)
        extra = ["--tmpfs", f"/{tmpfs}", "--setenv", "TMPDIR", f"/{tmpfs}"]
    cmd = [bwrap, "--ro-bind", str(root), "/", "--unshare-all", "--die-with-parent", "--clearenv", *extra, "/app", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, input=stdin, timeout=120)
    assert sorted(os.listdir(root)) == sorted(["app", *([tmpfs] if tmpfs else [])])
    assert not tmpfs or os.listdir(root / tmpfs) == []
    return result


def test_reads_lists_globs_walks_stats_and_sources_its_data_in_an_empty_root(binaries, tmp_path, bwrap):
    result = alone(bwrap, binaries["files"], tmp_path, "files")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["first_line"] == "Hello from a data file next to the module."
    assert report["rest"] == "Second line: ünïcödé.\n" and report["tell_after_first_line"] == 43
    assert report["readinto"] == "beta" and report["rows"] == [["alpha", "1"], ["beta", "2"], ["gamma", "3"]]
    assert report["listdir"] == ["greeting.txt", "table.csv", "templates"]
    assert report["scandir"] == [["greeting.txt", False, True], ["table.csv", False, True], ["templates", True, False]]
    assert report["walk"] == [
        [".", ["templates"], ["greeting.txt", "table.csv"]],
        ["templates", ["partials"], ["page.html"]],
        ["templates/partials", [], ["footer.html"]],
    ]
    assert report["glob"] == ["templates/page.html", "templates/partials/footer.html"]
    assert report["iglob"] == ["greeting.txt"]
    assert report["exists"] == [True, True, True, False]
    size = len("Hello from a data file next to the module.\nSecond line: ünïcödé.\n".encode())
    assert report["size"] == [size, size] and report["mtime_is_number"]
    assert report["access_read"] and not report["access_write"] and report["realpath_same"]
    assert report["pathlib"] == {
        "exists": True, "is_dir": True, "is_file": True,
        "iterdir": ["greeting.txt", "table.csv", "templates"], "glob": ["table.csv"],
        "rglob": ["templates/page.html", "templates/partials/footer.html"],
        "read_text": "<h1>{title}</h1>\n", "read_bytes": 23, "stat_size": 23,
    }
    assert report["module_file_exists"] and report["source_line"] == "def greeting_line():"
    assert report["functions"] == {
        "repr": "<built-in function open>", "signature": "(file", "doc": "Open file and return",
        "pickle": True, "copy": True, "io_open": True, "dir_fd": True,
    }
    assert report["linecache"] == '"""Reads, lists, globs, walks, stats and copies its data directory through Python\'s file APIs.'


def test_copies_its_data_directory_to_disk(binaries, tmp_path):
    destination = tmp_path / "copy"
    result = subprocess.run([str(binaries["files"]), "copy", str(destination)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "copied.txt", "greeting.txt", "table.csv", "templates/page.html", "templates/partials/footer.html",
    ]
    source = pathlib.Path(__file__).resolve().parents[2] / "examples/files/filesapp/data"
    for name in ("greeting.txt", "templates/partials/footer.html"):
        assert (destination / name).read_bytes() == (source / name).read_bytes()
    assert (destination / "copied.txt").read_bytes() == (source / "greeting.txt").read_bytes()
    (destination / "templates" / "new.html").write_text("the copy is an ordinary, writable tree")


def test_writing_below_the_executable_is_a_read_only_file_system_error(binaries, tmp_path, bwrap):
    result = alone(bwrap, binaries["files"], tmp_path, "write")
    assert result.returncode == 1
    assert "OSError: [Errno 30] Read-only file system (embedded in the executable): '/app/filesapp/data/new.txt'" in result.stderr
    # As when the OS refuses: the traceback ends in the app's own frame, not in the view's.
    assert result.stderr.startswith("Traceback") and "_pystatic" not in result.stderr, result.stderr


def test_extract_packages_gives_c_code_real_files_once(binaries, tmp_path):
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path / "home")}
    first = subprocess.run([str(binaries["files"]), "db"], capture_output=True, text=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["rows"] == [["binary"], ["static"]]
    db_file = pathlib.Path(report["db_file"])
    (sha_dir,) = (cache / "rules_pystatic" / "extract").iterdir()
    assert db_file == sha_dir / "filesapp" / "db" / "words.sqlite3" and len(sha_dir.name) == 64
    assert sorted(p.name for p in db_file.parent.iterdir()) == ["__init__.py", "words.sqlite3"]
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o444 and stat.S_IMODE(db_file.parent.stat().st_mode) == 0o555
    assert sorted(p.name for p in sha_dir.iterdir()) == ["filesapp"]  # no staging left behind
    written = db_file.stat().st_mtime_ns
    second = subprocess.run([str(binaries["files"]), "db"], capture_output=True, text=True, env=env, timeout=60)
    assert second.returncode == 0 and json.loads(second.stdout) == report
    assert db_file.stat().st_mtime_ns == written  # written once


def test_a_file_of_the_binary_given_to_another_process_runs_from_a_copy_on_disk(binaries, tmp_path):
    """A script for /bin/sh and a program run directly (as virtualenv's interpreter probe, pyproject-hooks'
    _in_process.py or a package's bundled tool are): the child cannot open a path inside the executable
    (ENOTDIR), so the spawn gets a copy written once per blob; argv keeps the path's type."""
    cache = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache), "HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([str(binaries["files"]), "spawn"], capture_output=True, text=True, env=env, timeout=60)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    (sha_dir,) = (cache / "rules_pystatic" / "extract").iterdir()
    copy = sha_dir / "filesapp" / "scripts" / "greet.sh"
    assert sha_dir.name.endswith(".files") and copy.is_file() and stat.S_IMODE(copy.stat().st_mode) == 0o555
    assert report["script"] == str(binaries["files"]) + "/filesapp/scripts/greet.sh"  # the module sees its own path
    assert report == {**report, "shell": f"greet shell from {copy}", "program": f"greet program from {copy}",
                      "bytes": f"greet bytes from {copy}"}
    assert sorted(p.name for p in copy.parent.iterdir()) == ["greet.sh"]  # nothing partial left
    written = copy.stat().st_mtime_ns
    second = subprocess.run([str(binaries["files"]), "spawn"], capture_output=True, text=True, env=env, timeout=60)
    assert second.returncode == 0 and json.loads(second.stdout) == report and copy.stat().st_mtime_ns == written


def test_the_executable_reads_as_a_zip_archive_of_its_tree(binaries, tmp_path, bwrap):
    """virtualenv (so poetry, tox) takes the executable on sys.path for a zipapp and reads its files with
    zipfile: a ZipFile of the executable lists and reads the embedded tree; other archives are as they are."""
    result = alone(bwrap, binaries["files"], tmp_path, "zip", "/tmp/out", tmpfs="tmp")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "greeting": "Hello from a data file next to the module.", "has_table": True, "has_source": True,
        "extracted": "alpha,1\nbeta,2\ngamma,3\n", "other": "other archives are zipfile's own", "is_zipfile": False,
    }


def test_extract_packages_without_a_writable_directory_fails_clearly(binaries, tmp_path, bwrap):
    result = alone(bwrap, binaries["files"], tmp_path, "db")
    assert result.returncode == 1
    assert "cannot extract package 'filesapp.db' (extract_packages): nothing is writable" in result.stderr
    assert "Fix: set XDG_CACHE_HOME" in result.stderr
    # With a writable /tmp (and nothing else), the private temporary directory is used.
    result = alone(bwrap, binaries["files"], tmp_path, "db", tmpfs="tmp")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["db_file"].startswith("/tmp/rules_pystatic-")


def test_the_build_notes_which_packages_read_files_next_to_their_modules(bazel, binaries):
    # The notes are printed in the build log when PyStaticBlob runs, and kept in its report.
    bazel.run("build", "//examples/files:files", "//examples/files:rst2html", MUSL, "--output_groups=blob")
    notes = {}
    for name in ("files", "rst2html"):
        report = json.loads(binaries[name].with_name(f"{name}.blob.json").read_text())
        notes.update((note.split(":")[0], note) for note in report["file_access"])
    assert notes["filesapp"].endswith("served by the read-only file view"), notes
    assert "filesapp/main.py:" in notes["filesapp"] and notes["filesapp.db"].endswith("extracted at run time (extract_packages)")
    assert notes["docutils"].startswith("docutils: reads files next to its modules"), notes


def test_pytz_and_babel_read_their_data_by_path(binaries, tmp_path, bwrap):
    result = alone(bwrap, binaries["l10n"], tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["paris_summer"] == "2026-07-14T12:00:00+02:00" and report["paris_winter"] == "2026-12-01 12:00 CET+0100"
    assert report["zones"] > 500 and report["locales"] > 500
    assert report["fr_FR"] == "mardi 1 décembre 2026" and report["de_DE"] == "1. Dezember 2026"


def test_docutils_rst2html_uses_its_stylesheets_and_template(binaries, tmp_path, bwrap):
    result = alone(bwrap, binaries["rst2html"], tmp_path, stdin=DOCUMENT)
    assert result.returncode == 0, result.stderr
    html = result.stdout
    assert "<title>Static</title>" in html and "<em>document</em>" in html and 'class="admonition note"' in html
    # The writer's default stylesheet (docutils/writers/html4css1/html4css1.css), found by
    # os.path.exists in the writer's directory and embedded into the page; its template.txt too.
    assert ":Id: $Id: html4css1.css" in html and "placed in the public domain" in html, html[:2000]
    assert html.startswith('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html')


def test_aarch64_pytz_and_babel_under_qemu(bazel, qemu_aarch64, tmp_path):
    binary = bazel.build_file("//examples/files:l10n", AARCH64)
    result = subprocess.run([qemu_aarch64, str(binary)], capture_output=True, text=True, timeout=300, env={})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["fr_FR"] == "mardi 1 décembre 2026" and report["paris_winter"] == "2026-12-01 12:00 CET+0100"
