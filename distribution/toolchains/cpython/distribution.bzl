"""cpython_static_distribution: CPython built from source with the target's C toolchain, in one action."""

load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "use_cpp_toolchain")
load(":cc_tools.bzl", "EXEC_TOOLS_ATTR", "add_cc_and_deps", "musl_cc_tools")
load(":providers.bzl", "PyStaticDistributionInfo", "StaticDependencyInfo")
load(":transitions.bzl", "BUILD_MACHINE_TRIPLE", "build_python_transition", "distribution_transition")

def _interpreter(dist):
    return "bin/python" + dist.python_version.rpartition(".")[0] + dist.abiflags

def cpython_sbom_action(ctx):
    """CPython's own Misc/sbom.spdx.json (bundled libraries) and the archive's sha256, for binaries' SBOMs.

    Its own small action, so the CPython build's action key stays as it was (windows.bzl runs it too).

    Args:
      ctx: a distribution rule's context (its `source`, `_sbom` and `_exec_tools`).

    Returns:
      The JSON File.
    """
    out = ctx.actions.declare_file(ctx.label.name + ".cpython_sbom.json")
    ctx.actions.run(
        executable = ctx.executable._sbom,
        arguments = ["--extract_cpython", ctx.file.source.path, "--output", out.path],
        inputs = [ctx.file.source, ctx.file._exec_tools],
        outputs = [out],
        mnemonic = "PyStaticCPythonSbom",
        progress_message = "Reading CPython's Misc/sbom.spdx.json %{label}",
    )
    return out

def _abiflags(ctx):
    return "t" if ctx.attr.disable_gil else ""

def _pgo_profile(ctx):
    """(profile, its .json) of pgo_profile, or (None, None)."""
    if not ctx.attr.pgo_profile:
        return None, None
    files = ctx.files.pgo_profile
    profiles = [f for f in files if f.basename.endswith((".profdata", ".profdata.xz"))]
    metas = [f for f in files if f.basename.endswith(".profdata.json")]
    if len(profiles) != 1 or len(metas) != 1:
        fail(("{}: pgo_profile {} must hold one .profdata(.xz) and its .profdata.json (bench/pgo/generate " +
              "writes both), it has {}. Fix: run bench/pgo/generate, or set pgo_profile = None for this build in " +
              "toolchains/python_builds.bzl.").format(ctx.label, ctx.attr.pgo_profile.label, [f.basename for f in files]))
    return profiles[0], metas[0]

def _cpython_static_distribution_impl(ctx):
    tools = musl_cc_tools(ctx)
    triple = tools.triple
    deps = [d[StaticDependencyInfo] for d in ctx.attr.deps]
    build_python = None
    if triple != BUILD_MACHINE_TRIPLE:
        if not ctx.attr.build_python:
            fail(("{}: building CPython for {} is a cross build: configure needs a build-machine Python " +
                  "of the same version. Fix: set build_python to this distribution (it is built for {}).").format(
                ctx.label,
                triple,
                BUILD_MACHINE_TRIPLE,
            ))
        build_python = ctx.attr.build_python[0][PyStaticDistributionInfo]
        if build_python.abiflags != _abiflags(ctx):
            fail("{}: build_python is a build with ABI flags '{}', this one '{}': cross builds need the same build.".format(
                ctx.label,
                build_python.abiflags,
                _abiflags(ctx),
            ))
        if build_python.python_version.rpartition(".")[0] != ctx.attr.python_version.rpartition(".")[0]:
            fail("{}: build_python is Python {}, the source is {}: cross builds need the same X.Y.".format(
                ctx.label,
                build_python.python_version,
                ctx.attr.python_version,
            ))

    dist = ctx.actions.declare_directory(ctx.label.name + "_dist")
    descriptor = ctx.actions.declare_file(ctx.label.name + ".distribution.json")
    log = ctx.actions.declare_file(ctx.label.name + ".build.log")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--source", ctx.file.source)
    args.add("--version", ctx.attr.python_version)
    args.add("--target", triple)
    if ctx.attr.disable_gil:
        args.add("--disable-gil")
    if ctx.attr.lto:
        args.add("--lto")
    inputs = [ctx.file.source, ctx.file._exec_tools] + [d.prefix for d in deps] + [d.origin for d in deps]
    profile, profile_meta = _pgo_profile(ctx)
    if profile:
        args.add("--profile", profile)
        args.add("--profile-meta", profile_meta)
        inputs += [profile, profile_meta]
    if build_python:
        args.add("--build-target", build_python.target_triple)
        args.add("--build-python", build_python.distribution.path + "/" + _interpreter(build_python))
        inputs.append(build_python.distribution)
    add_cc_and_deps(args, tools, deps, ctx.attr.jobs)
    args.add("--output", dist.path)
    args.add("--descriptor", descriptor)
    args.add("--log", log)
    ctx.actions.run(
        executable = ctx.executable._build_cpython,
        arguments = [args],
        inputs = depset(inputs, transitive = [tools.files]),
        outputs = [dist, descriptor, log],
        env = tools.env,
        mnemonic = "PyStaticCPython",
        progress_message = "Building static CPython {}{} for {} (configure + make, a few minutes) %{{label}}".format(
            ctx.attr.python_version,
            _abiflags(ctx),
            triple,
        ),
    )
    cpython_sbom = cpython_sbom_action(ctx)
    return [
        DefaultInfo(files = depset([dist, descriptor])),
        OutputGroupInfo(build_log = depset([log])),
        PyStaticDistributionInfo(
            abiflags = _abiflags(ctx),
            cpython_sbom = cpython_sbom,
            deps = deps,
            descriptor = descriptor,
            distribution = dist,
            python_version = ctx.attr.python_version,
            source = ctx.file.source,
            target_triple = triple,
        ),
    ]

cpython_static_distribution = rule(
    implementation = _cpython_static_distribution_impl,
    cfg = distribution_transition,
    doc = "CPython as static objects plus stdlib and a JSON descriptor, for the target platform.",
    attrs = {
        "_exec_tools": EXEC_TOOLS_ATTR,
        "build_python": attr.label(
            cfg = build_python_transition,
            providers = [PyStaticDistributionInfo],
            doc = "Cross builds only: the same Python version built for the build machine (x86_64 " +
                  "linux-musl); configure runs it (--with-build-python). Leave it unset for x86_64 targets: " +
                  "a distribution cannot depend on itself in the same configuration.",
        ),
        "disable_gil": attr.bool(doc = "A free-threaded build (configure --disable-gil, ABI flag t)."),
        "lto": attr.bool(
            doc = "ThinLTO of the interpreter core (docs/cpython.md, LTO): fat objects, one ld.lld -r link " +
                  "after make. toolchains/python_builds.bzl sets it per build.",
        ),
        "pgo_profile": attr.label(
            allow_files = [".xz", ".json", ".profdata"],
            doc = "Profile-guided optimisation: a profile of bench/pgo/generate (.profdata(.xz) and its " +
                  ".profdata.json), applied with -fprofile-instr-use (docs/cpython.md, PGO). It must be made " +
                  "from this very source: a stale one fails the build, naming the fix.",
        ),
        "jobs": attr.int(default = 2, doc = "make -j; part of the action key, so fixed, not the machine's core count."),
        "deps": attr.label_list(providers = [StaticDependencyInfo], doc = "C libraries of extension modules."),
        "python_version": attr.string(mandatory = True, doc = "Full version of the source, e.g. 3.13.15."),
        "source": attr.label(mandatory = True, allow_single_file = [".tar.xz", ".tgz", ".tar.gz"]),
        "_build_cpython": attr.label(default = "//actions:build_cpython", executable = True, cfg = "exec"),
        "_sbom": attr.label(default = "//actions:cpython_sbom", executable = True, cfg = "exec"),
        "_allowlist_function_transition": attr.label(default = "@bazel_tools//tools/allowlists/function_transition_allowlist"),
    },
    fragments = ["cpp"],
    toolchains = use_cpp_toolchain(),
)
