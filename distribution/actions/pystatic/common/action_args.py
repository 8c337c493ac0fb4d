"""Command lines of build actions: Bazel passes them as `@file` (multiline param files)."""


def expand_param_files(argv):
    """Replaces each `@path` argument by the lines of that file.

    Not argparse's fromfile_prefix_chars: that expands recursively, so a label such as
    `@//app:main` inside the file would be taken for another file.
    """
    expanded = []
    for arg in argv:
        if arg.startswith("@") and not arg.startswith(("@@", "@//")):
            with open(arg[1:], encoding="utf-8") as params:
                expanded.extend(params.read().splitlines())
        else:
            expanded.append(arg)
    return expanded
