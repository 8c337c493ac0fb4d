"""Licence texts of what a package's archive holds besides the package, copied into its .dist-info."""

import os
import pathlib
import shutil


def add_licence_texts(site, texts):
    """Copies licence texts of what the archive holds besides the package (native libraries, the C++
    runtime) into the package's `.dist-info/licenses/`, which the binary's licence report lists."""
    dist_infos = sorted(p for p in pathlib.Path(site).glob("*.dist-info") if p.is_dir())
    if not dist_infos or not texts:
        return []
    licenses = dist_infos[0] / "licenses"
    licenses.mkdir(exist_ok=True)
    written = []
    for name, path in sorted(texts.items()):
        shutil.copyfile(path, licenses / name)
        written.append(name)
    return written


def cxx_runtime_licences(cc):
    """zig's licence files of libc++, libc++abi and libunwind, beside the cc wrapper's zig."""
    lib = pathlib.Path(cc).resolve().parent.parent / "ziglang" / "lib"
    texts = {f"LICENSE.{name}": lib / name / "LICENSE.TXT" for name in ("libcxx", "libcxxabi", "libunwind")}
    return {name: path for name, path in texts.items() if path.is_file()}


def native_library_licences(natives):
    """{LICENSE.<name>: path} of the native libraries (native_libraries.py) whose prefix has one."""
    return {f"LICENSE.{lib['name']}": lib["licence"] for lib in natives if os.path.exists(lib["licence"])}
