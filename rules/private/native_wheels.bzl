"""The binary's side of wheels' shared objects loaded from memory (docs/native-wheels.md).

The pack step embeds the shared objects the wheel checks load (its report lists them); the native
gate (actions/pystatic/binary/native_exports.py) checks each one can be loaded and writes the
executable's export table and a linker script; after the link, check_native_exports.py proves that
every strong symbol they need is defined. The runtime's loader is runtime/native_*.c.
"""

load(":providers.bzl", "PyStaticWheelCheckInfo")

# DT_NEEDED names the executable itself provides: musllinux wheels expect zlib from the system
# (Pillow), and every distribution links zlib. libc's names are the loader's own list.
PROVIDED_LIBRARIES = ["libz.so.1"]

def wheel_natives(ctx):
    """Every shared object of the deps' wheels: struct(package, path, file) (PyStaticWheelCheckInfo.natives)."""
    return depset(transitive = [dep[PyStaticWheelCheckInfo].natives for dep in ctx.attr.deps if PyStaticWheelCheckInfo in dep]).to_list()

def native_exports_action(ctx, shared_objects, target, broad_from = None):
    """The native gate: checks each embedded shared object and writes what the link needs for them.

    Args:
      ctx: the py_static_binary's context.
      shared_objects: the pack step's JSON of the shared objects it embedded.
      target: the target's row of targets.bzl (its cpu and elf_machine).
      broad_from: a py_static_interpreter's static archive (the distribution's): the table also
        exports its Python C API and zlib and musl's public names (ctx.file._musl_libc_symbols), so
        shared objects on disk load (docs/native-objects.md, The broad table of an interpreter).

    Returns:
      struct(asm: the export table, link_script: pulls its symbols in, needs: JSON for the check).
    """
    asm = ctx.actions.declare_file(ctx.label.name + ".exports.S")
    link_script = ctx.actions.declare_file(ctx.label.name + ".exports.ld")
    needs = ctx.actions.declare_file(ctx.label.name + ".exports.json")
    natives = [n.file for n in wheel_natives(ctx)]
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--pack_report", shared_objects)
    args.add("--elf_machine", target.elf_machine)
    args.add("--cpu", target.cpu)
    args.add_all(PROVIDED_LIBRARIES, before_each = "--provided_library")
    args.add("--asm", asm)
    args.add("--link_script", link_script)
    args.add("--report", needs)
    broad = [ctx.file._musl_libc_symbols]
    if broad_from:
        broad.append(broad_from)
        args.add("--export_all_from", broad_from)
        args.add("--libc_symbols", ctx.file._musl_libc_symbols)
    else:
        # Exported whole only if a module calls the C library by name through ctypes (pack report).
        args.add("--libc_symbols_if_named", ctx.file._musl_libc_symbols)
    ctx.actions.run(
        executable = ctx.executable._native_exports,
        arguments = [args],
        inputs = [shared_objects] + natives + broad,
        outputs = [asm, link_script, needs],
        mnemonic = "PyStaticNativeExports",
        progress_message = "Checking the shared objects %{label} loads and listing what they need from it",
    )
    return struct(asm = asm, link_script = link_script, needs = needs)

def check_native_exports_action(ctx, executable, exports):
    """Validation: every strong symbol the shared objects need is defined in the linked executable.

    Args:
      ctx: the py_static_binary's context.
      executable: the linked executable.
      exports: native_exports_action's struct.

    Returns:
      The stamp file (a validation output).
    """
    stamp = ctx.actions.declare_file(ctx.label.name + ".exports.ok")
    args = ctx.actions.args()
    args.add("--executable", executable)
    args.add("--report", exports.needs)
    args.add("--stamp", stamp)
    ctx.actions.run(
        executable = ctx.executable._check_native_exports,
        arguments = [args],
        inputs = [executable, exports.needs],
        outputs = [stamp],
        mnemonic = "PyStaticCheckNativeExports",
        progress_message = "Checking that %{label} defines what its shared objects need",
    )
    return stamp
