"""pystatic_resources: names a target's Python sources and data files for import."""

load(":providers.bzl", "PyStaticResourcesInfo")

def repo_relative_path(file):
    """Path of a file inside its own repository.

    Args:
      file: a File; sources of external repositories have short paths `../<repo>/...`.

    Returns:
      The path relative to the root of the file's repository.
    """
    path = file.short_path
    if path.startswith("../"):
        path = path.split("/", 2)[2]
    return path

def import_roots(ctx):
    """Import roots of a target, like rules_python: the repository root plus `imports`.

    Args:
      ctx: the rule context; `imports` entries are relative to its package.

    Returns:
      A list of repository-relative directories ("" is the repository root).
    """
    roots = [""]
    for entry in ctx.attr.imports:
        root = (ctx.label.package + "/" + entry) if ctx.label.package else entry
        parts = []
        for part in root.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if not parts:
                    fail("{}: imports entry '{}' leaves the repository. Fix: use a path inside it.".format(
                        ctx.label,
                        entry,
                    ))
                parts.pop()
            else:
                parts.append(part)
        roots.append("/".join(parts))
    return roots

def _runfiles_root(ctx, root):
    return (ctx.label.workspace_name or ctx.workspace_name) + "/" + root

def _src_args(file):
    return ["--src", repo_relative_path(file), file.path]

def _data_args(file):
    return ["--data", repo_relative_path(file), file.path]

def manifest_action(ctx, sources, data, roots):
    """Declares the PyStaticManifest action (actions/pystatic/binary/resource_manifest.py).

    Args:
      ctx: rule context with a `_resource_manifest` tool attribute.
      sources: list of File, Python sources (each must be importable).
      data: list of File, data files (a `.py` file among them that no import names stays data).
      roots: list of repository-relative import roots.

    Returns:
      The manifest File, `<name>.resources.json`.
    """
    manifest = ctx.actions.declare_file(ctx.label.name + ".resources.json")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--target", str(ctx.label))
    args.add("--output", manifest)
    args.add_all(roots, before_each = "--import_root", uniquify = True)
    args.add_all(sources, map_each = _src_args)
    args.add_all(data, map_each = _data_args)
    ctx.actions.run(
        executable = ctx.executable._resource_manifest,
        arguments = [args],
        inputs = sources + data,
        outputs = [manifest],
        mnemonic = "PyStaticManifest",
        progress_message = "Naming Python resources of %{label}",
    )
    return manifest

def _pystatic_resources_impl(ctx):
    files = ctx.files.srcs + ctx.files.data
    manifest = manifest_action(ctx, ctx.files.srcs, ctx.files.data, import_roots(ctx))
    return [
        DefaultInfo(files = depset([manifest]), runfiles = ctx.runfiles(files = ctx.files.data)),
        PyStaticResourcesInfo(manifest = manifest, files = depset(files)),
        # Also a py_library to py_static_binary's deps: sources, and import roots as runfiles paths.
        PyInfo(
            transitive_sources = depset(ctx.files.srcs),
            imports = depset([_runfiles_root(ctx, root) for root in import_roots(ctx) if root]),
        ),
    ]

pystatic_resources = rule(
    implementation = _pystatic_resources_impl,
    doc = """Maps Python sources and data files to import names in a JSON manifest.

Module names are paths relative to the repository root, or to the longest matching
`imports` entry, as with rules_python. Clashing names and files that cannot be imported
are build errors that name the file and the fix.""",
    attrs = {
        "srcs": attr.label_list(allow_files = [".py"], doc = "Python sources."),
        "data": attr.label_list(allow_files = True, doc = "Package data files, read with importlib.resources."),
        "imports": attr.string_list(doc = "Import roots, relative to this package (e.g. `[\".\"]`)."),
        "_resource_manifest": attr.label(
            default = "//actions:resource_manifest",
            executable = True,
            cfg = "exec",
        ),
    },
)
