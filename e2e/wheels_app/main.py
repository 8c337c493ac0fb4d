"""click + rich from e2e/requirements.txt, in one static executable."""

import importlib.metadata
import platform

import click
from greeter import greet


@click.command()
@click.option("--name", default="e2e")
def main(name):
    print(greet(name), end="")
    print(f"click {importlib.metadata.version('click')}, rich {importlib.metadata.version('rich')}, {platform.machine()}")


if __name__ == "__main__":
    main()
