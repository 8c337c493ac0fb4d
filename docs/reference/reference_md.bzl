"""reference_md: the Markdown rule reference, rendered from starlark_doc_extract's text proto."""

def _reference_md_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".md")
    args = ctx.actions.args()
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    args.add("--input", ctx.file.src)
    args.add("--source", ctx.attr.source)
    args.add("--output", out)
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = [ctx.file.src],
        outputs = [out],
        mnemonic = "PyStaticReference",
        progress_message = "Rendering the rule reference %{label}",
    )
    return [DefaultInfo(files = depset([out]))]

reference_md = rule(
    implementation = _reference_md_impl,
    doc = "Renders a starlark_doc_extract .textproto as Markdown (actions/pystatic/reference/reference_md.py).",
    attrs = {
        "source": attr.string(mandatory = True, doc = "The documented .bzl file, named in the header."),
        "src": attr.label(mandatory = True, allow_single_file = [".textproto"]),
        "_tool": attr.label(default = "//actions:reference_md", executable = True, cfg = "exec"),
    },
)
