"""Software bill of materials of a binary (`<name>.spdx.json`, `<name>.cdx.json`) and its licence policy.

Three modes, one script:
  --extract_cpython ARCHIVE --output F   PyStaticCPythonSbom: CPython's own Misc/sbom.spdx.json and the
                                         source archive's sha256, read from the pinned source archive
  --policy_stamp F                       PyStaticLicensePolicy (validation): fails the build if anything
                                         embedded is under a licence of --licenses_denied; warns about
                                         licences that are not SPDX expressions
  --spdx F --cdx F                       PyStaticSbom: SPDX 2.3 and CycloneDX 1.6 JSON describing the linked
                                         executable (its sha256) and what is linked or embedded in it

What is inside: CPython (and the bundled libraries its Misc/sbom.spdx.json lists, where the module that
uses them is built in or the stdlib package is in the blob), each C library of the distribution
(descriptor: version, licence, pinned source sha256; sources.json: download location), musl (from zig),
the native libraries (sources.json `native`) and zig's C++ runtime that packages built from their sdists link,
every `.dist-info` of the resource blob (wheels with the lock's sha256 from `pystatic_lock.json`,
first-party distributions), and zig as the build tool. The output depends only on the inputs: the
creation time is fixed (CREATED), identifiers derive from the executable's sha256.
"""

import argparse
import hashlib
import json
import lzma
import pathlib
import re
import sys
import tarfile
import urllib.parse
import uuid
from dataclasses import dataclass, field
from email.parser import HeaderParser

from pystatic.common import descriptor as distribution_descriptor
from pystatic.common.action_args import expand_param_files
from pystatic.distribution.cpython_sbom import SbomError, extract_cpython_sbom
from pystatic.format.blob import METADATA, MODULE, BlobError, read_blob

# Fixed: byte-reproducible output (the same instant the CPython build stamps as its build date).
CREATED = "2000-01-01T00:00:00Z"
TOOL = "rules_pystatic"
LOCK_FILE = "pystatic_lock.json"  # written into each wheel's .dist-info by pystatic.wheels
NAMESPACE = uuid.UUID("6f1c8d2e-4b1a-5e3c-9d7f-2a6b0c4e8f10")  # uuid5 namespace of our documents

# Bundled code CPython's Misc/sbom.spdx.json lists (its licenseConcluded is NOASSERTION): the licence
# (Doc/license.rst) and when it is really in a binary: a built-in module that compiles it, or a stdlib
# package present in the blob.
CPYTHON_BUNDLED = {
    "expat": ("MIT", {"builtin": ["pyexpat"]}),
    "hacl-star": ("MIT", {"builtin": ["_md5", "_sha1", "_sha2", "_sha3"]}),
    "libb2": ("CC0-1.0 OR OpenSSL OR Apache-2.0", {"builtin": ["_blake2"]}),
    "mpdecimal": ("BSD-2-Clause", {"builtin": ["_decimal"]}),
    "macholib": ("MIT", {"module": ["ctypes.macholib"]}),
}

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


# What pulls each C library of the distribution into a binary: built-in modules that use it, or
# the runtime itself ("runtime": the binary's resources are zstd-compressed, compress = True). The
# linker takes an archive's objects only when something references them; libraries not named here
# are listed whenever the distribution has them.
DEP_USERS = {
    "zlib": ["zlib", "binascii"],
    "bzip2": ["_bz2"],
    "xz": ["_lzma"],
    "openssl": ["_ssl", "_hashlib"],
    "libffi": ["_ctypes"],
    "sqlite3": ["_sqlite3"],
    "libuuid": ["_uuid"],
    "zstd": ["_zstd", "runtime"],
}
# Code bundled with CPython, as the descriptor's licence list names it: the built-ins compiling it.
BUNDLED_USERS = {
    "expat": ["pyexpat"],
    "libmpdec": ["_decimal"],
    "HACL*": ["_md5", "_sha1", "_sha2", "_sha3"],
}
# Why the runtime links a library whatever the binary imports (--runtime_lib adds the optional ones).
RUNTIME_USES = {
    "zlib": "the blob's checksums (runtime/blob.c calls zlib's crc32)",
    "zstd": "compressed resources",
}
RUNTIME_ALWAYS = ("zlib",)


def linked_builtins(descriptor, report_path=None):
    """The built-in modules in the binary's inittab: the distribution's, without those the pack
    step's report (`<name>.blob.json`, stdlib = "imported") leaves out; the linker drops the rest."""
    builtins = set(descriptor.builtin_modules)
    if report_path:
        report = json.loads(pathlib.Path(report_path).read_text(encoding="utf-8"))
        builtins -= set(report.get("builtins_left_out", []))
    return builtins


def is_linked(component, builtins, runtime_libs=()):
    """Whether a licence entry of the descriptor (its component name) is linked into a binary whose
    inittab holds `builtins` and whose runtime links `runtime_libs` (plus RUNTIME_ALWAYS)."""
    if component in RUNTIME_ALWAYS or component in runtime_libs:
        return True
    users = DEP_USERS.get(component, BUNDLED_USERS.get(component))
    return users is None or bool(set(users) & set(builtins))


# --- licences ------------------------------------------------------------------------------


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


# --- what is inside ------------------------------------------------------------------------


@dataclass
class Component:
    ref: str  # unique, [A-Za-z0-9.-]: SPDXID suffix and CycloneDX bom-ref
    name: str
    version: str
    license: str = None  # SPDX expression, or None (unknown)
    license_raw: str = ""
    kind: str = "library"  # CycloneDX type
    purpose: str = "LIBRARY"  # SPDX primaryPackagePurpose
    purl: str = ""
    cpe: str = ""
    sha256: str = ""  # the file it came from: source archive or wheel
    download: str = ""  # download location; "" = NOASSERTION
    file_name: str = ""
    supplier: str = ""
    description: str = ""
    parent: str = "binary"  # ref of the component that CONTAINS it
    depends_on: list = field(default_factory=list)
    dist_info: str = ""  # embedded distributions: the .dist-info directory in the blob
    sdist: dict = None  # wheels fetched with sdists = [...]: {"file", "sha256"} from pystatic_lock.json
    first_party: bool = False  # the application's own C code: no licence to check


def _ref(text):
    return re.sub(r"[^A-Za-z0-9.-]+", "-", text).strip("-")


def _generic_purl(name, version, sha256="", url=""):
    qualifiers = []
    if sha256:
        qualifiers.append(f"checksum=sha256:{sha256}")
    if url:
        qualifiers.append("download_url=" + urllib.parse.quote(url, safe="/"))
    return f"pkg:generic/{name}@{version}" + ("?" + "&".join(qualifiers) if qualifiers else "")


def _pypi_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def archive_urls(sources):
    """{sha256: first url} of every archive pinned in sources.json ("" for repacks without urls)."""
    urls = {}
    for group in ("cpython", "deps"):
        for entry in sources.get(group, {}).values():
            for archive in entry["archives"]:
                urls[archive["sha256"]] = (archive.get("urls") or [""])[0]
    return urls


def cpython_components(descriptor, cpython_sbom, urls, blob_modules, builtins):
    """CPython, then the bundled libraries of its Misc/sbom.spdx.json that are in this binary
    (`builtins`: the binary's inittab, linked_builtins)."""
    version = descriptor.python_version
    sha = cpython_sbom["source_sha256"]
    url = urls.get(sha, "")
    cpython = Component(
        ref="cpython", name="cpython", version=version, license="PSF-2.0", license_raw="PSF-2.0",
        kind="framework", purpose="FRAMEWORK", purl=_generic_purl("cpython", version, sha, url),
        cpe=f"cpe:2.3:a:python:python:{version}:*:*:*:*:*:*:*", sha256=sha, download=url,
        file_name=cpython_sbom["source_file"], supplier="Organization: Python Software Foundation",
        description=f"CPython {version} built from source as static objects for {descriptor.target_triple}",
    )
    components = [cpython]
    for package in cpython_sbom["sbom"].get("packages", []):
        name = package["name"]
        license_name, used_when = CPYTHON_BUNDLED.get(name, (None, None))
        if used_when is not None:
            present = any(m in builtins for m in used_when.get("builtin", [])) or any(
                m in blob_modules for m in used_when.get("module", []))
            if not present:
                continue
        refs = {r["referenceType"]: r["referenceLocator"] for r in package.get("externalRefs", [])}
        checksums = {c["algorithm"]: c["checksumValue"] for c in package.get("checksums", [])}
        purl = refs.get("purl") or _generic_purl(name, package.get("versionInfo", ""))
        components.append(Component(
            ref=_ref("cpython-bundled-" + name), name=name, version=package.get("versionInfo", ""),
            license=license_name, license_raw=license_name or "", purl=purl, cpe=refs.get("cpe23Type", ""),
            sha256=checksums.get("SHA256", ""),
            download="" if package.get("downloadLocation", "NOASSERTION") in ("NOASSERTION", "NONE") else package["downloadLocation"],
            supplier=package.get("originator", "") if package.get("originator", "").startswith(("Organization:", "Person:")) else "",
            description=f"bundled with CPython {version} (its Misc/sbom.spdx.json)"
            + ("" if used_when else "; not mapped to a module by rules_pystatic, listed because it is in the source"),
            parent="cpython",
        ))
    return components


def distribution_components(descriptor, urls, builtins, runtime_libs=()):
    """The C libraries of the distribution that are linked (descriptor licence entries with a
    pinned source, used by a built-in module of `builtins` or, for runtime_libs, by the runtime)."""
    components = []
    users = set(builtins)
    runtime_libs = set(runtime_libs) | set(RUNTIME_ALWAYS)
    for entry in descriptor.licenses:
        if "source_sha256" not in entry:
            continue  # cpython and its bundled code: from the CPython SBOM
        name, version, sha = entry["component"], entry["version"], entry["source_sha256"]
        wanted = DEP_USERS.get(name)
        by_runtime = name in runtime_libs
        if not is_linked(name, users, runtime_libs):
            continue  # in the distribution, but nothing in this binary references it
        url = urls.get(sha, "")
        components.append(Component(
            ref=_ref("c-" + name), name=name, version=version, license=spdx_expression(entry["license"]),
            license_raw=entry["license"], purl=_generic_purl(name, version, sha, url), sha256=sha, download=url,
            file_name=url.rpartition("/")[2] if url else "",
            description=(f"static library used by the runtime ({RUNTIME_USES.get(name, name)})" if by_runtime and not users & set(wanted or [])
                         else "static library linked into CPython's modules") + f"; source: {entry.get('source_origin', '')}",
        ))
    return components


def blob_distributions(blob):
    """One component per `.dist-info` embedded in the blob, with Requires-Dist edges between them."""
    by_dist_info = {}
    for name in blob.names(METADATA):
        dist_info, _, path = name.partition("/")
        by_dist_info.setdefault(dist_info, set()).add(path)
    components, requires = [], {}
    for dist_info, paths in sorted(by_dist_info.items()):
        if "METADATA" not in paths:
            continue
        headers = HeaderParser().parsestr(blob.get(METADATA, f"{dist_info}/METADATA").primary.decode("utf-8", errors="replace"))
        name, version = headers.get("Name", dist_info).strip(), headers.get("Version", "").strip()
        lock = json.loads(blob.get(METADATA, f"{dist_info}/{LOCK_FILE}").primary) if LOCK_FILE in paths else None
        expression, raw = license_of_metadata(headers)
        component = Component(
            ref=_ref(f"pypi-{_pypi_name(name)}-{version}"), name=name, version=version, license=expression,
            license_raw=raw, description=(headers.get("Summary") or "").strip(), dist_info=dist_info,
        )
        if lock:
            component.purl = f"pkg:pypi/{_pypi_name(name)}@{version}"
            component.sha256 = lock.get("sha256", "")
            component.file_name = lock.get("wheel", "")
            component.description = (component.description + f" (wheel {lock.get('wheel', '')} pinned by {lock.get('lock', 'the lock')})").strip()
            component.sdist = lock.get("sdist")
        else:
            component.description = (component.description + " (first-party distribution of the application)").strip()
        requires[component.ref] = [
            _pypi_name(re.split(r"[\s;\[(<>=!~]", r.strip(), maxsplit=1)[0]) for r in headers.get_all("Requires-Dist", [])
        ]
        components.append(component)
    by_name = {_pypi_name(c.name): c.ref for c in components}
    for component in components:
        component.depends_on = sorted({by_name[r] for r in requires[component.ref] if r in by_name} - {component.ref})
    return components


def _top_level_names(blob, dist_info):
    """Top-level import names a distribution installs (top_level.txt, else its RECORD's paths)."""
    names = set()
    if blob.get(METADATA, f"{dist_info}/top_level.txt") is not None:
        names |= set(blob.get(METADATA, f"{dist_info}/top_level.txt").primary.decode("utf-8", "replace").split())
    if blob.get(METADATA, f"{dist_info}/RECORD") is not None:
        for line in blob.get(METADATA, f"{dist_info}/RECORD").primary.decode("utf-8", "replace").splitlines():
            first = line.split(",", 1)[0].split("/", 1)[0]
            if first and not first.endswith((".dist-info", ".data")):
                names.add(first[:-3] if first.endswith(".py") else first)
    return names


def extension_components(extensions, distributions, blob):
    """Built-in modules compiled by py_static_extension: from an embedded distribution's sdist
    (named with the sdist's sha256 when pystatic.wheels fetched it), or the application's own C code."""
    components = []
    for spec in extensions:
        module, _, label = spec.partition("=")
        top = module.split(".")[0]
        owner = next((d for d in distributions if top in _top_level_names(blob, d.dist_info)), None)
        how = f"C extension {module}, compiled from source by py_static_extension {label} and linked in as a built-in"
        if owner is None:
            components.append(Component(ref=_ref("ext-" + module), name=module, version="", description=how + " (the application's own code)",
                                        first_party=True))
            continue
        sdist = owner.sdist or {}
        component = Component(
            ref=_ref("ext-" + module), name=owner.name, version=owner.version, license=owner.license,
            license_raw=owner.license_raw, sha256=sdist.get("sha256", ""), file_name=sdist.get("file", ""),
            description=how + (f" from the sdist {sdist['file']}" if sdist else ""),
        )
        if owner.purl:
            component.purl = owner.purl + (f"?file_name={sdist['file']}" if sdist else "")
        owner.depends_on = sorted(set(owner.depends_on) | {component.ref})
        components.append(component)
    return components


# zig's C++ runtime, which build_sdist.py links into a package's archive when its extension has C++
# objects, recognised by the licence texts it copies into the package's .dist-info/licenses/.
CXX_RUNTIME = {  # licence file -> component name
    "LICENSE.libcxx": "libc++",
    "LICENSE.libcxxabi": "libc++abi",
    "LICENSE.libunwind": "libunwind",
}
CXX_RUNTIME_LICENSE = "Apache-2.0 WITH LLVM-exception"


def _licence_files(blob, dist_info):
    prefix = f"{dist_info}/licenses/"
    return sorted(n[len(prefix):] for n in blob.names(METADATA) if n.startswith(prefix))


def native_components(distributions, blob, native_sources, cxx_version="", zig_version="", zig_sha256=""):
    """C code that packages built from their sdists link besides their own: the native libraries of
    sources.json `native` (libyaml, ...) and zig's C++ runtime. build_sdist.py copies each one's licence
    text (LICENSE.<name>) into the package's .dist-info/licenses/ when its objects go into the package's
    archive; each becomes one component (version, licence, sha256 of its pinned source), and the
    package depends on it."""
    components = {}
    for owner in distributions:
        if not owner.dist_info:
            continue
        for licence in _licence_files(blob, owner.dist_info):
            name = licence[len("LICENSE."):] if licence.startswith("LICENSE.") else ""
            if name in native_sources:
                entry = native_sources[name]
                archive = (entry.get("archives") or [{}])[0]
                url = (archive.get("urls") or [""])[0]
                sha = archive.get("sha256", "")
                component = Component(
                    ref=_ref("c-native-" + name), name=name, version=entry["version"], license=spdx_expression(entry["license"]),
                    license_raw=entry["license"], purl=_generic_purl(name, entry["version"], sha, url), sha256=sha, download=url,
                    file_name=url.rpartition("/")[2] if url else "",
                    description=f"static library built from its pinned source (sources.json native) and linked into {owner.name}'s extension",
                )
            elif licence in CXX_RUNTIME:
                name = CXX_RUNTIME[licence]
                component = Component(
                    ref=_ref("cxx-" + name), name=name, version=cxx_version, license=CXX_RUNTIME_LICENSE,
                    license_raw=CXX_RUNTIME_LICENSE, purl=_generic_purl(name, cxx_version, zig_sha256), sha256=zig_sha256,
                    file_name=f"ziglang-{zig_version} wheel" if zig_version else "", supplier="Organization: LLVM Project",
                    description=f"LLVM's C++ runtime (LLVM {cxx_version}), built by zig {zig_version} from the source its "
                                f"ziglang wheel bundles (lib/), linked into {owner.name}'s C++ extension",
                )
            else:
                continue
            components.setdefault(component.ref, component)
            owner.depends_on = sorted(set(owner.depends_on) | {component.ref})
    return list(components.values())


def musl_component(musl_version, zig_version):
    return Component(
        ref="musl", name="musl", version=musl_version, license="MIT", license_raw="MIT",
        purl=_generic_purl("musl", musl_version), supplier="Organization: musl libc project",
        description=f"the C library, linked statically: the copy zig {zig_version} bundles (lib/libc/musl)",
    )


def zig_component(zig_version):
    return Component(
        ref="zig", name="zig", version=zig_version, license="MIT", license_raw="MIT", kind="application",
        purpose="APPLICATION", purl=f"pkg:pypi/ziglang@{zig_version}", parent="",
        description="C compiler and linker of every object in the binary (the ziglang wheel); a build tool, not contained",
    )


def collect(args):
    descriptor = distribution_descriptor.load(args.descriptor)
    cpython_sbom = json.loads(pathlib.Path(args.cpython_sbom).read_text(encoding="utf-8"))
    urls = archive_urls(json.loads(pathlib.Path(args.sources).read_text(encoding="utf-8")))
    blob = read_blob(args.blob)
    users = linked_builtins(descriptor, args.report)
    components = cpython_components(descriptor, cpython_sbom, urls, set(blob.names(MODULE)), users)
    deps = distribution_components(descriptor, urls, users, args.runtime_lib)
    components[0].depends_on = [c.ref for c in deps if users & set(DEP_USERS.get(c.name, ["?"])) or c.name not in DEP_USERS] + ["musl"]
    distributions = blob_distributions(blob)
    components += deps + [musl_component(args.musl_version, args.zig_version)] + distributions
    components += extension_components(args.extension, distributions, blob)
    sources = json.loads(pathlib.Path(args.sources).read_text(encoding="utf-8"))
    components += native_components(distributions, blob, sources.get("native", {}), args.cxx_runtime_version or "",
                                    args.zig_version or "", args.zig_sha256 or "")
    return descriptor, components


# --- the licence policy --------------------------------------------------------------------


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


# --- SPDX 2.3 ------------------------------------------------------------------------------


def _spdx_package(c):
    package = {
        "SPDXID": "SPDXRef-" + c.ref,
        "name": c.name,
        "downloadLocation": c.download or "NOASSERTION",
        "filesAnalyzed": False,
        "licenseConcluded": "NOASSERTION",
        "licenseDeclared": c.license or "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "primaryPackagePurpose": c.purpose,
    }
    if c.version:
        package["versionInfo"] = c.version
    if c.file_name:
        package["packageFileName"] = c.file_name
    if c.supplier:
        package["supplier"] = c.supplier
    if c.sha256:
        package["checksums"] = [{"algorithm": "SHA256", "checksumValue": c.sha256}]
    refs = []
    if c.purl:
        refs.append({"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": c.purl})
    if c.cpe:
        refs.append({"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": c.cpe})
    if refs:
        package["externalRefs"] = refs
    comment = c.description
    if c.license is None and c.license_raw:
        comment += f" Licence as declared (not an SPDX expression): {c.license_raw}"
    if comment:
        package["comment"] = comment.strip()
    return package


def spdx_document(target, name, sha256, descriptor, components, zig_version):
    binary = Component(
        ref="binary", name=name, version="", kind="application", purpose="APPLICATION", sha256=sha256,
        file_name=name, description=f"{target}: a fully static {descriptor.target_triple} executable built by rules_pystatic",
    )
    zig = zig_component(zig_version)
    packages = [_spdx_package(c) for c in [binary] + components + [zig]]
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-binary"}]
    for c in components:
        relationships.append({"spdxElementId": "SPDXRef-" + c.parent, "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-" + c.ref})
        for dep in c.depends_on:
            relationships.append({"spdxElementId": "SPDXRef-" + c.ref, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": "SPDXRef-" + dep})
    relationships.append({"spdxElementId": "SPDXRef-zig", "relationshipType": "BUILD_TOOL_OF", "relatedSpdxElement": "SPDXRef-binary"})
    document_id = uuid.uuid5(NAMESPACE, f"{target}\n{sha256}")
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{name} ({target})",
        "documentNamespace": f"urn:uuid:{document_id}",
        "creationInfo": {
            "created": CREATED,
            "creators": [f"Tool: {TOOL}"],
            "comment": "Fixed creation time: the document is byte-reproducible from the build's inputs.",
        },
        "documentDescribes": ["SPDXRef-binary"],
        "packages": packages,
        "relationships": relationships,
    }


# --- CycloneDX 1.6 -------------------------------------------------------------------------


def _cdx_component(c, children=()):
    component = {"type": c.kind, "bom-ref": c.ref, "name": c.name}
    if c.version:
        component["version"] = c.version
    if c.description:
        component["description"] = c.description
    if c.license:
        component["licenses"] = [{"expression": c.license}]
    elif c.license_raw:
        component["licenses"] = [{"license": {"name": c.license_raw}}]
    if c.sha256:
        component["hashes"] = [{"alg": "SHA-256", "content": c.sha256}]
    if c.purl:
        component["purl"] = c.purl
    if c.cpe:
        component["cpe"] = c.cpe
    if c.download:
        component["externalReferences"] = [{"type": "distribution", "url": c.download}]
    if c.supplier:
        component["supplier"] = {"name": c.supplier.partition(": ")[2]}
    if children:
        component["components"] = list(children)
    return component


def cyclonedx_document(target, name, sha256, descriptor, components, zig_version):
    children = {}
    for c in components:
        if c.parent != "binary":
            children.setdefault(c.parent, []).append(_cdx_component(c))
    top = [_cdx_component(c, children.get(c.ref, ())) for c in components if c.parent == "binary"]
    dependencies = [{"ref": "binary", "dependsOn": [c.ref for c in components if c.parent == "binary"]}]
    dependencies += [{"ref": c.ref, "dependsOn": sorted(set(c.depends_on) | {k.ref for k in components if k.parent == c.ref})}
                     for c in components]
    serial = uuid.uuid5(NAMESPACE, f"{target}\n{sha256}")
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": {
            "timestamp": CREATED,
            "tools": {"components": [_cdx_component(zig_component(zig_version)), {"type": "application", "name": TOOL}]},
            "component": {
                "type": "application", "bom-ref": "binary", "name": name,
                "description": f"{target}: a fully static {descriptor.target_triple} executable built by rules_pystatic",
                "hashes": [{"alg": "SHA-256", "content": sha256}],
            },
        },
        "components": top,
        "dependencies": dependencies,
    }


# --- CPython's own SBOM --------------------------------------------------------------------


def _write_json(path, data):
    pathlib.Path(path).write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract_cpython", help="CPython source archive (with --output)")
    parser.add_argument("--output")
    parser.add_argument("--target", help="label of the binary")
    parser.add_argument("--name", help="file name of the executable")
    parser.add_argument("--executable", help="the linked executable (its sha256)")
    parser.add_argument("--descriptor")
    parser.add_argument("--cpython_sbom", help="output of --extract_cpython")
    parser.add_argument("--sources", help="distribution/toolchains/cpython/sources.json (download locations)")
    parser.add_argument("--blob", help="the binary's resource blob")
    parser.add_argument("--report", help="the pack step's report (<name>.blob.json): the built-ins it leaves out")
    parser.add_argument("--zig_version")
    parser.add_argument("--musl_version")
    parser.add_argument("--cxx_runtime_version", help="LLVM version of zig's libc++, libc++abi and libunwind")
    parser.add_argument("--zig_sha256", help="sha256 of the ziglang wheel that builds (and bundles the source of) the C++ runtime")
    parser.add_argument("--licenses_denied", action="append", default=[])
    parser.add_argument("--extension", action="append", default=[], help="MODULE=LABEL of a py_static_extension linked in")
    parser.add_argument("--runtime_lib", action="append", default=[], help="a C library the runtime links (zstd with compress)")
    parser.add_argument("--policy_stamp", help="policy mode: output stamp")
    parser.add_argument("--spdx")
    parser.add_argument("--cdx")
    return parser.parse_args(expand_param_files(argv))


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.extract_cpython:
            extract_cpython_sbom(args.extract_cpython, args.output)
            return 0
        descriptor, components = collect(args)
    except (SbomError, BlobError, OSError, KeyError, ValueError) as err:
        print(f"error: {args.target or 'sbom'}: cannot describe what the binary contains: {err}", file=sys.stderr)
        return 1
    if args.policy_stamp:
        denied = sorted(set(args.licenses_denied))
        errors, warnings = check_policy(args.target, components, denied)
        for line in warnings + errors:
            print(line, file=sys.stderr)
        if errors:
            return 1
        pathlib.Path(args.policy_stamp).write_text(
            f"licenses_denied: {', '.join(denied) or '(none)'}\n"
            + "".join(f"{c.name} {c.version}: {c.license or 'NOASSERTION'}\n" for c in components))
        return 0
    sha256 = hashlib.sha256(pathlib.Path(args.executable).read_bytes()).hexdigest()
    _write_json(args.spdx, spdx_document(args.target, args.name, sha256, descriptor, components, args.zig_version))
    _write_json(args.cdx, cyclonedx_document(args.target, args.name, sha256, descriptor, components, args.zig_version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
