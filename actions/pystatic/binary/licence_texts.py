"""Which licence a package's licence text is, when its METADATA names none that SPDX knows.

Many wheels say only "BSD License" (Jinja2, tinycss2, webencodings: which BSD?), a name such as
"BSD 3-Clause License" (the Jupyter packages), or put the whole text into `License:` (scipy,
kiwisolver). Their `.dist-info` licence files settle it. A text is recognised by the sentences
that make each licence what it is (the grant, the conditions), not by its copyright lines, and only
when it is one licence: a file that holds several (scipy's LICENSE.txt appends the licences of the
libraries its wheel bundles) or files that disagree give no answer, and the licence stays unknown.
The result is a *concluded* licence (SPDX `licenseConcluded`), not the package's declared one.
"""

import re

# Names of one licence as projects write them in `License:` (lower case, single spaces).
NAMES = {
    "bsd 3-clause license": "BSD-3-Clause",
    "bsd-3-clause license": "BSD-3-Clause",
    "3-clause bsd license": "BSD-3-Clause",
    "new bsd license": "BSD-3-Clause",
    "modified bsd license": "BSD-3-Clause",
    "revised bsd license": "BSD-3-Clause",
    "bsd 2-clause license": "BSD-2-Clause",
    "simplified bsd license": "BSD-2-Clause",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache 2.0 license": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "mit license": "MIT",
    "the mit license": "MIT",
    "mit license (mit)": "MIT",
}

_BSD_SOURCE = "redistributions of source code must retain the above copyright notice"
_BSD_BINARY = "redistributions in binary form must reproduce the above copyright notice"
# The third clause, in the 3-clause text ("neither the name of ... nor the names of its
# contributors may be used to endorse or promote products ...").
_BSD_ENDORSE = re.compile(r"neither the name of .{1,200}? may be used to endorse or promote products")
_BSD_ADVERTISING = "all advertising materials mentioning features or use of this software"
_MIT_GRANT = ("permission is hereby granted, free of charge, to any person obtaining a copy of this software "
              "and associated documentation files")
_MIT_CONDITION = "the above copyright notice and this permission notice shall be included in all copies"
_ISC_GRANT = "permission to use, copy, modify, and/or distribute this software for any purpose with or without fee"
_APACHE_2 = re.compile(r"apache license,? version 2\.0")
_APACHE_2_TERMS = "terms and conditions for use, reproduction, and distribution"


def is_licence_text(path):
    """Whether a `.dist-info` file (`LICENSE`, `licenses/COPYING.txt`) holds a licence text; NOTICE and
    AUTHORS files are licence files too, but hold no licence to recognise."""
    return path.rpartition("/")[2].upper().startswith(("LICENSE", "LICENCE", "COPYING"))


def _normal(text):
    text = re.sub(r"[*#>\"'`]", " ", text.lower())
    return re.sub(r"\s+", " ", text).strip()


def name_of(text):
    """The SPDX id of a licence name written in `License:` ("BSD 3-Clause License"), or None."""
    return NAMES.get(_normal(text or "").rstrip("."))


def identify(text):
    """The SPDX id of one licence's full text, or None when it is none of these, or several."""
    text = _normal(text or "")
    found = []
    bsd = text.count(_BSD_SOURCE)
    if bsd == 1 and _BSD_BINARY in text and _BSD_ADVERTISING not in text:
        found.append("BSD-3-Clause" if _BSD_ENDORSE.search(text) else "BSD-2-Clause")
    elif bsd > 1:
        return None
    mit = text.count(_MIT_GRANT)
    if mit == 1 and _MIT_CONDITION in text:
        found.append("MIT")
    elif mit > 1:
        return None
    if text.count(_ISC_GRANT) == 1:
        found.append("ISC")
    if _APACHE_2.search(text) and _APACHE_2_TERMS in text:
        found.append("Apache-2.0")
    return found[0] if len(found) == 1 else None


def concluded(texts):
    """The SPDX id all of `texts` (licence file contents) agree on, or None."""
    ids = {identify(text) for text in texts}
    return ids.pop() if len(ids) == 1 else None
