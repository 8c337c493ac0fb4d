"""pinned_source: one upstream source archive from sources.json, fetched by URL and verified by sha256.

Offline, Bazel finds it in its repository cache by sha256 alone; tools/seed_sources puts Debian's
byte-identical .orig tarballs there. The archive is not extracted here: the build action reads it
as one input, which keeps sandbox set-up cheap for trees of thousands of files.
"""

SOURCES_JSON = Label("//toolchains/cpython:sources.json")

def _pinned_source_impl(rctx):
    sources = json.decode(rctx.read(rctx.path(SOURCES_JSON)))
    entries = sources.get(rctx.attr.group, {})
    if rctx.attr.key not in entries:
        fail("rules_pystatic: unknown {} source '{}'; known: {}. Fix: use one of them, or pin it in {}.".format(
            rctx.attr.group,
            rctx.attr.key,
            ", ".join(sorted(entries)),
            SOURCES_JSON,
        ))
    entry = entries[rctx.attr.key]
    archives = entry["archives"]
    filename = archives[0]["urls"][0].rpartition("/")[2]
    used = None
    for archive in archives:
        # With a sha256, Bazel looks in its repository cache before any URL; an archive without
        # URLs (a verified repack) is only ever found there.
        urls = archive["urls"] or ["file:///nonexistent/rules_pystatic/" + filename]
        if rctx.download(url = urls, output = filename, sha256 = archive["sha256"], allow_fail = True).success:
            used = archive
            break
    if not used:
        fail(("rules_pystatic: cannot fetch {} {} ({}) from {}.\n" +
              "  Offline? Seed Bazel's repository cache from Debian's source packages: tools/seed_sources\n" +
              "  A sha256 mismatch means the server's file differs from the pins in {}.").format(
            rctx.attr.key,
            entry["version"],
            filename,
            ", ".join(archives[0]["urls"]),
            SOURCES_JSON,
        ))
    rctx.file("origin.json", json.encode({
        "name": rctx.attr.key,
        "version": entry["version"],
        "license": entry["license"],
        "sha256": used["sha256"],
        "origin": used["origin"],
    }) + "\n")
    rctx.file("BUILD.bazel", """\
package(default_visibility = ["//visibility:public"])

exports_files(["{0}", "origin.json"])

filegroup(
    name = "file",
    srcs = ["{0}"],
)
""".format(filename))

pinned_source = repository_rule(
    implementation = _pinned_source_impl,
    doc = "A source pinned in sources.json: the first of its acceptable archives found, as :file (origin in origin.json).",
    attrs = {
        "group": attr.string(mandatory = True, doc = "Top-level key of sources.json, e.g. cpython."),
        "key": attr.string(mandatory = True, doc = "Entry within the group, e.g. 3.13."),
    },
)

def _cpython_versions_impl(rctx):
    data = json.decode(rctx.read(rctx.path(SOURCES_JSON)))
    lines = ["# Generated from {} by cpython_versions.".format(SOURCES_JSON)]
    lines.append("DEPENDENCIES = {}".format(repr(sorted(data["deps"]))))
    lines.append("NATIVE_LIBRARIES = {}".format(repr(sorted(data.get("native", {})))))
    lines.append("EXTRA_BUILTIN_LIBRARIES = {}".format(repr(sorted(data.get("extra_builtins", {})))))
    lines.append("VERSIONS = {")
    for key, entry in sorted(data["cpython"].items()):
        lines.append("    {}: struct(version = {}, license = {}),".format(
            repr(key),
            repr(entry["version"]),
            repr(entry["license"]),
        ))
    lines.append("}")
    rctx.file("versions.bzl", "\n".join(lines) + "\n")
    rctx.file("BUILD.bazel", 'exports_files(["versions.bzl"])\n')

# BUILD files load versions from here, not from the source repositories: loading a package must
# not download a 20 MB archive that only the CPython build action reads.
cpython_versions = repository_rule(
    implementation = _cpython_versions_impl,
    doc = "versions.bzl: each pinned CPython's version and licence, the dependency, native and extra built-ins' library names (no download).",
)
