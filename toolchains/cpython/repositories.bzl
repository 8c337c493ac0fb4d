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
    filename = entry["urls"][0].rpartition("/")[2]
    result = rctx.download(url = entry["urls"], output = filename, sha256 = entry["sha256"], allow_fail = True)
    if not result.success:
        fail(("rules_pystatic: cannot fetch {} (sha256 {}) from {}.\n" +
              "  Offline? Seed Bazel's repository cache from Debian's source packages: tools/seed_sources\n" +
              "  A sha256 mismatch means the server's file differs from the pin in {}.").format(
            filename,
            entry["sha256"],
            ", ".join(entry["urls"]),
            SOURCES_JSON,
        ))
    rctx.file("BUILD.bazel", """\
package(default_visibility = ["//visibility:public"])

exports_files(["{0}"])

filegroup(
    name = "file",
    srcs = ["{0}"],
)
""".format(filename))

pinned_source = repository_rule(
    implementation = _pinned_source_impl,
    doc = "A source archive pinned in sources.json, exposed as :file.",
    attrs = {
        "group": attr.string(mandatory = True, doc = "Top-level key of sources.json, e.g. cpython."),
        "key": attr.string(mandatory = True, doc = "Entry within the group, e.g. 3.13."),
    },
)

def _cpython_versions_impl(rctx):
    sources = json.decode(rctx.read(rctx.path(SOURCES_JSON)))["cpython"]
    lines = ["# Generated from {} by cpython_versions.".format(SOURCES_JSON), "VERSIONS = {"]
    for key, entry in sorted(sources.items()):
        lines.append("    {}: struct(version = {}, strip_prefix = {}, license = {}),".format(
            repr(key),
            repr(entry["version"]),
            repr(entry["strip_prefix"]),
            repr(entry["license"]),
        ))
    lines.append("}")
    rctx.file("versions.bzl", "\n".join(lines) + "\n")
    rctx.file("BUILD.bazel", 'exports_files(["versions.bzl"])\n')

# BUILD files load versions from here, not from the source repositories: loading a package must
# not download a 20 MB archive that only the CPython build action reads.
cpython_versions = repository_rule(
    implementation = _cpython_versions_impl,
    doc = "versions.bzl: full version and archive prefix of each pinned CPython (no download).",
)
