"""A library of the e2e workspace that uses rich (a wheel) through an ordinary py_library."""

from rich.console import Console
from rich.panel import Panel


def greet(name):
    console = Console(width=40, force_terminal=False)
    with console.capture() as capture:
        console.print(Panel(f"hello, {name}", expand=False))
    return capture.get()
