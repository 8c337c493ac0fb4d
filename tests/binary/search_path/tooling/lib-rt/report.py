# A script of the binary's tree that a program runs with its interpreter, `[sys.executable, <path>]`
# (pip's __pip-runner__.py): tests/integration/test_binary.py.
import json
import sys

print(json.dumps({"name": __name__, "file": __file__[len(sys.executable):], "argv": [sys.argv[0][len(sys.executable):], *sys.argv[1:]],
                  "path0": sys.path[0][len(sys.executable):]}))
