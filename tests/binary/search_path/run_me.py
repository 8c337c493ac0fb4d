"""Run as `<binary> -m run_me ...` (tests/integration/test_binary.py): python3 -m's behaviour."""

import json
import sys

print(json.dumps({"name": __name__, "argv0": sys.argv[0][len(sys.executable):], "args": sys.argv[1:]}))
