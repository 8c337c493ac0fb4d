"""What the ruleset's C compiles share: the static CPython's headers and the rule's C features."""

def python_headers(distribution):
    """CompilationContext with `<distribution>/include` as a system include directory.

    Args:
      distribution: PyStaticDistributionInfo of the target platform.

    Returns:
      A CompilationContext; the distribution is one directory output, declared as the headers.
    """

    # buildifier: disable=native-cc-common
    return cc_common.create_compilation_context(
        headers = depset([distribution.distribution]),
        system_includes = depset([distribution.distribution.path + "/include"]),
    )

def cc_features(ctx, cc_toolchain):
    """The C toolchain's feature configuration with the features ctx's target asks for (and disables).

    Args:
      ctx: the rule context.
      cc_toolchain: the resolved C toolchain (find_cpp_toolchain).

    Returns:
      A FeatureConfiguration for cc_common.compile and cc_common.link.
    """

    # Native cc_common: rules_cc 0.0.9 (Bazel 7's WORKSPACE default) has no cc/common:cc_common.bzl.
    # buildifier: disable=native-cc-common
    return cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
