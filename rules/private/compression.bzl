"""Whether a py_static_binary's blob holds zstd-compressed payloads (binary.bzl, sbom.bzl)."""

def zstd_linked(ctx):
    """True when the blob may hold zstd payloads, so the binary links libzstd.

    Args:
      ctx: the py_static_binary's rule context.

    Returns:
      compress, or compress_sources with any sources embedded.
    """
    return ctx.attr.compress or (ctx.attr.compress_sources and (ctx.attr.include_sources or ctx.attr.stdlib_sources))
