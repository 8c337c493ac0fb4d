"""cc_toolchain_with_files: a cc_toolchain whose every action sees the same set of tool files."""

load("@rules_cc//cc:defs.bzl", "cc_toolchain")

def cc_toolchain_with_files(name, files, toolchain_config, **kwargs):
    """Declares a cc_toolchain whose compile, link, archive, ... actions all get `files`.

    Args:
      name: target name.
      files: label of the filegroup every action needs (wrappers, compiler binary).
      toolchain_config: label of the CcToolchainConfigInfo target.
      **kwargs: passed on (tags, supports_param_files, ...).
    """
    cc_toolchain(
        name = name,
        all_files = files,
        ar_files = files,
        as_files = files,
        compiler_files = files,
        dwp_files = files,
        linker_files = files,
        objcopy_files = files,
        strip_files = files,
        toolchain_config = toolchain_config,
        **kwargs
    )
