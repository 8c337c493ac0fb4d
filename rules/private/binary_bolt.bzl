"""PyStaticBolt: a py_static_binary's link replayed with relocations and optimised by LLVM's BOLT.

BOLT reorders the interpreter's code by the profile of the distribution's core (docs/cpython.md,
BOLT). It needs the link's relocations (`--emit-relocs`), which zig cc refuses, so the action runs
the link itself: the same tool, objects, archives and flags as the CppLink (which Bazel then skips:
nothing reads its output), and relinks through `zig ld.lld` (actions/pystatic/binary/bolt.py).
"""

load("@pystatic_distribution//toolchains/bolt:repositories.bzl", "MISSING_FIX")

BOLT_MODES = ["auto", "on", "off"]

_LINK_ACTION = "c++-link-executable"

def bolt_tools(bolt):
    """The macro's value of the rule's `llvm_bolt` attribute for its `bolt` value.

    A select, so that the pinned llvm-bolt packages are fetched only by builds that use them:
    `auto` on x86_64 `-c opt` builds, `on` always.

    Args:
      bolt: the target's `bolt` attribute (BOLT_MODES).

    Returns:
      None, the label of @pystatic_llvm_bolt//:llvm_bolt, or a select between them.
    """
    if bolt == "off":
        return None
    tools = Label("@pystatic_llvm_bolt//:llvm_bolt")
    if bolt == "on":
        return tools
    return select({
        Label("//rules/private:bolt_by_default"): tools,
        "//conditions:default": None,
    })

def bolt_enabled(ctx, runtime):
    """Whether this binary goes through PyStaticBolt; fails when `bolt = "on"` cannot be honoured.

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's PyStaticRuntimeInfo (its bolt_profile).

    Returns:
      bool.
    """
    if ctx.attr.bolt == "off" or ctx.attr.llvm_bolt == None:
        return False
    if not ctx.files.llvm_bolt:
        # @pystatic_llvm_bolt is empty: its packages could not be fetched (the repository warned once).
        if ctx.attr.bolt == "on":
            fail(("{}: bolt = \"on\", but LLVM's BOLT is not available here: its pinned Debian packages could not be " +
                  "fetched (distribution/toolchains/bolt/debs.json). Fix: {}; or bolt = \"auto\" (BOLT where it is " +
                  "available) or \"off\".").format(ctx.label, MISSING_FIX))
        return False
    if not runtime.bolt_profile:
        if ctx.attr.bolt == "on":
            fail(("{}: bolt = \"on\", but the runtime of this target and Python build has no BOLT profile (one is made " +
                  "per CPython source and CPU: x86_64 only, the GIL build: docs/cpython.md, BOLT). Fix: bolt = \"auto\" " +
                  "(BOLT where a profile exists) or \"off\".").format(ctx.label))
        return False
    return True

def bolt_action(ctx, runtime, features, cc_toolchain, objects, linking_contexts, link_flags, link_inputs, name):
    """Links and optimises the executable `name` (bolt.py) instead of cc_common.link.

    Args:
      ctx: the py_static_binary's rule context.
      runtime: the runtime toolchain's PyStaticRuntimeInfo (its bolt_profile).
      features: the C toolchain's feature configuration.
      cc_toolchain: the C toolchain.
      objects: list of File: the compiled objects, first on the link line.
      linking_contexts: the CcLinkingContexts, in the link's order.
      link_flags: user link flags, as cc_common.link is given them.
      link_inputs: list of File the flags name (a linker script).
      name: the executable's name.

    Returns:
      (the executable, the action's JSON report).
    """

    # buildifier: disable=native-cc-common
    variables = cc_common.create_link_variables(
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        user_link_flags = link_flags,
        is_using_linker = True,
        is_linking_dynamic_library = False,
        is_static_linking_mode = True,
    )

    # buildifier: disable=native-cc-common
    tool = cc_common.get_tool_for_action(feature_configuration = features, action_name = _LINK_ACTION)

    # buildifier: disable=native-cc-common
    flags = cc_common.get_memory_inefficient_command_line(
        feature_configuration = features,
        action_name = _LINK_ACTION,
        variables = variables,
    )

    # buildifier: disable=native-cc-common
    env = cc_common.get_environment_variables(
        feature_configuration = features,
        action_name = _LINK_ACTION,
        variables = variables,
    )

    # CppLink's order: the objects, the libraries (linking contexts in order), then the flags.
    library_args, library_inputs, library_flags = [], [], []
    for context in linking_contexts:
        for linker_input in context.linker_inputs.to_list():
            library_flags.extend(linker_input.user_link_flags)
            for library in linker_input.libraries:
                archive = library.static_library or library.pic_static_library
                members = [archive] if archive else (library.objects or library.pic_objects)
                library_inputs.extend(members)
                if archive and library.alwayslink:
                    library_args.extend(["-Wl,--whole-archive", archive.path, "-Wl,--no-whole-archive"])
                else:
                    library_args.extend([member.path for member in members])

    llvm_bolt = [f for f in ctx.files.llvm_bolt if f.basename == "llvm-bolt"]
    shared_libraries = [f for f in ctx.files.llvm_bolt if ".so" in f.basename]
    if len(llvm_bolt) != 1:
        fail("{}: llvm_bolt names no llvm-bolt program: {}".format(ctx.label, ctx.files.llvm_bolt))

    executable = ctx.actions.declare_file(name)
    report = ctx.actions.declare_file(ctx.label.name + ".bolt.json")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--target", str(ctx.label))
    args.add("--zig", ctx.file._zig)
    args.add("--llvm_bolt", llvm_bolt[0])
    if shared_libraries:
        args.add("--llvm_bolt_libs", shared_libraries[0].dirname)
    args.add("--profile", runtime.bolt_profile)
    args.add("--output", executable)
    args.add("--report", report)
    args.add("--")
    args.add(tool)
    args.add_all(objects)
    args.add_all(library_args)
    args.add_all(flags)
    args.add_all(library_flags)
    ctx.actions.run(
        executable = ctx.executable._bolt,
        arguments = [args],
        inputs = depset(
            objects + library_inputs + link_inputs + ctx.files.llvm_bolt + [ctx.file._zig, runtime.bolt_profile],
            transitive = [cc_toolchain.all_files],
        ),
        outputs = [executable, report],
        env = env,
        mnemonic = "PyStaticBolt",
        progress_message = "Optimising %{label} with BOLT (link with relocations, llvm-bolt: about 30 s)",
    )
    return executable, report
