"""py_static_runtime: the toolchain that hands a platform's static CPython distribution to binaries."""

load(":providers.bzl", "PyStaticDistributionInfo")

RUNTIME_TOOLCHAIN_TYPE = "@rules_pystatic//toolchains/cpython:runtime_toolchain_type"

def _py_static_runtime_impl(ctx):
    dist = ctx.attr.distribution[PyStaticDistributionInfo]
    return [platform_common.ToolchainInfo(distribution = dist)]

py_static_runtime = rule(
    implementation = _py_static_runtime_impl,
    doc = "Wraps a cpython_static_distribution as a toolchain, resolved by target platform.",
    attrs = {
        "distribution": attr.label(mandatory = True, providers = [PyStaticDistributionInfo]),
    },
    provides = [platform_common.ToolchainInfo],
)
