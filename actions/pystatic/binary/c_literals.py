"""C source literals for the generated C files (gen_glue.py, pack_exe.py)."""

import json


def c_string(text):
    """A C string literal; json's escapes (\\", \\\\, \\n, \\uXXXX for control characters) are valid C."""
    return json.dumps(text, ensure_ascii=True).replace("\\u00", "\\x")
