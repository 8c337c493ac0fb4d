"""The developer scripts of dev/ (files without a .py suffix) as modules, for the tests that call them."""

import importlib.machinery
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def load(name):
    """dev/<name> imported as a module (its main() not run)."""
    loader = importlib.machinery.SourceFileLoader("dev_" + name.replace("-", "_"), str(ROOT / "dev" / name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
