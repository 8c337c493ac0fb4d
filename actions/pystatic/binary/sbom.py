"""Software bill of materials of a binary (`<name>.spdx.json`, `<name>.cdx.json`) and its licence policy.

Two modes, one script (CPython's own SBOM, --cpython_sbom, comes from the distribution's
PyStaticCPythonSbom action, distribution/actions/pystatic/distribution/cpython_sbom.py):
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
first-party distributions), and zig as the build tool (sbom_components.py); the documents:
sbom_documents.py; the policy: licence_policy.py.
"""

import argparse
import hashlib
import json
import pathlib
import sys

from pystatic.binary.licence_policy import check_policy
from pystatic.binary.linked_libraries import DEP_USERS, linked_builtins
from pystatic.binary.sbom_components import (
    archive_urls, blob_distributions, cpython_components, distribution_components, ensurepip_wheel_components,
    extension_components, musl_component, native_components,
)
from pystatic.binary.sbom_documents import cyclonedx_document, spdx_document
from pystatic.common import extra_builtins
from pystatic.common.action_args import expand_param_files
from pystatic.format.blob import MODULE, BlobError, read_blob


def collect(args):
    descriptor = extra_builtins.combined(args.descriptor, args.extra_builtins)
    cpython_sbom = json.loads(pathlib.Path(args.cpython_sbom).read_text(encoding="utf-8"))
    urls = archive_urls(json.loads(pathlib.Path(args.sources).read_text(encoding="utf-8")))
    blob = read_blob(args.blob)
    users = linked_builtins(descriptor, args.report)
    components = cpython_components(descriptor, cpython_sbom, urls, set(blob.names(MODULE)), users)
    components += ensurepip_wheel_components(blob)
    deps = distribution_components(descriptor, urls, users, args.runtime_lib)
    components[0].depends_on = [c.ref for c in deps if users & set(DEP_USERS.get(c.name, ["?"])) or c.name not in DEP_USERS] + ["musl"]
    distributions = blob_distributions(blob)
    components += deps + [musl_component(args.musl_version, args.zig_version)] + distributions
    components += extension_components(args.extension, distributions, blob)
    sources = json.loads(pathlib.Path(args.sources).read_text(encoding="utf-8"))
    components += native_components(distributions, blob, sources.get("native", {}), args.cxx_runtime_version or "",
                                    args.zig_version or "", args.zig_sha256 or "")
    return descriptor, components


def _write_json(path, data):
    pathlib.Path(path).write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", help="label of the binary")
    parser.add_argument("--name", help="file name of the executable")
    parser.add_argument("--executable", help="the linked executable (its sha256)")
    parser.add_argument("--descriptor")
    parser.add_argument("--extra_builtins", help="the distribution's extra built-ins (JSON): their libraries too")
    parser.add_argument("--cpython_sbom", help="the distribution's CPython SBOM (PyStaticCPythonSbom)")
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
        descriptor, components = collect(args)
    except (BlobError, OSError, KeyError, ValueError, extra_builtins.ExtraBuiltinsError) as err:
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
