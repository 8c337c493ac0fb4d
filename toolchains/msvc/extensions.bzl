"""Module extension `msvc`: creates @pystatic_msvc (see repositories.bzl)."""

load(":repositories.bzl", "msvc_configure")

def _msvc_impl(_mctx):
    msvc_configure(name = "pystatic_msvc")

msvc = module_extension(
    implementation = _msvc_impl,
    doc = "The MSVC C toolchain for //platforms:windows_msvc, found on the Windows build machine.",
)
