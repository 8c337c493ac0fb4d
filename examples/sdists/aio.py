"""yarl, multidict and propcache with their C extensions built from their sdists (docs/extensions.md).

Prints one JSON object: which of their modules are built-ins, and that the classes the packages hand
out are the compiled ones (each package falls back to pure Python silently when its extension is
missing, so the check is on the types, not on the imports).
"""

import json
import platform
import sys

import multidict
import propcache.api
import yarl
import yarl._quoting


def main():
    url = yarl.URL("https://example.org/päth?q=1&q=2")
    query = url.query
    report = {
        "machine": platform.machine(),
        "builtins": sorted(m for m in sys.builtin_module_names if m.startswith(("multidict", "propcache", "yarl"))),
        "quoter": yarl._quoting._Quoter.__module__,
        "multidict": type(query).__module__ + "." + type(query).__name__,
        "propcache": propcache.api.under_cached_property.__module__,
        "url": str(url),
        "q": query.getall("q"),
    }
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    main()
