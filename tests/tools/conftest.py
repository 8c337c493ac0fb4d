import pathlib
import sys

# The action scripts are the `pystatic` package under tools/, imported as Bazel does.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))
