"""A click command line that prints with rich, using wheels from examples/wheels/pylock.toml."""

import importlib.metadata
import os
import pathlib
import platform
import sys

import click
import markupsafe
import yaml
from rich.console import Console
from rich.table import Table

DISTRIBUTIONS = ["click", "rich", "markdown-it-py", "mdurl", "pygments", "markupsafe", "pyyaml"]


@click.group()
def cli():
    """Third-party wheels inside one static executable."""


@cli.command()
def report():
    """A table of the embedded distributions and what each one does here."""
    table = Table(title="wheels inside " + os.path.basename(sys.executable))
    table.add_column("distribution")
    table.add_column("version")
    table.add_column("licence")
    for name in DISTRIBUTIONS:
        meta = importlib.metadata.metadata(name)
        classifiers = [c.rpartition(" :: ")[2] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
        licence = meta.get("License-Expression") or meta.get("License") or ", ".join(classifiers)
        table.add_row(name, meta["Version"], licence)
    Console(width=100, force_terminal=False).print(table)
    print("machine:", platform.machine())
    # Built in when the binary links py_static_extension //examples/wheels:markupsafe_speedups (or, for
    # Windows, markupsafe's sdist built by pystatic.wheels), else the wheel's own shared object,
    # loaded from memory (docs/native-wheels.md).
    if "markupsafe._speedups" in sys.builtin_module_names:
        speedups = "built-in"
    else:
        speedups = "loaded" if _has("markupsafe._speedups") else "absent"
    print("markupsafe:", markupsafe.escape("<b>&</b>"), "speedups:", speedups, "(used)" * _has("markupsafe._speedups"))
    # A distribution's file as a path (cmake's package finds its programs so): PackagePath.locate().
    init = next(f for f in importlib.metadata.distribution("click").files if str(f) == "click/__init__.py")
    located = pathlib.Path(init.locate()).resolve(strict=True)
    missing = []  # strict realpath of the tree raises what python3's of a directory would
    for path in ("click/no_such_file", "click/__init__.py/x"):
        try:
            os.path.realpath(os.path.join(sys.executable, path), strict=True)
        except OSError as err:
            missing.append(type(err).__name__)
    with open(init.locate(), encoding="utf-8") as source:
        print("located:", os.path.relpath(located, sys.executable), "click" in source.read(), *missing)
    print("yaml:", yaml.safe_dump({"static": True, "libyaml": yaml.__with_libyaml__}).strip().replace("\n", ", "))


@cli.command()
@click.argument("words", nargs=-1)
@click.option("--shout", is_flag=True, help="upper case")
def echo(words, shout):
    """Print WORDS with rich markup."""
    text = " ".join(words)
    Console(force_terminal=False).print(f"[bold]{text.upper() if shout else text}[/bold]")


@cli.command()
def scripts():
    """The console_scripts entry points the embedded distributions declare."""
    for ep in sorted(importlib.metadata.entry_points(group="console_scripts"), key=lambda e: e.name):
        print(f"{ep.name} = {ep.value}")


def _has(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    cli()
