"""What a binary contains, as SBOM components: CPython and its bundled code, the distribution's C
libraries, musl, the embedded Python distributions, extension modules and the native code they link,
zig as the build tool. sbom.py collects them, sbom_documents.py writes them.
"""

import hashlib
import io
import json
import re
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from email.parser import HeaderParser

from pystatic.binary.licence_policy import license_of_distribution, license_of_metadata, spdx_expression
from pystatic.binary.licence_texts import is_licence_text
from pystatic.binary.linked_libraries import DEP_USERS, RUNTIME_ALWAYS, RUNTIME_USES, is_linked
from pystatic.format.blob import DATA, METADATA


LOCK_FILE = "pystatic_lock.json"  # written into each wheel's .dist-info by pystatic.wheels
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


@dataclass
class Component:
    ref: str  # unique, [A-Za-z0-9.-]: SPDXID suffix and CycloneDX bom-ref
    name: str
    version: str
    license: str = None  # SPDX expression, or None (unknown)
    license_raw: str = ""
    license_concluded: bool = False  # `license` read from its licence texts, not declared (licence_texts.py)
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
    for group in ("cpython", "deps", "extra_builtins"):
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


def ensurepip_wheel_components(blob):
    """The wheels ensurepip bundles (`ensurepip/_bundled/*.whl`, an interpreter's: pip), contained in
    CPython: what `python -m venv` installs, with the licence of the wheel's own METADATA."""
    components = []
    for name in sorted(blob.names(DATA)):
        if not (name.startswith("ensurepip/_bundled/") and name.endswith(".whl")):
            continue
        wheel = blob.get(DATA, name).primary
        file_name = name.rpartition("/")[2]
        dist, version = file_name.split("-")[:2]
        try:
            with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
                metadata = archive.read(f"{dist}-{version}.dist-info/METADATA").decode("utf-8", errors="replace")
        except (zipfile.BadZipFile, KeyError):
            metadata = ""
        expression, raw = license_of_metadata(HeaderParser().parsestr(metadata))
        components.append(Component(
            ref=_ref(f"cpython-bundled-{_pypi_name(dist)}-{version}"), name=dist, version=version, license=expression,
            license_raw=raw, purl=f"pkg:pypi/{_pypi_name(dist)}@{version}", sha256=hashlib.sha256(wheel).hexdigest(),
            file_name=file_name, parent="cpython",
            description=f"wheel bundled with CPython's ensurepip, installed into virtual environments by python -m venv ({name})",
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
        texts = [blob.get(METADATA, f"{dist_info}/{path}").primary.decode("utf-8", errors="replace")
                 for path in sorted(paths) if is_licence_text(path)]
        expression, raw, concluded = license_of_distribution(headers, texts)
        component = Component(
            ref=_ref(f"pypi-{_pypi_name(name)}-{version}"), name=name, version=version, license=expression,
            license_raw=raw, license_concluded=concluded, description=(headers.get("Summary") or "").strip(),
            dist_info=dist_info,
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
