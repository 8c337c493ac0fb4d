"""Module extension `bolt`: creates @pystatic_llvm_bolt (repositories.bzl), fetched only by builds with BOLT."""

load(":repositories.bzl", "llvm_bolt_repository")

def _bolt_impl(mctx):
    llvm_bolt_repository(name = "pystatic_llvm_bolt")
    return mctx.extension_metadata(reproducible = True)

bolt = module_extension(
    implementation = _bolt_impl,
    doc = "LLVM's BOLT from Debian's pinned binary packages (debs.json), for PyStaticBolt actions.",
)
