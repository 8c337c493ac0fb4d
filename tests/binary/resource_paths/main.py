"""importlib.resources.files() used as a Path, as packages do (pyfiglet: `path.exists()`): the
members pathlib.Path and zipfile.Path both have beyond the Traversable ABC."""

import importlib.resources
import json

fonts = importlib.resources.files("respkg") / "fonts"
font = fonts / "slant.flf"
archive = fonts / "big.tar.gz"
print(json.dumps({
    "exists": [font.exists(), fonts.exists(), (fonts / "missing.flf").exists()],
    "suffix": [font.suffix, archive.suffix, fonts.suffix],
    "suffixes": [font.suffixes, archive.suffixes],
    "stem": [font.stem, archive.stem],
    "parent": [font.parent == fonts, str(font.parent.parent) == str(importlib.resources.files("respkg"))],
    "text": font.parent.joinpath("slant.flf").read_text(),
}))
