"""Licences as SPDX expressions (from a wheel's METADATA) and the licenses_denied policy of a binary."""

import re

from pystatic.binary import licence_texts


# Trove licence classifiers that name exactly one SPDX licence (ambiguous ones, e.g. "BSD License",
# are not mapped: the licence stays unknown unless License-Expression or License says more).
CLASSIFIERS = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "Apache Software License": "Apache-2.0",
    "BSD Zero Clause License (0BSD)": "0BSD",
    "The Unlicense (Unlicense)": "Unlicense",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "zlib/libpng License": "Zlib",
}


def spdx_expression(text):
    """The canonical SPDX expression of `text`, or None if it is not one (e.g. "BSD", "MIT License")."""
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    text = (text or "").strip()
    if not text or "\n" in text or len(text) > 200:
        return None
    try:
        return str(canonicalize_license_expression(text))
    except InvalidLicenseExpression:
        return None


def license_of_metadata(headers):
    """(SPDX expression or None, the raw text it came from) from METADATA headers (PEP 639 first)."""
    expression = headers.get("License-Expression")
    if expression:
        return spdx_expression(expression), expression.strip()
    raw = (headers.get("License") or "").strip()
    if raw and spdx_expression(raw):
        return spdx_expression(raw), raw
    classifiers = [c.rpartition(" :: ")[2] for c in headers.get_all("Classifier", []) if c.startswith("License ::")]
    mapped = sorted({CLASSIFIERS[c] for c in classifiers if c in CLASSIFIERS})
    if mapped and len(mapped) == len(set(classifiers)):
        # Several licence classifiers: the package is offered under each (the common reading).
        return " OR ".join(mapped) if len(mapped) > 1 else mapped[0], "; ".join(classifiers)
    return None, raw.splitlines()[0][:200] if raw else ", ".join(classifiers)


# Licence families a declared name may belong to, to check a licence text against what the package says.
_FAMILIES = {"bsd": "BSD-", "apache": "Apache-", "mit": "MIT", "isc": "ISC"}


def license_of_distribution(headers, texts=()):
    """(SPDX expression or None, the raw declaration, concluded) of an embedded distribution:
    license_of_metadata, else a `License:` that names one licence in words ("BSD 3-Clause
    License"), else the licence its texts (`License:` holding a whole text, the `.dist-info`
    licence files) agree on, if that fits the family the package declares ("BSD License" and a
    3-clause text: BSD-3-Clause). `concluded` is True for that last case (licence_texts.py)."""
    expression, raw = license_of_metadata(headers)
    if expression:
        return expression, raw, False
    declared = (headers.get("License") or "").strip()
    named = (licence_texts.name_of(declared) or CLASSIFIERS.get(declared)) if "\n" not in declared else None
    if named:
        return named, declared, False
    whole_text = [declared] if "\n" in declared or len(declared) > 200 else []
    found = licence_texts.concluded(whole_text + list(texts))
    family = [prefix for word, prefix in _FAMILIES.items() if not whole_text and re.search(rf"\b{word}\b", raw.lower())]
    if found and all(found.startswith(prefix) for prefix in family) and len(family) <= 1:
        return found, raw, True
    return None, raw, False


def _tokens(expression):
    return re.findall(r"\(|\)|[^\s()]+", expression)


def denied_in(expression, denied):
    """Licences of `denied` that `expression` cannot avoid (AND needs every operand, OR any one)."""
    denied = {d.lower() for d in denied}
    tokens = _tokens(expression)
    at = 0

    def parse_or():
        nonlocal at
        options = [parse_and()]
        while at < len(tokens) and tokens[at].upper() == "OR":
            at += 1
            options.append(parse_and())
        # An OR is denied only if every choice is.
        return set().union(*options) if all(options) else set()

    def parse_and():
        nonlocal at
        found = parse_atom()
        while at < len(tokens) and tokens[at].upper() == "AND":
            at += 1
            found = found | parse_atom()
        return found

    def parse_atom():
        nonlocal at
        if at < len(tokens) and tokens[at] == "(":
            at += 1
            found = parse_or()
            at += 1  # ")"
        else:
            name = tokens[at] if at < len(tokens) else ""
            at += 1
            found = {name} if name.lower() in denied or name.rstrip("+").lower() in denied else set()
        if at < len(tokens) and tokens[at].upper() == "WITH":
            at += 2  # the exception does not change the licence
        return found

    return sorted(parse_or())


def check_policy(target, components, denied):
    """(errors, warnings) as build log lines."""
    errors, warnings = [], []
    for c in components:
        if c.first_party:
            continue
        if c.license is None:
            warnings.append(
                f"warning: {target}: {c.name} {c.version} has no SPDX licence expression "
                f"(METADATA says {c.license_raw or 'nothing'!r}); the SBOM lists it as NOASSERTION and "
                "licenses_denied cannot judge it. Check its licence by hand (or ask upstream for a PEP 639 License-Expression).")
        elif denied and denied_in(c.license, denied):
            errors.append(
                f"error: {target}: {c.name} {c.version} is licensed {c.license}, and licenses_denied forbids "
                f"{', '.join(denied_in(c.license, denied))}.\n"
                "  Fix: drop the dependency that brings it (deps, or pystatic.wheels(exclude = [...])), replace it, "
                "or remove the licence from licenses_denied (the target's attribute and "
                "--@rules_pystatic//rules:licenses_denied) if this use is approved.")
    return errors, warnings
