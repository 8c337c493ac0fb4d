"""The target platforms rules_pystatic builds static executables for: one row per target.

Everything that varies per target is here, and generated from here: the platforms of
distribution/platforms/BUILD.bazel, the zig C toolchains of toolchains/BUILD.bazel, the runtime toolchains of
toolchains/cpython/BUILD.bazel (one per target x Python build), the supported-platform list of
unsupported-target errors, the wheel platforms of pystatic.wheels. This is the only home of these
facts: an action script gets its row's value as an argument from the rule that runs it
(openssl_target, meson_cpu_family: cc_tools.bzl's target_row; elf_machine: binary.bzl), and the
wheels repository's script the rows as JSON from its rule, so an action's key depends only on its
own row (tests/actions/test_targets.py).

Fields of a row (keyed by the zig/GNU target triple):
  platform: name of the platform in //platforms.
  gnu_triple: its GNU configuration name, as autoconf's --host and config.sub know it (the C
    libraries' --target of build_dep.py): the key itself for linux-musl; x86_64-w64-mingw32 for
    zig's x86_64-windows-gnu, which config.sub refuses.
  os: the @platforms//os constraint.
  cpu: the @platforms//cpu constraint.
  platform_machine: what platform.machine() says on the target, as wheel markers' platform_machine
    (packaging's marker environment): the cpu on Linux, AMD64 on Windows x86_64 (Windows' own name
    of the machine, PROCESSOR_ARCHITECTURE).
  libc: the C library its executables link statically, a value of //platforms:libc (musl; ucrt:
    Windows' Universal CRT, through zig's bundled mingw-w64 headers and import libraries).
  cpython: True if CPython is built for it with configure and make (distribution.bzl: every row of
    PYTHON_BUILDS, their runtime toolchains, wheel platforms, the default platform of the host's CPU).
  pcbuild_python_builds: the rows of PYTHON_BUILDS whose static CPython is built for it from
    PCbuild's file lists instead (windows.bzl, docs/windows.md), each with a runtime toolchain and
    the wheel platform of pystatic.wheels repositories of that build (pure wheels only: docs/wheels.md).
    A target with neither has its C toolchain only, and py_static_binary fails naming what is missing.
  system_libraries: the `-l` names every link of a py_static_binary (and python.exe) adds: Windows'
    import libraries the static CPython needs (PCbuild's AdditionalDependencies of pythoncore and the
    extensions built in); [] for musl, whose libc.a holds them. The distribution's descriptor lists
    them and the runtime toolchain checks the two agree (merge_archives.py).
  deps_left_out: the C libraries of sources.json's `deps` not built for it (libuuid on Windows,
    where CPython's _uuid calls rpcrt4's UuidCreate).
  wheel_platforms: wheel platform tags accepted, best first (musllinux for Linux; win_amd64 for Windows,
    whose binaries take only pure-Python wheels from pystatic.wheels for now: docs/wheels.md, Windows).
  openssl_target: OpenSSL's ./Configure target (--openssl_target of distribution/actions/pystatic/distribution/build_dep.py).
  meson_cpu_family: meson's cpu_family of the target (its reference table), for the cross file of
    packages built from sdists with meson-python (--meson_cpu_family of actions/pystatic/packages/build_sdist.py).
  elf_machine: e_machine of its ELF executables, as pyelftools names it (actions/pystatic/binary/verify_elf.py);
    "" for PE targets.
  pe_machine: the COFF Machine of its PE executables, as the PE format names it
    (actions/pystatic/binary/verify_pe.py); "" for ELF targets.
  qemu: the qemu-user binary that runs its Linux executables on the x86_64 build machines ("":
    native, or for os "windows": Debian's wine64, which tools/test installs).
"""

TARGETS = {
    "x86_64-linux-musl": struct(
        platform = "linux_musl",
        gnu_triple = "x86_64-linux-musl",
        os = "linux",
        cpu = "x86_64",
        platform_machine = "x86_64",
        libc = "musl",
        cpython = True,
        pcbuild_python_builds = [],
        system_libraries = [],
        deps_left_out = [],
        wheel_platforms = ["musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64"],
        openssl_target = "linux-x86_64",
        meson_cpu_family = "x86_64",
        elf_machine = "EM_X86_64",
        pe_machine = "",
        qemu = "",
    ),
    "aarch64-linux-musl": struct(
        platform = "linux_musl_aarch64",
        gnu_triple = "aarch64-linux-musl",
        os = "linux",
        cpu = "aarch64",
        platform_machine = "aarch64",
        libc = "musl",
        cpython = True,
        pcbuild_python_builds = [],
        system_libraries = [],
        deps_left_out = [],
        wheel_platforms = ["musllinux_1_2_aarch64", "musllinux_1_1_aarch64", "musllinux_1_0_aarch64"],
        openssl_target = "linux-aarch64",
        meson_cpu_family = "aarch64",
        elf_machine = "EM_AARCH64",
        pe_machine = "",
        qemu = "qemu-aarch64-static",
    ),
    # zig's mingw-w64 headers and UCRT import libraries: the .exe needs only Windows' own DLLs
    # (the UCRT is part of Windows 10 and later). Its static CPython is built from PCbuild's file
    # lists (windows.bzl; not free-threaded: docs/windows.md, Status).
    "x86_64-windows-gnu": struct(
        platform = "windows_x86_64",
        gnu_triple = "x86_64-w64-mingw32",
        os = "windows",
        cpu = "x86_64",
        platform_machine = "AMD64",
        libc = "ucrt",
        cpython = False,
        pcbuild_python_builds = ["3.13"],
        # MSVC's pathcch.lib is mingw-w64's api-ms-win-core-path-l1-1-0 (the API set of PathCch*,
        # Windows 8 and later); _ctypes needs oleaut32.
        system_libraries = [
            "ws2_32",
            "version",
            "api-ms-win-core-path-l1-1-0",
            "bcrypt",
            "iphlpapi",
            "rpcrt4",
            "crypt32",
            "winmm",
            "shlwapi",
            "advapi32",
            "user32",
            "ole32",
            "oleaut32",
        ],
        deps_left_out = ["libuuid"],
        wheel_platforms = ["win_amd64"],
        openssl_target = "mingw64",
        meson_cpu_family = "x86_64",
        elf_machine = "",
        pe_machine = "IMAGE_FILE_MACHINE_AMD64",
        qemu = "",
    ),
}

# The build machines' own target: its executables (the build-machine Python) run there.
BUILD_MACHINE_TRIPLE = "x86_64-linux-musl"

# Platforms with a C toolchain that are not rows of TARGETS: named in errors.
OTHER_PLATFORMS = ["@rules_pystatic//platforms:windows_msvc (x86_64, MSVC on a Windows host; C only)"]

def target_constraints(triple):
    """The constraint values of a target's platform, as Labels of this repository.

    Args:
      triple: a key of TARGETS.

    Returns:
      list of Label: os, cpu and libc.
    """
    return [
        Label("@platforms//os:" + TARGETS[triple].os),
        Label("@platforms//cpu:" + TARGETS[triple].cpu),
        Label("//platforms:" + TARGETS[triple].libc),
    ]

def cpython_targets():
    """The triples of TARGETS whose CPython is built with configure and make (distribution, runtime toolchains), in order."""
    return [triple for triple, target in TARGETS.items() if target.cpython]

def runtime_targets():
    """The triples of TARGETS with a runtime toolchain for py_static_binary (cpython or pcbuild_python_builds), in order."""
    return [triple for triple, target in TARGETS.items() if target.cpython or target.pcbuild_python_builds]

def supported_platforms():
    """The platforms unsupported-target errors list, one line each."""
    return ["@rules_pystatic//platforms:{} ({}{})".format(
        t.platform,
        triple,
        "" if t.cpython else ("; Python " + ", ".join(t.pcbuild_python_builds) if t.pcbuild_python_builds else "; C only, no static CPython yet"),
    ) for triple, t in TARGETS.items()] + OTHER_PLATFORMS
