"""A wheel resolved for the free-threaded build: markupsafe from its cp313t wheel."""

import json
import sys

import markupsafe
from importlib.metadata import distribution


def main():
    dist = distribution("markupsafe")
    wheel = (dist.read_text("WHEEL") or "").split("Tag: ")[-1].strip()
    print(json.dumps({
        "gil_enabled": sys._is_gil_enabled(),
        "escaped": str(markupsafe.escape("<b>&</b>")),
        "version": dist.version,
        "wheel_tag": wheel,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
