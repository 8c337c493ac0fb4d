import hashlib
import io
import json
import tarfile
import zipfile
from email.parser import HeaderParser

import pytest

from pystatic.binary import licence_policy, sbom, sbom_components, sbom_documents
from pystatic.distribution import cpython_sbom
from pystatic.format.blob import DATA, METADATA, MODULE, Entry, write_blob

CPYTHON_SBOM = {
    "spdxVersion": "SPDX-2.3",
    "packages": [
        {"SPDXID": "SPDXRef-PACKAGE-expat", "name": "expat", "versionInfo": "2.8.2",
         "downloadLocation": "https://example.invalid/expat-2.8.2.tar.gz", "originator": "Organization: Expat development team",
         "checksums": [{"algorithm": "SHA256", "checksumValue": "ef" * 32}],
         "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
                           "referenceLocator": "cpe:2.3:a:libexpat_project:libexpat:2.8.2:*:*:*:*:*:*:*"}]},
        {"SPDXID": "SPDXRef-PACKAGE-libb2", "name": "libb2", "versionInfo": "0.98.1", "downloadLocation": "NOASSERTION"},
        {"SPDXID": "SPDXRef-PACKAGE-macholib", "name": "macholib", "versionInfo": "1.0", "downloadLocation": "NOASSERTION",
         "externalRefs": [{"referenceCategory": "PACKAGE_MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/macholib@1.0"}]},
        {"SPDXID": "SPDXRef-PACKAGE-mpdecimal", "name": "mpdecimal", "versionInfo": "2.5.1", "downloadLocation": "NOASSERTION"},
    ],
}
CPYTHON_SHA = "1e" * 32
ZLIB_SHA = "bb" * 32
REPACK_SHA = "7b" * 32


def lock_record(name, version, wheel, digest):
    return json.dumps({"lock": "//:pylock.toml", "name": name, "version": version, "wheel": wheel, "sha256": digest}).encode()


DIST_INFOS = [
    ("click-8.5.1.dist-info", b"Name: click\nVersion: 8.5.1\nLicense-Expression: BSD-3-Clause\nSummary: Composable CLI\n",
     lock_record("click", "8.5.1", "click-8.5.1-py3-none-any.whl", "c1" * 32)),
    ("rich-15.0.0.dist-info", b"Name: rich\nVersion: 15.0.0\nLicense: MIT\nRequires-Dist: pygments<3,>=2.13.0\n"
     b"Requires-Dist: ipywidgets; extra == \"jupyter\"\n", lock_record("rich", "15.0.0", "rich-15.0.0-py3-none-any.whl", "c2" * 32)),
    ("Pygments-2.21.0.dist-info", b"Name: Pygments\nVersion: 2.21.0\nClassifier: License :: OSI Approved :: BSD License\n"
     b"License: BSD-2-Clause\n", lock_record("pygments", "2.21.0", "pygments-2.21.0-py3-none-any.whl", "c3" * 32)),
    ("oddly-1.0.dist-info", b"Name: oddly\nVersion: 1.0\nLicense: Public domain, mostly\n", None),
    # "BSD License" says no more than a family: its licence file says which one.
    ("jinja2-3.1.6.dist-info", b"Name: Jinja2\nVersion: 3.1.6\nClassifier: License :: OSI Approved :: BSD License\n", None),
    ("markupsafe-3.0.4.dist-info", b"Name: MarkupSafe\nVersion: 3.0.4\nLicense-Expression: BSD-3-Clause\n",
     json.dumps({"lock": "//:pylock.toml", "name": "markupsafe", "version": "3.0.4", "sha256": "c4" * 32,
                 "wheel": "markupsafe-3.0.4-cp313-cp313-musllinux_1_2_x86_64.whl",
                 "sdist": {"file": "markupsafe-3.0.4.tar.gz", "sha256": "5d" * 32}}).encode()),
]

BSD_3_CLAUSE = """Copyright 2007 Pallets

Redistribution and use in source and binary forms, with or without modification, are permitted
provided that the following conditions are met:

1.  Redistributions of source code must retain the above copyright notice, this list of
    conditions and the following disclaimer.
2.  Redistributions in binary form must reproduce the above copyright notice, this list of
    conditions and the following disclaimer in the documentation and/or other materials provided
    with the distribution.
3.  Neither the name of the copyright holder nor the names of its contributors may be used to
    endorse or promote products derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES.
"""
LICENCE_FILES = {"jinja2-3.1.6.dist-info": {"licenses/LICENSE.txt": BSD_3_CLAUSE, "licenses/NOTICE": "Pallets"}}


@pytest.fixture
def inputs(tmp_path):
    descriptor = {
        "version": 2, "python_version": "3.13.15", "target_triple": "x86_64-linux-musl",
        "extensions": {"pyexpat": {}, "_decimal": {}, "_sha2": {}, "zlib": {}, "_sqlite3": {}},
        "licenses": [
            {"component": "cpython", "version": "3.13.15", "license": "PSF-2.0", "file": "LICENSE.cpython"},
            {"component": "expat", "version": "bundled with CPython 3.13.15", "license": "MIT", "file": "LICENSE.expat"},
            {"component": "zlib", "version": "1.3.2", "license": "Zlib", "file": "LICENSE.zlib", "source_sha256": ZLIB_SHA,
             "source_origin": "upstream"},
            {"component": "sqlite3", "version": "3.53.4", "license": "blessing", "file": "LICENSE.sqlite3",
             "source_sha256": REPACK_SHA, "source_origin": "Debian's repack"},
            # In the distribution, linked only by the runtime of binaries with compress = True.
            {"component": "zstd", "version": "1.5.7", "license": "BSD-3-Clause", "file": "LICENSE.zstd",
             "source_sha256": "eb" * 32, "source_origin": "upstream"},
            # No built-in module uses it here: not linked.
            {"component": "libuuid", "version": "2.42.4", "license": "BSD-3-Clause", "file": "LICENSE.libuuid",
             "source_sha256": "fb" * 32, "source_origin": "upstream"},
        ],
    }
    sources = {
        "cpython": {"3.13": {"archives": [{"sha256": CPYTHON_SHA, "urls": ["https://example.invalid/Python-3.13.15.tar.xz"]}]}},
        "deps": {
            "zlib": {"archives": [{"sha256": ZLIB_SHA, "urls": ["https://example.invalid/zlib-1.3.2.tar.gz"]}]},
            "sqlite3": {"archives": [{"sha256": "00" * 32, "urls": ["https://example.invalid/sqlite.zip"]},
                                    {"sha256": REPACK_SHA, "urls": []}]},
        },
    }
    entries = [Entry(MODULE, "app", primary=b""), Entry(MODULE, "ctypes", primary=b"")]
    for dist_info, metadata, lock in DIST_INFOS:
        entries.append(Entry(METADATA, f"{dist_info}/METADATA", primary=metadata))
        top = dist_info.split("-")[0].lower()
        entries.append(Entry(METADATA, f"{dist_info}/RECORD", primary=f"{top}/__init__.py,sha256=x,1\n{dist_info}/METADATA,,\n".encode()))
        if lock:
            entries.append(Entry(METADATA, f"{dist_info}/pystatic_lock.json", primary=lock))
        for path, text in LICENCE_FILES.get(dist_info, {}).items():
            entries.append(Entry(METADATA, f"{dist_info}/{path}", primary=text.encode()))
    (tmp_path / "b.blob").write_bytes(write_blob(entries))
    (tmp_path / "d.json").write_text(json.dumps(descriptor))
    (tmp_path / "s.json").write_text(json.dumps(sources))
    (tmp_path / "c.json").write_text(json.dumps({"source_file": "Python-3.13.15.tar.xz", "source_sha256": CPYTHON_SHA,
                                                 "sbom": CPYTHON_SBOM}))
    (tmp_path / "app").write_bytes(b"\x7fELF static")
    common = ["--target", "//app:app", "--descriptor", str(tmp_path / "d.json"), "--cpython_sbom", str(tmp_path / "c.json"),
              "--sources", str(tmp_path / "s.json"), "--blob", str(tmp_path / "b.blob"), "--zig_version", "0.17.1",
              "--musl_version", "1.2.5"]
    return tmp_path, common


def write_sbom(tmp_path, common, out="out"):
    (tmp_path / out).mkdir(exist_ok=True)
    spdx, cdx = tmp_path / out / "app.spdx.json", tmp_path / out / "app.cdx.json"
    args = common + ["--name", "app", "--executable", str(tmp_path / "app"), "--spdx", str(spdx), "--cdx", str(cdx)]
    assert sbom.main(args) == 0
    return spdx, cdx


def test_spdx_describes_the_executable_and_what_is_inside(inputs):
    tmp_path, common = inputs
    spdx, _ = write_sbom(tmp_path, common)
    doc = json.loads(spdx.read_text())
    packages = {p["SPDXID"]: p for p in doc["packages"]}
    binary = packages["SPDXRef-binary"]
    assert binary["checksums"] == [{"algorithm": "SHA256", "checksumValue": hashlib.sha256(b"\x7fELF static").hexdigest()}]
    names = sorted(p["name"] for p in doc["packages"])
    # libb2 (no _blake2 built in) and macholib (no ctypes.macholib in the blob) are not inside.
    assert names == ["Jinja2", "MarkupSafe", "Pygments", "app", "click", "cpython", "expat", "mpdecimal", "musl", "oddly", "rich", "sqlite3",
                     "zig", "zlib"]
    cpython = packages["SPDXRef-cpython"]
    assert cpython["versionInfo"] == "3.13.15" and cpython["licenseDeclared"] == "PSF-2.0"
    assert cpython["checksums"][0]["checksumValue"] == CPYTHON_SHA
    assert cpython["downloadLocation"] == "https://example.invalid/Python-3.13.15.tar.xz"
    zlib = packages["SPDXRef-c-zlib"]
    assert zlib["licenseDeclared"] == "Zlib" and zlib["checksums"][0]["checksumValue"] == ZLIB_SHA
    assert zlib["externalRefs"][0]["referenceLocator"].startswith(f"pkg:generic/zlib@1.3.2?checksum=sha256:{ZLIB_SHA}&download_url=")
    # A repack found only in the repository cache has no download location.
    assert packages["SPDXRef-c-sqlite3"]["downloadLocation"] == "NOASSERTION"
    click = packages["SPDXRef-pypi-click-8.5.1"]
    assert click["licenseDeclared"] == "BSD-3-Clause" and click["checksums"][0]["checksumValue"] == "c1" * 32
    assert click["externalRefs"][0]["referenceLocator"] == "pkg:pypi/click@8.5.1"
    assert packages["SPDXRef-pypi-pygments-2.21.0"]["licenseDeclared"] == "BSD-2-Clause"
    oddly = packages["SPDXRef-pypi-oddly-1.0"]
    assert oddly["licenseDeclared"] == "NOASSERTION" and "Public domain, mostly" in oddly["comment"] and "externalRefs" not in oddly
    jinja2 = packages["SPDXRef-pypi-jinja2-3.1.6"]
    assert (jinja2["licenseConcluded"], jinja2["licenseDeclared"]) == ("BSD-3-Clause", "NOASSERTION"), jinja2
    assert "concluded from the distribution's licence text" in jinja2["comment"] and "BSD License" in jinja2["comment"]
    assert packages["SPDXRef-musl"]["versionInfo"] == "1.2.5" and packages["SPDXRef-musl"]["licenseDeclared"] == "MIT"
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-binary") in relations
    assert ("SPDXRef-binary", "CONTAINS", "SPDXRef-cpython") in relations
    assert ("SPDXRef-cpython", "CONTAINS", "SPDXRef-cpython-bundled-expat") in relations
    assert ("SPDXRef-cpython", "DEPENDS_ON", "SPDXRef-c-zlib") in relations
    assert ("SPDXRef-binary", "CONTAINS", "SPDXRef-musl") in relations
    assert ("SPDXRef-pypi-rich-15.0.0", "DEPENDS_ON", "SPDXRef-pypi-pygments-2.21.0") in relations
    assert ("SPDXRef-zig", "BUILD_TOOL_OF", "SPDXRef-binary") in relations
    assert not any(r[2] == "SPDXRef-zig" and r[1] == "CONTAINS" for r in relations)
    assert doc["creationInfo"]["created"] == sbom_documents.CREATED


def test_outputs_are_byte_reproducible_and_named_by_the_executable(inputs):
    tmp_path, common = inputs
    first = [p.read_bytes() for p in write_sbom(tmp_path, common, "a")]
    second = [p.read_bytes() for p in write_sbom(tmp_path, common, "b")]
    assert first == second
    (tmp_path / "app").write_bytes(b"\x7fELF other")
    third = [p.read_bytes() for p in write_sbom(tmp_path, common, "c")]
    assert json.loads(third[0])["documentNamespace"] != json.loads(first[0])["documentNamespace"]
    assert json.loads(third[1])["serialNumber"] != json.loads(first[1])["serialNumber"]


def test_cyclonedx_nests_cpythons_bundled_code_and_lists_dependencies(inputs):
    tmp_path, common = inputs
    _, cdx = write_sbom(tmp_path, common)
    bom = json.loads(cdx.read_text())
    assert bom["specVersion"] == "1.6" and bom["metadata"]["timestamp"] == sbom_documents.CREATED
    assert bom["metadata"]["component"]["hashes"][0]["content"] == hashlib.sha256(b"\x7fELF static").hexdigest()
    assert [t["name"] for t in bom["metadata"]["tools"]["components"]] == ["zig", "rules_pystatic"]
    top = {c["bom-ref"]: c for c in bom["components"]}
    assert [c["name"] for c in top["cpython"]["components"]] == ["expat", "mpdecimal"]
    assert top["pypi-click-8.5.1"]["licenses"] == [{"expression": "BSD-3-Clause"}]
    assert top["pypi-oddly-1.0"]["licenses"] == [{"license": {"name": "Public domain, mostly"}}]
    assert top["pypi-jinja2-3.1.6"]["licenses"] == [{"expression": "BSD-3-Clause", "acknowledgement": "concluded"}]
    # CPython's SBOM says NOASSERTION for mpdecimal's location (in this fixture): no distribution reference.
    assert "externalReferences" not in [c for c in top["cpython"]["components"] if c["name"] == "mpdecimal"][0]
    deps = {d["ref"]: d["dependsOn"] for d in bom["dependencies"]}
    assert "cpython" in deps["binary"] and "zig" not in deps["binary"]
    assert deps["pypi-rich-15.0.0"] == ["pypi-pygments-2.21.0"]
    assert "c-zlib" in deps["cpython"] and "cpython-bundled-expat" in deps["cpython"]


def test_real_validators_accept_both_documents(inputs):
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    tmp_path, common = inputs
    spdx, cdx = write_sbom(tmp_path, common)
    assert validate_full_spdx_document(parse_file(str(spdx))) == []
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx.read_text()) is None


def test_a_denied_licence_fails_naming_package_licence_and_fix(inputs, capsys):
    tmp_path, common = inputs
    stamp = tmp_path / "policy.txt"
    args = common + ["--policy_stamp", str(stamp), "--licenses_denied", "BSD-3-Clause", "--licenses_denied", "GPL-3.0-only"]
    assert sbom.main(args) == 1
    err = capsys.readouterr().err
    assert "error: //app:app: click 8.5.1 is licensed BSD-3-Clause, and licenses_denied forbids BSD-3-Clause." in err
    assert "Fix: drop the dependency that brings it" in err and "--@rules_pystatic//rules:licenses_denied" in err
    assert not stamp.exists()


def test_policy_passes_and_warns_about_unknown_licences(inputs, capsys):
    tmp_path, common = inputs
    stamp = tmp_path / "policy.txt"
    assert sbom.main(common + ["--policy_stamp", str(stamp), "--licenses_denied", "GPL-3.0-only"]) == 0
    err = capsys.readouterr().err
    assert "warning: //app:app: oddly 1.0 has no SPDX licence expression (METADATA says 'Public domain, mostly')" in err
    assert "Jinja2" not in err and "Jinja2 3.1.6: BSD-3-Clause\n" in stamp.read_text()
    assert "error" not in err
    assert "licenses_denied: GPL-3.0-only\n" in stamp.read_text() and "click 8.5.1: BSD-3-Clause\n" in stamp.read_text()


@pytest.mark.parametrize("expression, denied, found", [
    ("GPL-3.0-only", ["GPL-3.0-only"], ["GPL-3.0-only"]),
    ("MIT OR GPL-3.0-only", ["GPL-3.0-only"], []),  # MIT can be chosen
    ("MIT AND GPL-3.0-only", ["GPL-3.0-only"], ["GPL-3.0-only"]),
    ("(MIT OR Apache-2.0) AND AGPL-3.0-only", ["GPL-3.0-only", "AGPL-3.0-only"], ["AGPL-3.0-only"]),
    ("GPL-3.0-only OR AGPL-3.0-only", ["gpl-3.0-only", "AGPL-3.0-only"], ["AGPL-3.0-only", "GPL-3.0-only"]),
    ("GPL-2.0-only WITH Classpath-exception-2.0", ["GPL-2.0-only"], ["GPL-2.0-only"]),
    ("GPL-3.0-or-later", ["GPL-3.0-only"], []),  # ids match exactly: deny -or-later too if meant
])
def test_denied_in_follows_and_or(expression, denied, found):
    assert licence_policy.denied_in(expression, denied) == found


@pytest.mark.parametrize("metadata, expected", [
    ("License-Expression: mit\n", "MIT"),
    ("License-Expression: MIT OR Apache-2.0\nLicense: ignored\n", "MIT OR Apache-2.0"),
    ("License: Apache-2.0\n", "Apache-2.0"),
    ("License: BSD\nClassifier: License :: OSI Approved :: MIT License\n", "MIT"),
    ("Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: Apache Software License\n",
     "Apache-2.0 OR MIT"),
    ("Classifier: License :: OSI Approved :: BSD License\n", None),  # which BSD?
    ("License: Copyright (c) me, all rights reserved\n", None),
])
def test_licence_from_pep_639_license_or_classifiers(metadata, expected):
    assert licence_policy.license_of_metadata(HeaderParser().parsestr(metadata))[0] == expected


def test_cpythons_sbom_is_read_from_the_source_archive(tmp_path):
    archive = tmp_path / "Python-3.13.15.tar.xz"
    with tarfile.open(archive, "w:xz") as tar:
        data = json.dumps(CPYTHON_SBOM).encode()
        info = tarfile.TarInfo("Python-3.13.15/Misc/sbom.spdx.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    out = tmp_path / "c.json"
    assert cpython_sbom.main(["--extract_cpython", str(archive), "--output", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["source_sha256"] == hashlib.sha256(archive.read_bytes()).hexdigest()
    assert [p["name"] for p in got["sbom"]["packages"]] == ["expat", "libb2", "macholib", "mpdecimal"]
    empty = tmp_path / "Other.tar.xz"
    with tarfile.open(empty, "w:xz"):
        pass
    assert cpython_sbom.main(["--extract_cpython", str(empty), "--output", str(out)]) == 1


def test_extensions_built_from_an_sdist_or_first_party_c_code(inputs, capsys):
    tmp_path, common = inputs
    common = common + ["--extension", "markupsafe._speedups=//app:speedups", "--extension", "greet=//native:greet"]
    spdx, cdx = write_sbom(tmp_path, common)
    packages = {p["SPDXID"]: p for p in json.loads(spdx.read_text())["packages"]}
    ext = packages["SPDXRef-" + sbom_components._ref("ext-markupsafe._speedups")]
    assert ext["name"] == "MarkupSafe" and ext["versionInfo"] == "3.0.4" and ext["licenseDeclared"] == "BSD-3-Clause"
    assert ext["checksums"] == [{"algorithm": "SHA256", "checksumValue": "5d" * 32}]
    assert ext["packageFileName"] == "markupsafe-3.0.4.tar.gz"
    assert ext["externalRefs"][0]["referenceLocator"] == "pkg:pypi/markupsafe@3.0.4?file_name=markupsafe-3.0.4.tar.gz"
    assert "py_static_extension //app:speedups" in ext["comment"]
    greet = packages["SPDXRef-ext-greet"]
    assert greet["licenseDeclared"] == "NOASSERTION" and "the application's own code" in greet["comment"]
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in json.loads(spdx.read_text())["relationships"]}
    assert ("SPDXRef-binary", "CONTAINS", "SPDXRef-" + sbom_components._ref("ext-markupsafe._speedups")) in relations
    assert ("SPDXRef-pypi-markupsafe-3.0.4", "DEPENDS_ON", "SPDXRef-" + sbom_components._ref("ext-markupsafe._speedups")) in relations
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    assert validate_full_spdx_document(parse_file(str(spdx))) == []
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx.read_text()) is None
    # The application's own C code has no licence to check: no warning for it.
    assert sbom.main(common + ["--policy_stamp", str(tmp_path / "p.txt")]) == 0
    assert "greet" not in capsys.readouterr().err


def test_c_libraries_only_when_linked(inputs):
    tmp_path, common = inputs
    spdx, _ = write_sbom(tmp_path, common, "plain")
    names = {p["name"] for p in json.loads(spdx.read_text())["packages"]}
    assert {"zlib", "sqlite3"} <= names and not {"zstd", "libuuid"} & names
    spdx, _ = write_sbom(tmp_path, common + ["--runtime_lib", "zstd"], "compressed")
    doc = json.loads(spdx.read_text())
    assert "zstd" in {p["name"] for p in doc["packages"]}
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert ("SPDXRef-binary", "CONTAINS", "SPDXRef-c-zstd") in relations
    assert ("SPDXRef-cpython", "DEPENDS_ON", "SPDXRef-c-zstd") not in relations  # the runtime's, not CPython's


def test_libraries_follow_the_pruned_inittab_not_the_distribution(inputs):
    """stdlib = "imported": the pack step's report leaves built-ins out of the inittab; the linker
    drops them and the libraries only they use, so the SBOM must not list those libraries."""
    tmp_path, common = inputs
    report = tmp_path / "app.blob.json"
    report.write_text(json.dumps({"builtins_left_out": ["_sqlite3", "pyexpat", "zlib"]}))
    spdx, cdx = write_sbom(tmp_path, common + ["--report", str(report)], "pruned")
    doc = json.loads(spdx.read_text())
    names = {p["name"] for p in doc["packages"]}
    assert "sqlite3" not in names and "expat" not in names
    # zlib stays: the runtime verifies the blob's checksums with zlib's crc32, whatever is imported.
    zlib = next(p for p in doc["packages"] if p["name"] == "zlib")
    assert "the blob's checksums" in zlib["comment"]
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert ("SPDXRef-cpython", "DEPENDS_ON", "SPDXRef-c-zlib") not in relations
    assert "mpdecimal" in names  # _decimal is still in the inittab
    cdx_names = {c["name"] for c in json.loads(cdx.read_text())["components"]}
    assert "sqlite3" not in cdx_names and "zlib" in cdx_names
    # Without the report (every built-in linked) both are there: the report is what changed it.
    spdx, _ = write_sbom(tmp_path, common, "full")
    assert {"sqlite3", "expat"} <= {p["name"] for p in json.loads(spdx.read_text())["packages"]}


def test_policy_judges_only_what_is_linked(inputs, capsys):
    tmp_path, common = inputs
    report = tmp_path / "app.blob.json"
    report.write_text(json.dumps({"builtins_left_out": ["_sqlite3"]}))
    denied = ["--licenses_denied", "blessing", "--policy_stamp", str(tmp_path / "p.txt")]
    assert sbom.main(common + denied) == 1  # SQLite's licence, linked
    assert "sqlite3" in capsys.readouterr().err
    assert sbom.main(common + ["--report", str(report)] + denied) == 0  # _sqlite3 left out: not linked
    assert "sqlite3" not in (tmp_path / "p.txt").read_text()


def test_native_libraries_and_the_cxx_runtime_of_sdist_builds_are_components(inputs):
    tmp_path, common = inputs
    sources = json.loads((tmp_path / "s.json").read_text())
    sources["native"] = {"libyaml": {"version": "0.2.5", "license": "MIT", "archives": [
        {"sha256": "fa" * 32, "urls": ["https://example.invalid/libyaml-0.2.5.tar.gz"]}]}}
    (tmp_path / "s.json").write_text(json.dumps(sources))
    # What build_sdist.py leaves in the .dist-info of a package it built: the licence texts of what it linked in.
    entries = [Entry(MODULE, "app", primary=b"")]
    for dist_info, name, licences in [("PyYAML-6.0.3.dist-info", "PyYAML", ["LICENSE", "LICENSE.libyaml"]),
                                      ("frozenlist-1.8.0.dist-info", "frozenlist",
                                       ["LICENSE", "LICENSE.libcxx", "LICENSE.libcxxabi", "LICENSE.libunwind"]),
                                      ("msgpack-1.2.4.dist-info", "msgpack", ["COPYING", "LICENSE.unknownlib"])]:
        entries.append(Entry(METADATA, f"{dist_info}/METADATA", primary=f"Name: {name}\nVersion: 1\nLicense-Expression: MIT\n".encode()))
        entries += [Entry(METADATA, f"{dist_info}/licenses/{licence}", primary=b"text") for licence in licences]
    (tmp_path / "b.blob").write_bytes(write_blob(entries))
    spdx, cdx = write_sbom(tmp_path, common + ["--cxx_runtime_version", "22.1.8", "--zig_sha256", "ea" * 32])
    doc = json.loads(spdx.read_text())
    packages = {p["name"]: p for p in doc["packages"]}
    yaml = packages["libyaml"]
    assert yaml["versionInfo"] == "0.2.5" and yaml["licenseDeclared"] == "MIT"
    assert yaml["checksums"] == [{"algorithm": "SHA256", "checksumValue": "fa" * 32}]
    assert yaml["downloadLocation"] == "https://example.invalid/libyaml-0.2.5.tar.gz"
    for name in ("libc++", "libc++abi", "libunwind"):
        assert packages[name]["versionInfo"] == "22.1.8"
        assert packages[name]["licenseDeclared"] == "Apache-2.0 WITH LLVM-exception"
        assert packages[name]["checksums"] == [{"algorithm": "SHA256", "checksumValue": "ea" * 32}]
    assert "unknownlib" not in packages  # not a native library of sources.json: nothing to describe
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    by_name = {p["name"]: p["SPDXID"] for p in doc["packages"]}
    assert (by_name["PyYAML"], "DEPENDS_ON", by_name["libyaml"]) in relations
    assert (by_name["frozenlist"], "DEPENDS_ON", by_name["libc++abi"]) in relations
    assert (by_name["msgpack"], "DEPENDS_ON", by_name["libyaml"]) not in relations
    assert ("SPDXRef-binary", "CONTAINS", by_name["libunwind"]) in relations
    cdx_names = {c["name"]: c for c in json.loads(cdx.read_text())["components"]}
    assert cdx_names["libc++"]["licenses"] and cdx_names["libyaml"]["hashes"][0]["content"] == "fa" * 32
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    assert validate_full_spdx_document(parse_file(str(spdx))) == []
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx.read_text()) is None


def test_the_pip_wheel_ensurepip_bundles_is_a_component_inside_cpython(inputs):
    """An interpreter embeds ensurepip's pip wheel (python -m venv installs it): described with its own licence."""
    tmp_path, common = inputs
    wheel = io.BytesIO()
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("pip-26.2.1.dist-info/METADATA", "Name: pip\nVersion: 26.2.1\nLicense-Expression: MIT\n")
    entries = [Entry(MODULE, "ensurepip", primary=b"", is_package=True),
               Entry(DATA, "ensurepip/_bundled/pip-26.2.1-py3-none-any.whl", primary=wheel.getvalue())]
    (tmp_path / "b.blob").write_bytes(write_blob(entries))
    spdx, cdx = write_sbom(tmp_path, common)
    packages = {p["name"]: p for p in json.loads(spdx.read_text())["packages"]}
    pip = packages["pip"]
    assert pip["versionInfo"] == "26.2.1" and pip["licenseDeclared"] == "MIT"
    assert pip["checksums"] == [{"algorithm": "SHA256", "checksumValue": hashlib.sha256(wheel.getvalue()).hexdigest()}]
    top = {c["bom-ref"]: c for c in json.loads(cdx.read_text())["components"]}
    assert "pip" in [c["name"] for c in top["cpython"]["components"]]
