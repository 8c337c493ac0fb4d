import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The action scripts are the `pystatic` package under tools/, imported as Bazel does; the
# wheels repository script also imports the vendored packaging (and tomli before 3.11).
sys.path.insert(0, str(ROOT / "actions"))
sys.path.insert(1, str(ROOT / "distribution" / "actions"))
sys.path.insert(1, str(ROOT / "third_party" / "packaging"))
sys.path.insert(2, str(ROOT / "third_party" / "tomli"))
sys.path.insert(3, str(ROOT / "tests"))  # starlark_tables
