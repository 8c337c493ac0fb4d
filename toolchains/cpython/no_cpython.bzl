"""A runtime toolchain that fails analysis: the target has a C toolchain but no static CPython yet.

Registered for the rows of @pystatic_distribution//toolchains:targets.bzl with `cpython = False`
(Windows x86_64: docs/windows.md), so a py_static_binary built for them (with a
target_compatible_with that allows it) fails naming what is missing, instead of Bazel's
"No matching toolchains found".
"""

def _no_cpython_runtime_impl(ctx):
    fail(("rules_pystatic has no static CPython for target platform {} ({}) yet: its C toolchain " +
          "exists (cc_binary builds), the distribution and the runtime do not ({}).\n" +
          "  Fix: build py_static_binary / py_static_interpreter for a platform with a static CPython: {}.").format(
        ctx.fragments.platform.platform,
        ctx.attr.triple,
        ctx.attr.status,
        ", ".join(ctx.attr.supported),
    ))

no_cpython_runtime = rule(
    implementation = _no_cpython_runtime_impl,
    attrs = {
        "status": attr.string(mandatory = True, doc = "Where the missing part is described."),
        "supported": attr.string_list(mandatory = True, doc = "The platforms that have a static CPython."),
        "triple": attr.string(mandatory = True),
    },
    fragments = ["platform"],
)
