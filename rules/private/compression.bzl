"""zstd in a py_static_binary: compressed blob payloads and the compressed executable (binary.bzl, sbom.bzl)."""

def _has_data_files(ctx):
    """Whether the app embeds files other than Python sources: `data`, or the deps' (wheels' data and metadata)."""
    if ctx.files.data:
        return True
    for dep in ctx.attr.deps:
        for f in dep[DefaultInfo].default_runfiles.files.to_list():
            if not f.is_directory and f.extension != "py":
                return True
    return False

def zstd_payloads(ctx):
    """What the pack step may zstd-compress, each payload only when that pays (format/blob.py).

    Args:
      ctx: the py_static_binary's rule context.

    Returns:
      A list of "bytecode", "cold_bytecode", "source", "data": bytecode, source and data with compress;
      else "cold_bytecode" with compress_cold_bytecode when zstd is linked for another class or the app has
      more than the entry point's module (deps, or srcs beyond one file), "source" with compress_sources and any sources embedded, "data" with
      compress_data and any data files.
    """
    if ctx.attr.compress:
        return ["bytecode", "source", "data"]
    payloads = []
    if ctx.attr.compress_sources and (ctx.attr.include_sources or ctx.attr.stdlib_sources):
        payloads.append("source")
    if ctx.attr.compress_data and _has_data_files(ctx):
        payloads.append("data")
    if ctx.attr.compress_cold_bytecode and (payloads or ctx.attr.deps or len(ctx.files.srcs) > 1):
        payloads.insert(0, "cold_bytecode")
    return payloads

def zstd_linked(ctx):
    """True when the blob may hold zstd payloads, so the binary links libzstd.

    Args:
      ctx: the py_static_binary's rule context.

    Returns:
      Whether zstd_payloads(ctx) names anything.
    """
    return len(zstd_payloads(ctx)) > 0

def zstd_shipped(ctx):
    """True when what ships holds libzstd: the blob's decoder (zstd_linked) or the loader's.

    Args:
      ctx: the py_static_binary's rule context.

    Returns:
      zstd_linked(ctx), or compress_executable (the loader decompresses with zstd).
    """
    return zstd_linked(ctx) or ctx.attr.compress_executable

# The address the loader of compress_executable is linked at (actions/pystatic/binary/pack_exe.py,
# EXE_LOADER_BASE; tests/actions/test_pack_exe.py checks they agree).
EXE_LOADER_BASE = 0x40000000
