"""pystatic_verified_pe: the build-time check that a Windows executable imports only Windows' DLLs.

The counterpart of py_static_binary's PyStaticVerifyElf for the windows targets (TARGETS rows with
a `pe_machine`): actions/pystatic/binary/verify_pe.py fails the build naming any DLL a user's
Windows lacks (MinGW's or MSVC's runtime DLLs, a python3xx.dll) and writes the imported DLLs.
"""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain", "use_cpp_toolchain")
load("@pystatic_distribution//toolchains:targets.bzl", "TARGETS")

def verify_pe_action(ctx, executable, pe_machine, verify_pe):
    """PyStaticVerifyPe: `<name>.imports.txt`, the DLLs `executable` imports; fails naming one Windows lacks.

    Args:
      ctx: the rule context (its label names the output).
      executable: the .exe File.
      pe_machine: the target row's pe_machine.
      verify_pe: the verify_pe tool (an executable File of the exec configuration).

    Returns:
      The imports File (py_static_binary: a validation output).
    """
    imports = ctx.actions.declare_file(ctx.label.name + ".imports.txt")
    args = ctx.actions.args()
    args.add(executable)
    args.add("--pe_machine", pe_machine)
    args.add("--stamp", imports)
    ctx.actions.run(
        executable = verify_pe,
        arguments = [args],
        inputs = [executable],
        outputs = [imports],
        mnemonic = "PyStaticVerifyPe",
        progress_message = "Checking that %{label} imports only Windows' own DLLs",
    )
    return imports

def _pystatic_verified_pe_impl(ctx):
    triple = find_cpp_toolchain(ctx).target_gnu_system_name
    row = TARGETS.get(triple)
    if row == None or not row.pe_machine:
        fail("{}: the C toolchain targets '{}', which is not a windows target of @pystatic_distribution//toolchains:targets.bzl (rows with a pe_machine: {}). Fix: build with --platforms=@rules_pystatic//platforms:windows_x86_64.".format(
            ctx.label,
            triple,
            ", ".join([t for t in TARGETS if TARGETS[t].pe_machine]),
        ))
    imports = verify_pe_action(ctx, ctx.executable.binary, row.pe_machine, ctx.executable._verify_pe)
    return [DefaultInfo(files = depset([imports]))]

pystatic_verified_pe = rule(
    implementation = _pystatic_verified_pe_impl,
    doc = "The DLLs a Windows executable imports (`<name>.imports.txt`); the build fails if one is not part of Windows.",
    attrs = {
        "binary": attr.label(mandatory = True, executable = True, cfg = "target", doc = "The .exe to check."),
        "_verify_pe": attr.label(default = "//actions:verify_pe", executable = True, cfg = "exec"),
    },
    toolchains = use_cpp_toolchain(),
    fragments = ["cpp"],
)
