"""The checks and reports of a py_static_binary: the static-ELF validation (PyStaticVerifyElf; for
Windows PyStaticVerifyPe: only Windows' own DLLs) and the licence list (PyStaticLicenses); the SBOM
and licence policy are sbom.bzl's."""

load("@pystatic_distribution//toolchains:targets.bzl", "TARGETS")
load("//toolchains/cpython:runtime_info.bzl", "extra_builtins_args")
load(":compression.bzl", "zstd_shipped")
load(":verify_pe.bzl", "verify_pe_action")

def target_row(ctx, runtime):
    """The target's row of TARGETS, by the runtime's triple.

    Args:
      ctx: the py_static_binary's rule context (its label names the target in the error).
      runtime: the runtime toolchain's info (runtime_of).

    Returns:
      The row of @pystatic_distribution//toolchains:targets.bzl.
    """
    triple = runtime.distribution.target_triple
    if triple not in TARGETS:
        fail("{}: the runtime's target {} has no row in @pystatic_distribution//toolchains:targets.bzl (known: {}).".format(
            ctx.label,
            triple,
            ", ".join(TARGETS),
        ))
    return TARGETS[triple]

def verify_action(ctx, runtime, executable):
    """PyStaticVerifyElf (PyStaticVerifyPe for Windows): the executable is static (imports only Windows' DLLs).

    An ELF executable has no program interpreter and no shared libraries; a PE executable imports
    only the DLLs every Windows has (verify_pe.bzl).

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's info (runtime_of).
      executable: the File to check.

    Returns:
      The stamp File, for the _validation output group.
    """
    row = target_row(ctx, runtime)
    if row.pe_machine:
        return verify_pe_action(ctx, executable, row.pe_machine, ctx.executable._verify_pe)
    stamp = ctx.actions.declare_file(ctx.label.name + ".static.ok")
    args = ctx.actions.args()
    args.add(executable)
    args.add("--elf_machine", row.elf_machine)
    args.add("--stamp", stamp)
    ctx.actions.run(
        executable = ctx.executable._verify_elf,
        arguments = [args],
        inputs = [executable],
        outputs = [stamp],
        mnemonic = "PyStaticVerifyElf",
        progress_message = "Checking that %{label} is fully static",
    )
    return stamp

def licenses_action(ctx, runtime, blob, pack_report):
    """PyStaticLicenses: <name>.licenses.json, the licences of CPython, its C libraries and the embedded dists.

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's info (runtime_of).
      blob: the resource blob File (its distribution metadata).
      pack_report: the pack step's JSON report (the built-ins left out: their libraries are not linked).

    Returns:
      The licences JSON File.
    """
    report = ctx.actions.declare_file(ctx.label.name + ".licenses.json")
    dist = runtime.distribution
    args = ctx.actions.args()
    args.add("--target", str(ctx.label))
    args.add("--descriptor", dist.descriptor)
    args.add("--distribution", dist.distribution.path)
    args.add("--blob", blob)
    args.add("--report", pack_report)  # the built-ins left out of the inittab: their libraries are not linked
    if zstd_shipped(ctx):
        args.add("--runtime_lib", "zstd")
    extra_inputs = extra_builtins_args(args, runtime, directory = True)
    args.add("--output", report)
    ctx.actions.run(
        executable = ctx.executable._licenses,
        arguments = [args],
        inputs = [dist.descriptor, dist.distribution, blob, pack_report] + extra_inputs,
        outputs = [report],
        mnemonic = "PyStaticLicenses",
        progress_message = "Listing the licences of what %{label} contains",
    )
    return report
