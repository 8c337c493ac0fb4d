"""The static CPython's headers as a compilation context, for the runtime and extensions."""

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
