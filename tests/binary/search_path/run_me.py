"""Run as `<binary> [flags] -m run_me ...` (tests/integration/test_binary.py): python3 -m's behaviour,
and the flags before -m applied as python3 applies them (runtime/_pystatic_python_flags.py)."""

import json
import sys

print(json.dumps({
    "name": __name__, "argv0": sys.argv[0][len(sys.executable):], "args": sys.argv[1:],
    "stdout": [type(sys.stdout.buffer).__name__, sys.stdout.write_through],
    "warnoptions": sys.warnoptions, "xoptions": sys._xoptions,
}))
if "--wait" in sys.argv[1:]:
    sys.stdin.read()  # the parent reads the line above while this process still runs
