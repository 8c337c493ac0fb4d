"""//tests/wheels:beside_wrong_hash: a package of a lock whose other package is broken."""

import importlib.metadata

import mdurl

print(f"mdurl {importlib.metadata.version('mdurl')}: {mdurl.format(mdurl.parse('https://example.com/a'))}")
