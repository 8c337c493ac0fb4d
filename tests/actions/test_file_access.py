"""The build-time scan for files read next to `__file__` (actions/pystatic/binary/file_access.py)."""

from pystatic.binary import file_access


def _uses(source):
    return [(u.line, u.call, u.needs_file) for u in file_access.uses(source, "pkg/mod.py")]


def test_python_file_apis_on_paths_derived_from_file_are_found():
    source = (
        "import os, pathlib\n"
        "HERE = os.path.dirname(__file__)\n"
        "GRAMMAR = os.path.join(HERE, 'Grammar.txt')\n"
        "def load():\n"
        "    return open(GRAMMAR).read()\n"
        "names = os.listdir(os.path.join(os.path.dirname(__file__), 'data'))\n"
        "templates = pathlib.Path(__file__).parent / 'templates'\n"
        "text = templates.joinpath('a').read_text()\n"
    )
    assert _uses(source) == [(5, "open", False), (6, "os.listdir", False), (8, "read_text", False)]


def test_c_consumers_and_resource_filename_need_a_real_file():
    source = (
        "import ctypes, sqlite3, pkg_resources\n"
        "lib = ctypes.CDLL(__path__[0] + '/libx.so')\n"
        "db = sqlite3.connect(__file__.replace('mod.py', 'x.db'))\n"
        "ca = pkg_resources.resource_filename(__name__, 'ca.pem')\n"
    )
    assert _uses(source) == [(2, "ctypes.CDLL", True), (3, "sqlite3.connect", True), (4, "pkg_resources.resource_filename", True)]


def test_a_path_spawned_as_a_whole_argument_is_served_a_shell_string_is_not():
    """The runtime gives another process a copy of a file of the tree in its argv; a shell command
    string that holds the path goes to /bin/sh as it is."""
    source = (
        "import os, subprocess, sys\n"
        "SCRIPT = os.path.join(os.path.dirname(__file__), 'probe.py')\n"
        "subprocess.run([sys.executable, SCRIPT])\n"
        "os.system('sh ' + SCRIPT)\n"
    )
    assert _uses(source) == [(3, "subprocess.run", False), (4, "os.system", True)]


def test_a_working_directory_of_the_tree_needs_a_real_directory():
    """The kernel cannot change into a directory of the tree (jupyterlab runs node with
    cwd=HERE; scripts chdir next to themselves)."""
    source = (
        "import os, subprocess\n"
        "HERE = os.path.dirname(os.path.abspath(__file__))\n"
        "subprocess.check_output(['node', 'yarn.js'], cwd=HERE)\n"
        "os.chdir(HERE)\n"
        "subprocess.run(['ls'], cwd='/tmp')\n"
    )
    assert _uses(source) == [(3, "subprocess.check_output(cwd=)", True), (4, "os.chdir", True)]


def test_attributes_and_spec_origin_carry_the_path():
    source = (
        "class Loader:\n"
        "    def __init__(self):\n"
        "        self.root = __spec__.origin.rpartition('/')[0]\n"
        "    def get(self, name):\n"
        "        return open(self.root + '/' + name, 'rb')\n"
    )
    assert _uses(source) == [(5, "open", False)]


def test_unrelated_code_and_unparsable_sources_have_no_uses():
    assert _uses("import os\nprint(os.listdir('/etc'))\nname = __name__\n") == []
    assert _uses("def broken(:\n") == []


def test_one_note_per_package_saying_what_covers_it():
    modules = {
        "reader": ("reader/__init__.py", "open(__file__ + '.txt')\n"),
        "reader.util": ("reader/util.py", "import os\nos.stat(__file__)\n"),
        "native": ("native/__init__.py", "import ctypes\nctypes.CDLL(__file__ + '.so')\n"),
        "db": ("db/__init__.py", "import sqlite3\nsqlite3.connect(__file__ + '.db')\n"),
        "clean": ("clean.py", "print('hi')\n"),
        "app": ("app/__init__.py", "open(__file__)\n"),
        "app.store": ("app/store.py", "import sqlite3\nsqlite3.connect(__file__ + '.db')\n"),
        "main": ("main.py", "import os\nos.chdir(os.path.dirname(__file__))\n"),
    }
    notes = file_access.notes(modules, extract_packages=["db", "app.store", "quiet"])
    assert notes == [
        "app: reads files next to its modules (app/__init__.py:1 open): served by the read-only file view",
        "app.store: uses paths next to its modules (app/store.py:2 sqlite3.connect); extracted at run time (extract_packages)",
        "db: uses paths next to its modules (db/__init__.py:2 sqlite3.connect); extracted at run time (extract_packages)",
        "main: passes a path next to it to C code or the kernel (main.py:2 os.chdir): below the executable that is "
        "not a real file or directory, and a top-level module is not extracted. Fix: move it into a package and set "
        "extract_packages, or give such code a path on disk (a working directory of its own, files read with open)",
        "native: passes a path next to its modules to C code or the kernel (native/__init__.py:2 ctypes.CDLL): the read-only file "
        'view cannot serve it. Fix: extract_packages = ["native"]',
        "quiet: extracted at run time (extract_packages)",
        "reader: reads files next to its modules (reader/__init__.py:1 open, reader/util.py:2 os.stat): served by the "
        "read-only file view",
    ]
