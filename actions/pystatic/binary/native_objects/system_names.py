"""Names that the C library or the C++ runtime own: which DT_NEEDED names the executable's libc
serves, and which undefined symbols the executable must never serve.

The executable exports a curated table: the Python C API, its libc (musl and zig's compiler_rt)
and the libraries it provides by name (zlib), as its wheels need them (a py_static_interpreter's
holds every public name of libpython, zlib and musl: broad_exports.py). Its C++ runtime and unwinder (libc++, libc++abi,
libunwind, when C++ built-ins are linked) are not in it: a wheel's C++ code and Rust's unwinding
must use the libstdc++/libgcc_s the wheel bundles, with which it was built and tested, and with
which its exceptions stay inside the wheel (CPython's frames have no unwind tables).
"""

import re

# DT_NEEDED names of the C library: musl's libc.so provides all of them, so does the executable.
LIBC_NAMES = frozenset({
    "libc.so",
    "libpthread.so.0",
    "libdl.so.2",
    "libm.so.6",
    "librt.so.1",
    "libutil.so.1",
    "libcrypt.so.1",
    "libresolv.so.2",
})
_MUSL_NAMES = re.compile(r"libc\.musl-[A-Za-z0-9_]+\.so\.1|ld-musl-[A-Za-z0-9_]+\.so\.1")

# The C++ ABI functions that are the C library's (musl defines __cxa_atexit and __cxa_finalize;
# __cxa_thread_atexit_impl is glibc's, referenced weakly by Rust std and libstdc++, which fall back).
LIBC_CXA = frozenset({"__cxa_atexit", "__cxa_finalize", "__cxa_thread_atexit_impl"})

# Prefixes of C++ runtime and unwinder names besides the Itanium-mangled ones (`_Z...`).
_RUNTIME_PREFIXES = (
    "_Unwind_",  # the unwinder's API (libgcc_s, libunwind)
    "__cxa_",  # the C++ ABI (libstdc++'s libsupc++, libc++abi), except LIBC_CXA
    "__gxx_personality",  # C++ personality routines
    "__gcc_personality",  # C cleanup personality routine (libgcc_s)
    "__register_frame",  # FDE registration (libgcc_s, libunwind)
    "__deregister_frame",
    "unw_",  # LLVM libunwind's public API (unw_getcontext, unw_backtrace, ...)
    "__unw_",  # and its internal names
)
_RUNTIME_NAMES = frozenset({"__dynamic_cast", "__frame_state_for"})

# DT_NEEDED names of a system's C++ runtime and unwinder (Alpine's libstdc++/libgcc_s, LLVM's). A
# repaired musllinux wheel bundles them under other names (auditwheel's
# `<package>.libs/libstdc++-<hash>.so.6.0.33`); one that needs them by these names expects the system's.
CXX_RUNTIME_LIBRARIES = frozenset({
    "libstdc++.so.6", "libgcc_s.so.1", "libc++.so.1", "libc++abi.so.1", "libunwind.so.1", "libunwind.so.8",
})


def is_libc_name(needed):
    """Whether a DT_NEEDED name is one of the C library's (served by the executable's libc)."""
    return needed in LIBC_NAMES or bool(_MUSL_NAMES.fullmatch(needed))


def is_cxx_runtime_library(needed):
    """Whether a DT_NEEDED name is a system C++ runtime's or unwinder's (never the executable's)."""
    return needed in CXX_RUNTIME_LIBRARIES


def is_cxx_runtime_name(symbol):
    """Whether an undefined symbol belongs to the C++ runtime or the unwinder, never taken from the
    executable. The rule: every Itanium-mangled name (`_Z` prefix: `std::`, operator new/delete,
    typeinfo and vtables, `__cxxabiv1::`, `__gnu_cxx::`, and Rust's legacy mangling, none of which
    the executable's C API has), `_Unwind_*`, `__cxa_*` but `__cxa_atexit`, `__cxa_finalize` and
    `__cxa_thread_atexit_impl`, `__gxx_personality*`, `__gcc_personality*`, `__register_frame*`,
    `__deregister_frame*`, `unw_*`, `__unw_*`, `__dynamic_cast` and `__frame_state_for`."""
    if symbol in LIBC_CXA:
        return False
    return symbol.startswith(("_Z",) + _RUNTIME_PREFIXES) or symbol in _RUNTIME_NAMES
