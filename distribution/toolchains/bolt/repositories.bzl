"""pinned_debs: Debian binary packages from debs.json, fetched by sha256 and unpacked (llvm-bolt).

As the source archives (../cpython/repositories.bzl), a package is found in Bazel's repository
cache by sha256 alone; tools/seed_sources puts it there (`apt-get download`). Else from the Debian
mirrors the workspace names (module extension `bolt`, tag `mirror`). Only PyStaticBolt actions need
this repository, so only builds with BOLT (`-c opt` on x86_64) fetch it. Where the packages cannot
be had, the repository is empty: bolt = "auto" then links without BOLT (with a warning), "on" fails.
"""

DEBS_JSON = Label("//toolchains/bolt:debs.json")

# What PyStaticBolt runs: paths inside the unpacked packages.
_BUILD = """\
package(default_visibility = ["//visibility:public"])

# llvm-bolt (a glibc program) and the libraries it loads that are not the exec machine's own
# (libz3): PyStaticBolt puts their directory on LD_LIBRARY_PATH.
filegroup(
    name = "llvm_bolt",
    srcs = ["{bolt}"] + glob(["{libs}/*.so*"]),
)

exports_files(["versions.json"])
"""

_MISSING_BUILD = """\
package(default_visibility = ["//visibility:public"])

# Empty: {missing} could not be fetched (see the warning). py_static_binary's bolt = "auto" links
# without BOLT; bolt = "on" fails naming the fix.
filegroup(
    name = "llvm_bolt",
    srcs = [],
)
"""

MISSING_FIX = ("put them into Bazel's repository cache with tools/seed_sources (it runs `apt-get download`), or name a " +
               "Debian mirror in MODULE.bazel: bolt = use_extension(\"@pystatic_distribution//toolchains/bolt:extensions.bzl\", " +
               "\"bolt\"); bolt.mirror(url = \"https://<your Debian mirror>/debian\")")

def _deb_data(rctx, deb):
    """Unpacks a .deb's data.tar.* into the repository's root."""
    scratch = "_" + deb + ".d"
    rctx.extract(deb, output = scratch)  # by its extension: .deb (an ar archive)
    data = [f for f in rctx.path(scratch).readdir() if f.basename.startswith("data.tar")]
    if not data:
        fail("rules_pystatic: {} holds no data.tar.*".format(deb))
    rctx.extract(data[0], output = ".")
    rctx.delete(scratch)
    rctx.delete(deb)

def _pinned_debs_impl(rctx):
    entries = json.decode(rctx.read(rctx.path(DEBS_JSON)))[rctx.attr.group]
    versions, missing = {}, []
    for key in sorted(entries):
        entry = entries[key]
        archive = entry["archives"][0]
        deb = key + ".deb"
        urls = archive["urls"] + [mirror.rstrip("/") + "/" + entry["debian_pool_path"] for mirror in rctx.attr.mirrors]
        urls = urls or ["file:///nonexistent/rules_pystatic/" + deb]
        if not rctx.download(url = urls, output = deb, sha256 = archive["sha256"], allow_fail = True).success:
            missing.append("{} (sha256 {})".format(entry["debian_binary"], archive["sha256"]))
            continue
        _deb_data(rctx, deb)
        versions[key] = {"version": entry["version"], "license": entry["license"], "sha256": archive["sha256"]}
    if missing:
        # buildifier: disable=print
        print(("rules_pystatic: no LLVM BOLT here: cannot fetch the Debian packages {}. -c opt builds link without " +
               "BOLT (bolt = \"on\" fails). Fix: {}.").format(", ".join(missing), MISSING_FIX))
        rctx.file("BUILD.bazel", _MISSING_BUILD.format(missing = ", ".join(missing)))
        return
    rctx.file("versions.json", json.encode_indent(versions) + "\n")
    rctx.file("BUILD.bazel", _BUILD.format(bolt = rctx.attr.binary, libs = rctx.attr.libs))

pinned_debs = repository_rule(
    implementation = _pinned_debs_impl,
    doc = "Debian binary packages of one debs.json group, unpacked into one directory tree.",
    attrs = {
        "binary": attr.string(mandatory = True, doc = "The program's path inside the packages."),
        "group": attr.string(mandatory = True, doc = "The group of debs.json."),
        "libs": attr.string(mandatory = True, doc = "The directory of its libraries inside the packages."),
        "mirrors": attr.string_list(doc = "Debian mirrors' URLs (the directory holding pool/), tried after the repository cache."),
    },
)

def llvm_bolt_repository(name, mirrors = []):
    """@<name>: llvm-bolt 19 from bookworm's bolt-19 and libz3-4 (the module extension and WORKSPACE mode).

    Args:
      name: the repository's name.
      mirrors: Debian mirrors' URLs to download the packages from, when the repository cache lacks them.
    """
    pinned_debs(
        name = name,
        mirrors = mirrors,
        binary = "usr/lib/llvm-19/bin/llvm-bolt",
        group = "llvm_bolt",
        libs = "usr/lib/x86_64-linux-gnu",
    )
