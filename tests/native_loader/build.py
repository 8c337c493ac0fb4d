"""Builds the native loader's test executable and its synthetic shared libraries for one CPU with
zig (no Bazel): `python build.py ZIG ARCH OUT [REAL.so ...]` (ARCH: x86_64 or aarch64; the real
libraries' imports are added to the export table so `harness real` can load them from disk).

OUT/tree/ is the "embedded" tree (served by the harness under /embedded/), OUT/bundle.bin holds
its files at 64 KiB-aligned offsets (as the runtime stores them in the executable) with
OUT/bundle.idx, OUT/disk/ holds libraries loaded from disk, OUT/harness is the static test
executable: the loader (runtime/native_*.c) + harness.c + a generated export table of exactly
the symbols the libraries import from it.
"""

import os
import re
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIBS = os.path.join(HERE, "libs")
RUNTIME = os.path.join(HERE, "..", "..", "runtime")
ALIGN = 64 * 1024
LOADER_SOURCES = ["native_loader.c", "native_map.c", "native_relocate.c", "native_tls.c", "native_init.c",
                  "native_dl_api.c", "native_files.c"]
# Resolved by the loader itself (native_relocate.c), never through the export table.
OVERRIDES = {"__tls_get_addr", "dlopen", "dlsym", "dlclose", "dlerror", "dladdr", "dl_iterate_phdr"}
# References the tests want unresolved.
MISSING = {"no_such_function", "maybe_missing", "gone_value"}


def dynamic_symbols(path):
    """(defined names, {undefined name: is_weak}) of an ELF64 little-endian file's .dynsym."""
    data = open(path, "rb").read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    defined, undefined = set(), {}
    for _, sh_type, _, _, offset, size, link, _, _, entsize in sections:
        if sh_type != 11:  # SHT_DYNSYM
            continue
        str_offset = sections[link][4]
        for i in range(1, size // entsize):
            name_offset, info, _, shndx, _, _ = struct.unpack_from("<IBBHQQ", data, offset + i * entsize)
            end = data.index(b"\0", str_offset + name_offset)
            name = data[str_offset + name_offset:end].decode()
            if shndx == 0:
                undefined[name] = (info >> 4) == 2
            else:
                defined.add(name)
    return defined, undefined


# zig's C++ runtime in the order its own `-lc++` link names them (distribution/toolchains/zig/runtime.bzl).
CXX_RUNTIME = ["libc++abi.a", "libc++.a", "libunwind.a"]


class Builder:
    def __init__(self, zig, arch, out, extra=(), env=None, static_cc=None, cxx_runtime=None):
        self.zig, self.arch, self.out = zig, arch, out
        # The static link's command (tests/zig_static.py: the toolchain's wrapper with a prebuilt
        # runtime, or zig cc), and a prebuilt C++ runtime for the C++ libraries: else zig builds musl
        # and libc++ from source for each CPU.
        self.static_cc = list(static_cc or [zig, "cc", "-target", arch + "-linux-musl"])
        self.cxx_runtime = cxx_runtime
        self.tree = os.path.join(out, "tree")
        self.env = dict(os.environ if env is None else env)
        cache = self.env.get("ZIG_GLOBAL_CACHE_DIR") or os.path.join(out, "zig-cache")
        self.env.setdefault("ZIG_GLOBAL_CACHE_DIR", cache)
        self.env.setdefault("ZIG_LOCAL_CACHE_DIR", cache)
        self.built = []
        self.data = []  # files of the tree that are not libraries
        self.extra = list(extra)  # real libraries (e.g. a wheel's .libs) whose imports to export too

    def run(self, args):
        result = subprocess.run(args, env=self.env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError("%s\n%s%s" % (" ".join(args), result.stdout, result.stderr))
        return result

    def lib(self, relpath, sources, soname=None, needs=(), flags=(), cxx=False, ship=True):
        """Links sources into OUT/tree/relpath (OUT/relpath when not shipped)."""
        path = os.path.join(self.tree if ship else self.out, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        soname = soname or os.path.basename(relpath)
        target = ["-target", self.arch + "-linux-musl"]
        inputs = [os.path.join(LIBS, s) for s in sources]
        runtime = []
        if cxx and self.cxx_runtime:
            # Compiled with zig's libc++ headers, linked with the prebuilt archives as zig's own
            # `-lc++` link of a shared library would (statically, position-independent).
            objects = []
            for source in inputs:
                objects.append(os.path.join(self.out, os.path.basename(source) + ".o"))
                self.run([self.zig, "c++", *target, "-fPIC", "-O2", "-fno-sanitize=undefined", "-I", LIBS, "-c",
                          "-o", objects[-1], source])
            inputs, cxx = objects, False
            runtime = [os.path.join(self.cxx_runtime, name) for name in CXX_RUNTIME]
        args = [self.zig, "c++" if cxx else "cc", *target, "-shared", "-fPIC", "-O2",
                "-fno-sanitize=undefined", "-I", LIBS, "-o", path, "-Wl,-soname," + soname]
        args += inputs + list(flags)
        args += [os.path.join(self.tree, n) if not os.path.isabs(n) else n for n in needs]
        self.run(args + runtime)
        if ship:
            self.built.append(path)
        return path

    def relr_lib(self, relpath, source):
        """zig cc does not pass -z pack-relative-relocs on: compile, then link with its ld.lld."""
        path = os.path.join(self.tree, relpath)
        obj = os.path.join(self.out, os.path.basename(source) + ".o")
        self.run([self.zig, "cc", "-target", self.arch + "-linux-musl", "-fPIC", "-O2", "-c", "-o", obj,
                  os.path.join(LIBS, source)])
        self.run([self.zig, "ld.lld", "-shared", "-z", "pack-relative-relocs", "-soname", os.path.basename(relpath),
                  "-o", path, obj])
        self.built.append(path)

    def libraries(self):
        origin_libs = "-Wl,-rpath,$ORIGIN/../pkg.libs"
        gd = "-ftls-model=global-dynamic"
        self.lib("pkg.libs/libdep.so", ["dep.c"])
        self.lib("pkg/basic.so", ["basic.c"], needs=["pkg.libs/libdep.so"], flags=[origin_libs])
        self.lib("other.libs/libdep.so", ["dep.c"])  # same DT_SONAME at another path
        self.relr_lib("pkg/relr.so", "relr.c")
        self.lib("pkg/ifunc.so", ["ifunc.c"])
        self.lib("pkg/gnuhash.so", ["hashed.c"], flags=["-Wl,--hash-style=gnu"])
        self.lib("pkg/sysvhash.so", ["hashed.c"], flags=["-Wl,--hash-style=sysv"])
        # A DT_NEEDED cycle: cyc_b without its dependency first, then each linked against the other.
        stub = self.lib("stub/cyc_b.so", ["cyc_b.c"], ship=False)
        self.lib("pkg/cyc_a.so", ["cyc_a.c"], needs=[stub], flags=["-Wl,-rpath,$ORIGIN"])
        self.lib("pkg/cyc_b.so", ["cyc_b.c"], needs=["pkg/cyc_a.so"], flags=["-Wl,-rpath,$ORIGIN"])
        self.lib("pkg.libs/libdep2-abc123.so", ["dep2.c"])
        self.lib("pkg/runpath.so", ["rpath_user.c"], needs=["pkg.libs/libdep2-abc123.so"],
                 flags=[origin_libs, "-Wl,--enable-new-dtags"])
        self.lib("pkg/rpath.so", ["rpath_user.c"], needs=["pkg.libs/libdep2-abc123.so"],
                 flags=[origin_libs, "-Wl,--disable-new-dtags"])
        self.lib("pkg/missing_sym.so", ["missing_sym.c"])
        gone = self.lib("stub/libgone.so", ["gone.c"], ship=False)
        self.lib("pkg/missing_needed.so", ["missing_needed.c"], needs=[gone])
        self.lib("pkg/weak.so", ["weak.c"])
        self.lib("pkg/global_def.so", ["global_def.c"])
        self.lib("pkg/tls.so", ["tls.c"], flags=[gd])
        self.lib("pkg/tls_user.so", ["tls_user.c"], needs=["pkg/tls.so"], flags=[gd, "-Wl,-rpath,$ORIGIN"])
        desc = ["-mtls-dialect=gnu2"] if self.arch == "x86_64" else []
        self.lib("pkg/tls_desc.so", ["tls_desc.c"], flags=[gd] + desc)
        self.lib("pkg/static_tls.so", ["static_tls.c"])
        self.lib("pkg.libs/libinit_dep.so", ["init_dep.c"])
        self.lib("pkg/init_top.so", ["init_top.c"], needs=["pkg.libs/libinit_dep.so"], flags=[origin_libs])
        provided = self.lib("stub/libprovided.so.1", ["provided.c"], ship=False)
        self.lib("pkg/provided.so", ["provided.c"], needs=[provided])
        self.lib("pkg/fuzz.so", ["fuzz.c"], flags=["-Wl,--hash-style=gnu"])
        self.lib("pkg/tbss.so", ["tbss.c"], flags=[gd])
        self.lib("pkg/files.so", ["files.c"])
        # A data file of the tree, read by files.so's C code through the file view.
        data = os.path.join(self.tree, "pkg/data/hello.txt")
        os.makedirs(os.path.dirname(data), exist_ok=True)
        with open(data, "w") as f:
            f.write("hello from the tree\n")
        self.data.append(data)
        self.lib("pkg/throw.so", ["throw.cc"], cxx=True)
        self.lib("pkg/catch.so", ["catch.cc"], needs=["pkg/throw.so"], cxx=True, flags=["-Wl,-rpath,$ORIGIN"])
        self.lib("disk/libdisk.so", ["hashed.c"], ship=False)

    def compile(self, source, flags):
        """zig cc -c of one C file for the target; returns the object's path (OUT/obj/)."""
        obj = os.path.join(self.out, "obj", os.path.basename(source) + ".o")
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        self.run([self.zig, "cc", "-target", self.arch + "-linux-musl", *flags, "-c", "-o", obj, source])
        return obj

    def bundle(self):
        """All shipped files in one file at 64 KiB-aligned offsets, like the runtime's blob."""
        index = []
        with open(os.path.join(self.out, "bundle.bin"), "wb") as bundle:
            files = [(path, os.path.relpath(path, self.tree)) for path in sorted(self.built + self.data)]
            files += [(path, "real/" + os.path.basename(path)) for path in self.extra]
            for path, name in files:
                offset = (bundle.tell() + ALIGN - 1) // ALIGN * ALIGN
                bundle.seek(offset)
                data = open(path, "rb").read()
                bundle.write(data)
                index.append("/embedded/%s %d %d\n" % (name, offset, len(data)))
        with open(os.path.join(self.out, "bundle.idx"), "w") as f:
            f.writelines(index)

    def exports(self, weak_extra=()):
        defined, undefined = set(), {}
        for path in self.built + self.extra:
            d, u = dynamic_symbols(path)
            if path in self.built:  # a real library's own definitions may be libc's too (explicit_bzero)
                defined |= d
            for name, weak in u.items():
                undefined[name] = undefined.get(name, True) and weak
        names = sorted(n for n in undefined if n not in defined and n not in OVERRIDES and n not in MISSING)
        lines = ['#include "native_loader.h"']
        for i, name in enumerate(names):
            weak = " __attribute__((weak))" if undefined[name] or name in weak_extra else ""
            lines.append('extern char export_%d[] __asm__("%s")%s;' % (i, name, weak))
            # lld names the object referencing an undefined symbol, and demangles C++ names:
            # this one's name says which export could not be linked.
            lines.append("__attribute__((used)) static void *const export_ref_%d = export_%d;" % (i, i))
        lines.append("const struct pystatic_export pystatic_exports[] = {")
        lines += ['    {"%s", export_%d},' % (name, i) for i, name in enumerate(names)]
        lines += ["    {0, 0},", "};",
                  'const char *const pystatic_provided_libraries[] = {"libprovided.so.1", 0};', ""]
        path = os.path.join(self.out, "exports.c")
        with open(path, "w") as f:
            f.write("\n".join(lines))
        return path, names

    def harness(self):
        # UBSan on the loader: a damaged image must not reach undefined behaviour either
        flags = ["-O2", "-fsanitize=undefined", "-fno-sanitize-recover=undefined", "-Wall", "-I", RUNTIME, "-I", LIBS, "-I", HERE]
        sources = [os.path.join(HERE, name) for name in ("harness.c", "cases.c", "threads.c", "fuzz.c")]
        # Compiled first: the link must see the loader's dlopen/dlsym before libc.a's stubs, and a
        # link that also compiles puts the sources' objects after the wrapper's prebuilt libc.a.
        objects = [self.compile(source, flags) for source in sources + [os.path.join(RUNTIME, s) for s in LOADER_SOURCES]]
        weak = set()
        for _ in range(100):  # names no static library defines become weak (NULL) exports
            exports, names = self.exports(weak)
            args = [*self.static_cc, "-static", "-O2", "-Wl,--gc-sections", "-fsanitize=undefined", "-o",
                    os.path.join(self.out, "harness"), self.compile(exports, flags), *objects]
            result = subprocess.run(args, env=self.env, capture_output=True, text=True)
            if result.returncode == 0:
                return
            missing = {names[int(n)] for n in re.findall(r"\(export_ref_(\d+)\)", result.stderr)}
            if not missing - weak:
                raise RuntimeError(result.stderr)
            weak |= missing
        raise RuntimeError(result.stderr)


def build(zig, arch, out, extra=(), env=None, static_cc=None, cxx_runtime=None):
    """Builds everything into `out`; `env` (default: os.environ) is zig's environment, where a
    ZIG_GLOBAL_CACHE_DIR shared across builds saves compiling zig's libc again (else out/zig-cache);
    static_cc and cxx_runtime: see Builder."""
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    builder = Builder(zig, arch, out, extra, env, static_cc, cxx_runtime)
    builder.libraries()
    builder.bundle()
    builder.harness()
    return out


if __name__ == "__main__":
    build(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:])
