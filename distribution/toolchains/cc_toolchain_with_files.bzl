"""cc_toolchain_with_files: a cc_toolchain whose actions see one set of tool files (compiles a smaller one)."""

load("@rules_cc//cc:defs.bzl", "cc_toolchain")

def cc_toolchain_with_files(name, files, toolchain_config, compile_files = None, **kwargs):
    """Declares a cc_toolchain whose link, archive, ... actions get `files`, its compiles `compile_files`.

    Args:
      name: target name.
      files: label of the filegroup every action needs (wrappers, compiler binary); all_files, which
        the project's own actions (C libraries, CPython, sdists) take, is this one.
      toolchain_config: label of the CcToolchainConfigInfo target.
      compile_files: label of what compiles and assembles read (default: `files`).
      **kwargs: passed on (tags, supports_param_files, ...).
    """
    cc_toolchain(
        name = name,
        all_files = files,
        ar_files = files,
        as_files = compile_files or files,
        compiler_files = compile_files or files,
        dwp_files = files,
        linker_files = files,
        objcopy_files = files,
        strip_files = files,
        toolchain_config = toolchain_config,
        **kwargs
    )
