"""A runtime toolchain that fails analysis: the target has a C toolchain but no static CPython (of this Python build) yet.

Registered after the real runtime toolchains for the rows of
@pystatic_distribution//toolchains:targets.bzl with `cpython = False` (Windows x86_64:
docs/windows.md), so a py_static_binary built for them with a Python build they lack (3.13t on
Windows), or for a target with none, fails naming what is missing, instead of Bazel's "No matching
toolchains found".
"""

def _no_cpython_runtime_impl(ctx):
    if ctx.attr.builds:
        fail(("rules_pystatic builds Python {} for target platform {} ({}), not the Python build this target asks " +
              "for ({}).\n  Fix: set python_version = \"{}\" on the py_static_binary (or " +
              "--@rules_pystatic//python:version={}), or build for a platform that has it: {}.").format(
            ", ".join(ctx.attr.builds),
            ctx.fragments.platform.platform,
            ctx.attr.triple,
            ctx.attr.status,
            ctx.attr.builds[0],
            ctx.attr.builds[0],
            ", ".join(ctx.attr.supported),
        ))
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
        "builds": attr.string_list(doc = "The Python builds the target has (their toolchains are registered before this one)."),
        "status": attr.string(mandatory = True, doc = "Where the missing part is described."),
        "supported": attr.string_list(mandatory = True, doc = "The platforms that have a static CPython."),
        "triple": attr.string(mandatory = True),
    },
    fragments = ["platform"],
)
