"""zstd in a py_static_binary: compressed blob payloads and the compressed executable (binary.bzl, sbom.bzl)."""

def zstd_linked(ctx):
    """True when the blob may hold zstd payloads, so the binary links libzstd.

    Args:
      ctx: the py_static_binary's rule context.

    Returns:
      compress, or compress_sources with any sources embedded.
    """
    return ctx.attr.compress or (ctx.attr.compress_sources and (ctx.attr.include_sources or ctx.attr.stdlib_sources))

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
