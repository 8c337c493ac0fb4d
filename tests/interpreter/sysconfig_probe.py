"""Prints what sysconfig, packaging.tags and sys.path say inside a py_static_binary, as JSON."""

import json
import sys
import sysconfig

from packaging import tags


def main():
    names = ["EXT_SUFFIX", "SOABI", "Py_GIL_DISABLED", "MULTIARCH", "prefix", "exec_prefix", "LIBDIR", "INCLUDEPY",
             "BINDIR", "py_version_nodot", "Py_ENABLE_SHARED", "HOST_GNU_TYPE"]
    print(json.dumps({
        "config_vars": {name: sysconfig.get_config_var(name) for name in names},
        "all_config_vars": len(sysconfig.get_config_vars()),
        "platform": sysconfig.get_platform(),
        "paths": sysconfig.get_paths(),
        "default_scheme": sysconfig.get_default_scheme(),
        "sys_tags": [str(tag) for tag in tags.sys_tags()],
        "interpreter_name": tags.interpreter_name(),
        "interpreter_version": tags.interpreter_version(),
        "path": sys.path,
        "prefix": [sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix],
        "executable": sys.executable,
    }))


if __name__ == "__main__":
    main()
