"""SBOMs of real binaries (hello, cli, wheels) pass real validators and describe what is inside;
the licence policy fails a build naming the package, its licence and the fix (docs/sbom.md)."""

import hashlib
import json
import re
import tomllib
import uuid

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from packageurl import PackageURL

from harness import REPO
from pystatic.format.blob import MODULE, read_blob

MUSL = "--platforms=//platforms:linux_musl"
BINARIES = {"hello": "//examples/hello", "cli": "//examples/cli", "wheels": "//examples/wheels:wheels"}
SOURCES = json.loads((REPO / "distribution" / "toolchains" / "cpython" / "sources.json").read_text())


@pytest.fixture(scope="module")
def binaries(bazel):
    bazel.run("build", *BINARIES.values(), MUSL, "--output_groups=+blob")
    return {name: bazel.output_file(label, MUSL) for name, label in BINARIES.items()}


def documents(binary):
    spdx = binary.with_name(binary.name + ".spdx.json")
    cdx = binary.with_name(binary.name + ".cdx.json")
    return spdx, cdx


@pytest.mark.parametrize("name", sorted(BINARIES))
def test_sbom_passes_spdx_tools_and_cyclonedx_schema_validation(binaries, name):
    spdx, cdx = documents(binaries[name])
    messages = validate_full_spdx_document(parse_file(str(spdx)))
    assert messages == [], [m.validation_message for m in messages]
    errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx.read_text())
    assert errors is None, str(errors)
    # Every purl parses (packageurl-python, cyclonedx-python-lib's own purl library).
    for component in json.loads(cdx.read_text())["components"]:
        if "purl" in component:
            parsed = PackageURL.from_string(component["purl"])
            assert parsed.name and parsed.version == component["version"], component["purl"]


@pytest.mark.parametrize("name", sorted(BINARIES))
def test_sbom_names_the_executable_and_the_pinned_sources_inside(binaries, name):
    binary = binaries[name]
    spdx, cdx = documents(binary)
    doc, bom = json.loads(spdx.read_text()), json.loads(cdx.read_text())
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()
    packages = {p["name"]: p for p in doc["packages"]}
    assert packages[binary.name]["checksums"] == [{"algorithm": "SHA256", "checksumValue": digest}]
    assert bom["metadata"]["component"]["hashes"] == [{"alg": "SHA-256", "content": digest}]
    cpython = packages["cpython"]
    assert cpython["versionInfo"] == SOURCES["cpython"]["3.13"]["version"] and cpython["licenseDeclared"] == "PSF-2.0"
    assert cpython["checksums"][0]["checksumValue"] in [a["sha256"] for a in SOURCES["cpython"]["3.13"]["archives"]]
    # Every C library the binary links, with its pinned version, licence and source sha256. The
    # examples use the defaults: stdlib = "imported" (fewer C libraries: cli's `tls` keeps OpenSSL)
    # and compress_sources = True (libzstd).
    assert "zstd" in packages
    if name == "cli":
        assert "openssl" in packages, sorted(packages)
    for dep, entry in SOURCES["deps"].items():
        if dep not in packages:
            continue
        package = packages[dep]
        assert package["versionInfo"] == entry["version"] and package["licenseDeclared"] == entry["license"], package
        assert package["checksums"][0]["checksumValue"] in [a["sha256"] for a in entry["archives"]]
        assert package["externalRefs"][0]["referenceLocator"].startswith(f"pkg:generic/{dep}@{entry['version']}?checksum=sha256:")
    # CPython's own SBOM: the bundled libraries of the built-ins left in the inittab (the pack
    # step's report names those it leaves out: the linker drops them and what only they use).
    left_out = set(json.loads(binary.with_name(binary.name + ".blob.json").read_text())["builtins_left_out"])
    for bundled, builtin in (("expat", "pyexpat"), ("mpdecimal", "_decimal"), ("hacl-star", "_sha2")):
        assert (bundled in packages) == (builtin not in left_out), (bundled, sorted(left_out))
        if bundled in packages:
            assert packages[bundled]["versionInfo"], packages[bundled]
    for dep, builtins in (("openssl", {"_ssl", "_hashlib"}), ("sqlite3", {"_sqlite3"}), ("libffi", {"_ctypes"})):
        assert (dep in packages) == bool(builtins - left_out), (dep, sorted(left_out))
    assert packages["musl"]["versionInfo"] == "1.2.5" and packages["musl"]["licenseDeclared"] == "MIT"
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert ("SPDXRef-zig", "BUILD_TOOL_OF", "SPDXRef-binary") in relations
    assert ("SPDXRef-binary", "CONTAINS", "SPDXRef-cpython") in relations
    assert (("SPDXRef-cpython", "DEPENDS_ON", "SPDXRef-c-openssl") in relations) == ("openssl" in packages)
    # Wheels: pypi purls of what the binary itself contains (CPython's bundled macholib has one too).
    contained = {b for a, kind, b in relations if a == "SPDXRef-binary" and kind == "CONTAINS"}
    pypi = sorted(p["name"].lower() for p in doc["packages"] if p["SPDXID"] in contained and any(
        r["referenceLocator"].startswith("pkg:pypi/") for r in p.get("externalRefs", [])))
    if name == "wheels":
        assert pypi == ["click", "markdown-it-py", "markupsafe", "mdurl", "pygments", "pyyaml", "rich"]
    else:
        assert pypi == []
    if name == "cli":
        assert packages["pystatic-cli"]["licenseDeclared"] == "Apache-2.0"  # first-party, no purl


def test_hello_lists_no_openssl_and_a_binary_importing_ssl_does(binaries):
    """hello imports nothing that reaches ssl or hashlib: OpenSSL is not linked, so neither its SBOM
    nor its licence list may name it; cli imports ssl (its `tls` command) and links it."""
    for name, linked in (("hello", False), ("cli", True)):
        binary = binaries[name]
        spdx, cdx = documents(binary)
        assert ("openssl" in {p["name"] for p in json.loads(spdx.read_text())["packages"]}) == linked, name
        assert ("openssl" in {c["name"] for c in json.loads(cdx.read_text())["components"]}) == linked, name
        licences = json.loads(binary.with_name(binary.name + ".licenses.json").read_text())
        assert ("openssl" in {c["component"] for c in licences["components"]}) == linked, name
    # What the linker really kept: OpenSSL's symbols are absent from hello and present in cli.
    assert b"OpenSSL 3." not in binaries["hello"].read_bytes()
    assert b"OpenSSL 3." in binaries["cli"].read_bytes()


def test_only_what_is_linked_or_embedded(bazel, binaries):
    # Compressed resources link libzstd, which is then listed (the examples do not link it); CPython's
    # bundled macholib is listed exactly when the blob embeds ctypes.macholib (stdlib = "imported").
    target = "//bench:hello_imported_zstd"
    bazel.run("build", target, MUSL, "--output_groups=+blob")
    binary = bazel.output_file(target, MUSL)
    doc = json.loads(documents(binary)[0].read_text())
    names = {p["name"] for p in doc["packages"]}
    assert "zstd" in names, names
    embedded = set(read_blob(binary.with_name(binary.name + ".blob")).names(MODULE))
    assert ("macholib" in names) == ("ctypes.macholib" in embedded)


def test_wheels_carry_the_locks_sha256_and_purl(binaries):
    lock = tomllib.loads((REPO / "examples" / "wheels" / "pylock.toml").read_text())
    pinned = {w["name"]: w["hashes"]["sha256"] for p in lock["packages"] for w in p.get("wheels", [])}
    doc = json.loads(documents(binaries["wheels"])[0].read_text())
    packages = {p["name"].lower(): p for p in doc["packages"]}
    for name in ("click", "rich", "markupsafe", "pyyaml", "pygments"):
        package = packages[name]
        assert package["checksums"][0]["checksumValue"] == pinned[package["packageFileName"]], package
        assert package["externalRefs"][0]["referenceLocator"] == f"pkg:pypi/{name}@{package['versionInfo']}"
    assert packages["markupsafe"]["packageFileName"].endswith("musllinux_1_2_x86_64.whl")
    assert packages["click"]["licenseDeclared"] == "BSD-3-Clause"
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    rich = packages["rich"]["SPDXID"]
    assert (rich, "DEPENDS_ON", packages["pygments"]["SPDXID"]) in relations


def test_extension_built_from_the_sdist_is_named_with_the_sdists_sha256(bazel):
    lock = tomllib.loads((REPO / "examples" / "wheels" / "pylock.toml").read_text())
    sdist = next(p["sdist"] for p in lock["packages"] if p["name"] == "markupsafe")
    binary = bazel.build_file("//examples/wheels:wheels_speedups", MUSL)
    spdx, cdx = documents(binary)
    assert validate_full_spdx_document(parse_file(str(spdx))) == []
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(cdx.read_text()) is None
    doc = json.loads(spdx.read_text())
    built = [p for p in doc["packages"] if p.get("packageFileName") == sdist["name"]]
    assert len(built) == 1, [p["name"] for p in doc["packages"]]
    assert built[0]["checksums"] == [{"algorithm": "SHA256", "checksumValue": sdist["hashes"]["sha256"]}]
    assert "markupsafe._speedups" in built[0]["comment"] and "//examples/wheels:markupsafe_speedups" in built[0]["comment"]
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in doc["relationships"]}
    assert ("SPDXRef-binary", "CONTAINS", built[0]["SPDXID"]) in relations


def test_a_denied_licence_fails_the_build_naming_package_licence_and_fix(bazel):
    result = bazel.run("build", "//tests/sbom:denied", MUSL, check=False)
    assert result.returncode != 0, "//tests/sbom:denied built"
    assert "//tests/sbom:denied: copyleft 1.0 is licensed GPL-3.0-only, and licenses_denied forbids GPL-3.0-only." in result.stderr
    assert "Fix: drop the dependency that brings it" in result.stderr


def test_unknown_licence_warns_and_the_repository_default_denies(bazel, binaries):
    # --norun_validations with the policy's own output group: the policy runs, the link need not.
    # A deny list never used before makes the policy action run (one up to date prints nothing).
    policy = ["--norun_validations", "--output_groups=licenses_policy", MUSL]
    fresh = f"--//rules:licenses_denied=LicenseRef-unused-{uuid.uuid4().hex}"
    result = bazel.run("build", "//tests/sbom:allowed", *policy, fresh)
    assert re.search(r"warning: (@@)?//tests/sbom:allowed: vague 2.0 has no SPDX licence expression "
                     r"\(METADATA says 'Free to use, see the website'\)", result.stderr), result.stderr[-3000:]
    denied = bazel.run("build", "//tests/sbom:allowed", *policy, "--//rules:licenses_denied=GPL-3.0-only", check=False)
    assert denied.returncode != 0
    assert "//tests/sbom:allowed: copyleft 1.0 is licensed GPL-3.0-only" in denied.stderr, denied.stderr[-3000:]
