"""The execution platforms actions run on: one row per platform (docs/remote-execution.md).

Every build, local or remote, runs its actions on one of these (distribution/MODULE.bazel registers
them), so an action has the same key (its REAPI Action, platform properties included) in a local
build, its disk cache and a remote build: a remote cache filled by either serves both. The
exec_properties are what a remote worker must provide, matched by property (a REAPI scheduler sends
an action only to a worker that advertises each of them); a change of what actions need from the
worker (the packages) changes them, and with them every action key.

Fields of a row (keyed by the platform's name in //platforms):
  os, cpu: its @platforms constraints (the zig toolchains run there).
  worker_packages: the Debian sid packages a worker's root has (besides the worker itself): the
    programs actions take from the worker's PATH. tools/remote_execution makes exactly this root.
  exec_properties: REAPI platform properties: OSFamily and ISA from the REAPI platform lexicon, and
    pystatic-worker-packages (the package list, space-separated) that a worker advertises.
"""

_LINUX_X86_64_PACKAGES = [
    "autoconf",
    "automake",
    "bzip2",
    "libltdl-dev",
    "libtool",
    "make",
    "patch",
    "perl",
    "pkgconf",
    "python3",
    "xz-utils",
]

EXEC_PLATFORMS = {
    "exec_linux_x86_64": struct(
        os = "linux",
        cpu = "x86_64",
        worker_packages = _LINUX_X86_64_PACKAGES,
        exec_properties = {
            "ISA": "x86-64",
            "OSFamily": "linux",
            "pystatic-worker-packages": " ".join(_LINUX_X86_64_PACKAGES),
        },
    ),
}
