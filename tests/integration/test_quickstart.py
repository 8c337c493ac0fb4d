"""README's quick start, as written, in a fresh outside workspace (issue 31).

The workspace is made of README.md's own code blocks, read at test time (each marked by a
`<!-- quickstart: FILE -->` comment before it), so the docs cannot drift: once with the clone's
MODULE.bazel (local_path_override of ../rules_pystatic, a link to this checkout) and once with the
release archive's (dev/release's snippet: archive_override of a file:// archive made here). Both
run `bazel run //app:tool` and `bazel build //...` with no --platforms, with this checkout's
tools/bazel, as tools/test's e2e step does.

Cost: the distribution (module pystatic_distribution) has the same action keys in every workspace,
so it comes from the shared disk cache (passed explicitly: the README's .bazelrc has no cache);
only the app's actions and the runtime's (the module rules_pystatic, whose keys are e2e's) run.
No --sandbox_writable_path for zig's shared cache either (issue 31: no .bazelrc line is needed):
the app's compiles and link use a cache in their own temporary directory.
"""

import os
import pathlib
import pwd
import re
import subprocess

import dev_scripts
from harness import REPO

MARKED_BLOCK = re.compile(r"^<!-- quickstart: (.+?) -->\n```[\w-]*\n(.*?)^```$", re.M | re.S)
EXPECTED = "hello from the quick start (Python 3.13, linux)"
# The disk cache of this checkout's .bazelrc (`~/.cache/rules_pystatic/disk-cache`), as Bazel expands it:
# `~` is the home of the user's passwd entry, not $HOME. With $HOME (dev/fresh-machine-run swaps it)
# this test used an empty cache of its own and rebuilt the whole distribution: 6 min of the budget.
DISK_CACHE = pathlib.Path(pwd.getpwuid(os.getuid()).pw_dir) / ".cache" / "rules_pystatic" / "disk-cache"
# What this machine's builds share, not what a user needs: the disk cache the other tests fill, and
# no kept sandboxes (Debian's system bazelrc sets --sandbox_debug).
MACHINE_FLAGS = [f"--disk_cache={DISK_CACHE}", "--nosandbox_debug"]


def quickstart_blocks(readme=REPO / "README.md"):
    """{name: text} of README's marked blocks; a MODULE.bazel block is named "MODULE.bazel, <variant>"."""
    blocks = {}
    for name, text in MARKED_BLOCK.findall(pathlib.Path(readme).read_text()):
        assert name not in blocks, f"README.md marks two blocks `quickstart: {name}`"
        blocks[name] = text
    return blocks


def make_workspace(path, module_bazel):
    """An outside workspace at `path` from README's blocks, with `module_bazel` as its MODULE.bazel."""
    for name, text in quickstart_blocks().items():
        if name.startswith("MODULE.bazel"):
            continue
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    (path / "MODULE.bazel").write_text(module_bazel)
    return path


def test_readme_marks_every_file_of_the_quick_start():
    blocks = quickstart_blocks()
    assert {"MODULE.bazel, release archive", "MODULE.bazel, clone", "app/BUILD.bazel", "app/tool/cli.py",
            "app/tool/motd.txt", ".bazelrc"} <= set(blocks)
    for variant in ("MODULE.bazel, release archive", "MODULE.bazel, clone"):
        assert 'module_name = "pystatic_distribution"' in blocks[variant], f"{variant}: both modules are overridden"


def _build_and_run(bazel):
    run = bazel.run("run", *MACHINE_FLAGS, "//app:tool")
    assert run.stdout.strip() == EXPECTED, run.stdout + run.stderr[-2000:]
    # No --platforms: the host CPU's musl target, where cquery says (docs/py_static_binary.md, Platforms).
    executable = bazel.output_file("//app:tool", *MACHINE_FLAGS)
    assert "/linux_musl-fastbuild/" in str(executable), executable
    assert subprocess.run([executable], capture_output=True, text=True, env={}).stdout.strip() == EXPECTED
    bazel.run("build", *MACHINE_FLAGS, "//...")


def test_quickstart_from_a_clone(tmp_path, fresh_bazel):
    (tmp_path / "rules_pystatic").symlink_to(REPO)
    workspace = make_workspace(tmp_path / "workspace", quickstart_blocks()["MODULE.bazel, clone"])
    _build_and_run(fresh_bazel("clone", workspace=workspace, wrapper=REPO / "tools" / "bazel"))


def test_quickstart_from_the_release_archive(tmp_path, fresh_bazel):
    _, _, _, snippet = dev_scripts.load("release").release("0.0.0-test", tmp_path / "dist")
    assert "file://" in snippet and "RELEASE_" not in snippet
    workspace = make_workspace(tmp_path / "workspace", snippet)
    bazel = fresh_bazel("archive", workspace=workspace, wrapper=REPO / "tools" / "bazel")
    _build_and_run(bazel)
    # The rules come from the extracted archive, not from this checkout.
    external = pathlib.Path(bazel.run("info", "output_base").stdout.strip()) / "external"
    assert (external / "rules_pystatic~" / "rules" / "defs.bzl").is_file()
    assert not (external / "rules_pystatic~" / "tests").exists()

