"""A cc toolchain config that fails analysis, naming the platforms rules_pystatic supports.

Registered last for targets that carry one of rules_pystatic's constraints (the libc setting,
or the msvc compiler) but match no real toolchain, e.g. musl on riscv64, or glibc: without it
Bazel's error would only say "No matching toolchains found".
"""

load("@pystatic_distribution//toolchains:targets.bzl", "supported_platforms")

SUPPORTED_PLATFORMS = supported_platforms()

def _unsupported_cc_toolchain_config_impl(ctx):
    fail(("rules_pystatic has no C toolchain for target platform {} ({}).\n" +
          "  Supported target platforms (or your own with the same constraints):\n    {}\n" +
          "  Fix: pass one of them to --platforms.").format(
        ctx.fragments.platform.platform,
        ctx.attr.reason,
        "\n    ".join(SUPPORTED_PLATFORMS),
    ))

unsupported_cc_toolchain_config = rule(
    implementation = _unsupported_cc_toolchain_config_impl,
    attrs = {"reason": attr.string(mandatory = True)},
    fragments = ["platform"],
    provides = [CcToolchainConfigInfo],
)
