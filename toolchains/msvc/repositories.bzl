"""msvc_configure: the MSVC toolchain of //platforms:windows_msvc, from an installed Visual Studio.

The flags and action configs are Bazel's own (@bazel_tools//tools/cpp:windows_cc_toolchain_config.bzl);
this rule only finds the tools. On a host without Windows and MSVC the tools are scripts that fail
with a message saying so, which keeps analysis (and aquery) working everywhere.
"""

_UNAVAILABLE = """#!/bin/sh
echo "rules_pystatic: --platforms=//platforms:windows_msvc needs a Windows host with MSVC \\
(Visual Studio 2019 or newer with the 'Desktop development with C++' workload); this build runs on {host}. \\
Build on Windows, or pick --platforms=//platforms:linux_musl or //platforms:linux_musl_aarch64." >&2
exit 1
"""

_BUILD = """\
load("@bazel_tools//tools/cpp:windows_cc_toolchain_config.bzl", "cc_toolchain_config")
load("@pystatic_distribution//toolchains:cc_toolchain_with_files.bzl", "cc_toolchain_with_files")

package(default_visibility = ["//visibility:public"])

filegroup(
    name = "tools",
    srcs = {tool_files},
)

cc_toolchain_config(
    name = "msvc_x64_config",
    abi_libc_version = "local",
    abi_version = "local",
    archiver_flags = ["/MACHINE:X64"],
    compiler = "msvc-cl",
    cpu = "x64_windows",
    cxx_builtin_include_directories = {include_dirs},
    dbg_mode_debug_flag = "/DEBUG:FULL",
    default_link_flags = ["/MACHINE:X64"],
    fastbuild_mode_debug_flag = "/DEBUG:FASTLINK",
    host_system_name = "local",
    msvc_cl_path = "{cl}",
    msvc_env_include = "{env_include}",
    msvc_env_lib = "{env_lib}",
    msvc_env_path = "{env_path}",
    msvc_env_tmp = "{env_tmp}",
    msvc_lib_path = "{lib}",
    msvc_link_path = "{link}",
    msvc_ml_path = "{ml}",
    supports_parse_showincludes = False,
    target_libc = "msvcrt",
    target_system_name = "local",
    tool_bin_path = "{tool_bin}",
    tool_paths = {{}},
    toolchain_identifier = "msvc_x64",
)

cc_toolchain_with_files(
    name = "cc_x64_windows_msvc",
    files = ":tools",
    supports_param_files = True,
    toolchain_config = ":msvc_x64_config",
)
"""

def _is_windows(rctx):
    return rctx.os.name.lower().startswith("windows")

def _windows_msvc(rctx):
    """Finds the newest Visual Studio with the x64 C++ tools; None if there is none."""
    program_files = rctx.os.environ.get("ProgramFiles(x86)", "C:\\\\Program Files (x86)")
    vswhere = rctx.path(program_files + "\\\\Microsoft Visual Studio\\\\Installer\\\\vswhere.exe")
    if not vswhere.exists:
        return None
    found = rctx.execute([
        vswhere,
        "-latest",
        "-products",
        "*",
        "-requires",
        "Microsoft.VisualStudio.Component.VC.Tools.x86.x64",
        "-property",
        "installationPath",
    ])
    install = found.stdout.strip()
    if found.return_code != 0 or not install:
        return None
    vcvars = install + "\\\\VC\\\\Auxiliary\\\\Build\\\\vcvars64.bat"
    env = rctx.execute(["cmd", "/c", "call", vcvars, ">NUL", "&&", "set"])
    if env.return_code != 0:
        return None
    values = {}
    for line in env.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.upper()] = value
    bin_dir = values.get("VCTOOLSINSTALLDIR", "") + "bin\\\\HostX64\\\\x64"
    return struct(
        bin_dir = bin_dir.replace("\\\\", "/"),
        include = values.get("INCLUDE", ""),
        lib = values.get("LIB", ""),
        path = values.get("PATH", ""),
        tmp = values.get("TMP", "C:\\\\Windows\\\\Temp"),
    )

def _msvc_configure_impl(rctx):
    msvc = _windows_msvc(rctx) if _is_windows(rctx) else None
    if msvc:
        tools = {name: msvc.bin_dir + "/" + name for name in ["cl.exe", "link.exe", "lib.exe", "ml64.exe"]}
        env = struct(include = msvc.include, lib = msvc.lib, path = msvc.path, tmp = msvc.tmp)
        tool_files = "[]"
        include_dirs = [d for d in msvc.include.split(";") if d]
    else:
        # Named like the real tools, so the wiring is visible in aquery and analysis tests.
        tools = {name: "msvc_unavailable/" + name for name in ["cl.exe", "link.exe", "lib.exe", "ml64.exe"]}
        for path in tools.values():
            rctx.file(path, _UNAVAILABLE.format(host = rctx.os.name), executable = True)
        env = struct(include = "msvc_not_found", lib = "msvc_not_found", path = "msvc_not_found", tmp = "msvc_not_found")
        tool_files = repr(sorted(tools.values()))
        include_dirs = []
    rctx.file("BUILD.bazel", _BUILD.format(
        cl = tools["cl.exe"],
        link = tools["link.exe"],
        lib = tools["lib.exe"],
        ml = tools["ml64.exe"],
        tool_bin = tools["cl.exe"].rpartition("/")[0],
        env_include = env.include.replace("\\\\", "\\\\\\\\"),
        env_lib = env.lib.replace("\\\\", "\\\\\\\\"),
        env_path = env.path.replace("\\\\", "\\\\\\\\"),
        env_tmp = env.tmp.replace("\\\\", "\\\\\\\\"),
        tool_files = tool_files,
        include_dirs = repr([d.replace("\\\\", "/") for d in include_dirs]),
    ))

msvc_configure = repository_rule(
    implementation = _msvc_configure_impl,
    doc = "Finds MSVC on a Windows host (vswhere + vcvars64.bat); elsewhere, tools that fail clearly.",
    environ = ["ProgramFiles(x86)"],
    local = True,
)
