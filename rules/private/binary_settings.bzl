"""<name>.settings.json of a py_static_binary: its attribute-derived settings, with the entry point
checked at analysis (read by actions/pystatic/binary/settings.py)."""

load(":binary_deps.bzl", "linked_extensions")
load(":compression.bzl", "zstd_linked", "zstd_payloads")
load(":dotted_name.bzl", "is_dotted_name")

def _entry_point(ctx):
    """(module or "", function or "", main file or None), with analysis errors for bad combinations."""
    if len([a for a in [ctx.attr.main, ctx.attr.entry_point, ctx.attr.console_script] if a]) > 1:
        fail("{}: set only one of main, entry_point and console_script.".format(ctx.label))
    if ctx.attr.interpreter:
        if ctx.attr.main or ctx.attr.entry_point or ctx.attr.console_script:
            fail(("{}: an interpreter runs its command line (-c, -m, a script), not an entry point. " +
                  "Fix: remove main/entry_point/console_script, or use py_static_binary.").format(ctx.label))
        return "", "", None
    if ctx.attr.console_script:
        return "", "", None
    if ctx.attr.entry_point:
        module, _, function = ctx.attr.entry_point.partition(":")
        if not is_dotted_name(module) or (function and not is_dotted_name(function)):
            fail("{}: entry_point '{}' is not 'package.module' or 'package.module:function'.".format(ctx.label, ctx.attr.entry_point))
        return module, function, None
    main = ctx.file.main
    if main == None:
        default = [f for f in ctx.files.srcs if f.basename == ctx.label.name + ".py"]
        if not default:
            fail(("{}: no entry point. Fix: set main = \"<file in srcs>.py\" (run as __main__) or " +
                  "entry_point = \"package.module:function\" (or name a srcs file {}.py).").format(ctx.label, ctx.label.name))
        main = default[0]
    if main not in ctx.files.srcs:
        fail("{}: main {} is not in srcs. Fix: add it to srcs.".format(ctx.label, main.short_path))
    return "", "", main

def settings_action(ctx):
    """Writes <name>.settings.json: every attribute-derived setting of the pack and glue steps.

    One spelling for both (actions/pystatic/binary/settings.py reads it; its defaults are the rule's).

    Args:
      ctx: the py_static_binary's rule context.

    Returns:
      The settings JSON File.
    """
    entry_module, entry_function, main = _entry_point(ctx)
    settings = ctx.actions.declare_file(ctx.label.name + ".settings.json")
    ctx.actions.write(settings, json.encode(struct(
        target = str(ctx.label),
        entry_point = struct(
            module = entry_module,
            function = entry_function,
            main = main.path if main else "",
            console_script = ctx.attr.console_script,
        ),
        interpreter = ctx.attr.interpreter,
        stdlib_mode = ctx.attr.stdlib,
        stdlib_include = ctx.attr.stdlib_include,
        stdlib_exclude = ctx.attr.stdlib_exclude,
        include_sources = ctx.attr.include_sources,
        stdlib_sources = ctx.attr.stdlib_sources,
        zstd_level = ctx.attr.compression_level if zstd_linked(ctx) else None,
        zstd_payloads = zstd_payloads(ctx),
        extract_packages = ctx.attr.extract_packages,
        native_debug_info = ctx.attr.native_debug_info,
        file_view = ctx.attr.file_view,
        allocator = ctx.attr.allocator,
        optimize = ctx.attr.optimize,
        utf8_mode = ctx.attr.utf8_mode,
        use_environment = ctx.attr.use_environment,
        buffered_stdio = ctx.attr.buffered_stdio,
        # The blob serves the stdlib: CPython's frozen copies of os, codecs, io, ... stay out of the
        # link (an interpreter keeps them: CPython's tests import the frozen test modules).
        frozen_bootstrap_only = not ctx.attr.interpreter,
        zstd_linked = zstd_linked(ctx),
        extensions = [[ext.module, ext.init_function] for ext in linked_extensions(ctx)],
    )))
    return settings
