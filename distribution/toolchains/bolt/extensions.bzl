"""Module extension `bolt`: creates @pystatic_llvm_bolt (repositories.bzl), fetched only by builds with BOLT."""

load(":repositories.bzl", "llvm_bolt_repository")

def _bolt_impl(mctx):
    mirrors = [tag.url for mod in mctx.modules for tag in mod.tags.mirror]
    llvm_bolt_repository(name = "pystatic_llvm_bolt", mirrors = mirrors)
    return mctx.extension_metadata(reproducible = True)

bolt = module_extension(
    implementation = _bolt_impl,
    doc = "LLVM's BOLT from Debian's pinned binary packages (debs.json), for PyStaticBolt actions.",
    tag_classes = {
        "mirror": tag_class(
            attrs = {"url": attr.string(mandatory = True, doc = "A Debian mirror's URL: the directory that holds pool/.")},
            doc = "Download the pinned packages from this Debian mirror when Bazel's repository cache lacks them " +
                  "(tools/seed_sources fills it without one).",
        ),
    },
)
