"""A binary's SBOM (SPDX 2.3, CycloneDX 1.6) and its licence policy (docs/sbom.md).

Actions (actions/pystatic/binary/sbom.py):
  PyStaticLicensePolicy  validation, before the link: fails on a denied licence, warns on unknown ones
  PyStaticSbom           <name>.spdx.json and <name>.cdx.json of the linked executable
"""

load("@pystatic_distribution//toolchains/zig:versions.bzl", "ZIG_LIBCXX_VERSION", "ZIG_MUSL_VERSION", "ZIG_VERSION", "ZIG_WHEELS")
load("//toolchains/cpython:runtime_info.bzl", "extra_builtins_args")
load(":compression.bzl", "zstd_shipped")
load(":providers.bzl", "PyStaticExtensionInfo")

LicensesDeniedInfo = provider(
    doc = "The repository-wide licence deny list (--@rules_pystatic//rules:licenses_denied).",
    fields = {"denied": "list of str: SPDX licence ids"},
)

def _licenses_denied_setting_impl(ctx):
    return LicensesDeniedInfo(denied = ctx.build_setting_value)

licenses_denied_setting = rule(
    implementation = _licenses_denied_setting_impl,
    doc = "A string_list flag: SPDX licence ids no py_static_binary may embed, added to each binary's licenses_denied.",
    build_setting = config.string_list(flag = True),
)

SBOM_ATTRS = {
    "licenses_denied": attr.string_list(
        doc = "SPDX licence ids this binary must not embed (e.g. GPL-3.0-only); added to " +
              "--@rules_pystatic//rules:licenses_denied. A component whose licence expression cannot " +
              "avoid one fails the build.",
    ),
    "_licenses_denied_default": attr.label(default = "//rules:licenses_denied", providers = [LicensesDeniedInfo]),
    "_sbom": attr.label(default = "//actions:sbom", executable = True, cfg = "exec"),
    "_sources_json": attr.label(default = "@pystatic_distribution//toolchains/cpython:sources.json", allow_single_file = True),
}

def _common_args(ctx, runtime, blob, report):
    dist = runtime.distribution
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--target", str(ctx.label))
    args.add("--descriptor", dist.descriptor)
    extra_inputs = extra_builtins_args(args, runtime)
    args.add("--cpython_sbom", dist.cpython_sbom)
    args.add("--sources", ctx.file._sources_json)
    args.add("--blob", blob)
    args.add("--report", report)  # the built-ins left out of the inittab: their libraries are not linked
    args.add("--zig_version", ZIG_VERSION)
    args.add("--musl_version", ZIG_MUSL_VERSION)
    args.add("--cxx_runtime_version", ZIG_LIBCXX_VERSION)

    # The sdist builds (and zig's C++ runtime) run on the x86_64 build machine (docs/extensions.md).
    args.add("--zig_sha256", ZIG_WHEELS["linux-x86_64"].sha256)
    if zstd_shipped(ctx):
        args.add("--runtime_lib", "zstd")  # libzstd decodes compressed resources or the compressed executable
    for dep in ctx.attr.deps:
        if PyStaticExtensionInfo in dep:
            args.add("--extension", "{}={}".format(dep[PyStaticExtensionInfo].module, dep.label))
    return args, [dist.descriptor, dist.cpython_sbom, ctx.file._sources_json, blob, report] + extra_inputs

def sbom_actions(ctx, runtime, blob, report, executable):
    """The licence policy (validation) and the SBOM actions of a py_static_binary.

    Args:
      ctx: the binary's rule context (with SBOM_ATTRS).
      runtime: the py_static_runtime toolchain info.
      blob: File, the binary's resource blob (embedded .dist-info).
      report: File, the pack step's report (<name>.blob.json: the built-ins left out of the inittab).
      executable: File, the linked executable (its sha256 goes into the SBOM).

    Returns:
      (spdx File, cdx File, policy stamp File).
    """
    denied = sorted({d: None for d in ctx.attr.licenses_denied + ctx.attr._licenses_denied_default[LicensesDeniedInfo].denied}.keys())
    stamp = ctx.actions.declare_file(ctx.label.name + ".licenses_policy.txt")
    args, inputs = _common_args(ctx, runtime, blob, report)
    args.add_all(denied, before_each = "--licenses_denied")
    args.add("--policy_stamp", stamp)
    ctx.actions.run(
        executable = ctx.executable._sbom,
        arguments = [args],
        inputs = inputs,
        outputs = [stamp],
        mnemonic = "PyStaticLicensePolicy",
        progress_message = "Checking the licences of what %{label} embeds",
    )

    spdx = ctx.actions.declare_file(ctx.label.name + ".spdx.json")
    cdx = ctx.actions.declare_file(ctx.label.name + ".cdx.json")
    args, inputs = _common_args(ctx, runtime, blob, report)
    args.add("--name", executable.basename)
    args.add("--executable", executable)
    args.add("--spdx", spdx)
    args.add("--cdx", cdx)
    ctx.actions.run(
        executable = ctx.executable._sbom,
        arguments = [args],
        inputs = inputs + [executable],
        outputs = [spdx, cdx],
        mnemonic = "PyStaticSbom",
        progress_message = "Writing the SBOM (SPDX, CycloneDX) of %{label}",
    )
    return spdx, cdx, stamp
