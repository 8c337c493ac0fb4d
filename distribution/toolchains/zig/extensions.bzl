"""Module extension `zig`: creates @pystatic_zig (see repositories.bzl)."""

load("//toolchains:exec_tools.bzl", "exec_tools")
load(":repositories.bzl", "zig_sdk")

def _zig_impl(mctx):
    zig_sdk(name = "pystatic_zig")
    exec_tools(name = "pystatic_exec_tools")
    return mctx.extension_metadata()

zig = module_extension(
    implementation = _zig_impl,
    doc = "Hermetic zig for the linux-musl C toolchains; the version and sha256 are pinned in versions.bzl.",
)
