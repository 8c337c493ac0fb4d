"""Fetch-time stand-ins for build backends that have no metadata hook (meson-python, scikit-build-core).

pip prepares an sdist's metadata before it keeps the file. meson-python and scikit-build-core have no
metadata hook, so pip builds the whole wheel in an isolated environment with the host's compiler:
that fails here or takes very long (seen: pip built cmake from source for a meson-python sdist's
build environment). So pip first runs without build isolation, with these stand-ins on its path,
which answer with the sdist's own PKG-INFO (other backends are imported from the fetching Python
or fail, and then pip runs as usual); the real backend runs later, in the PyStaticSdist action,
from the build lock.
"""

import pathlib


METADATA_SHIM_BACKENDS = ("mesonpy", "scikit_build_core.build")
METADATA_SHIM = '''"""Fetch-time stand-in for the build backend {backend} (rules_pystatic): pip needs only the
sdist's metadata, which its PKG-INFO holds; the real backend builds it later, in a Bazel action."""
import email.parser
import os


def get_requires_for_build_wheel(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with open("PKG-INFO", encoding="utf-8") as f:
        text = f.read()
    headers = email.parser.HeaderParser().parsestr(text)
    name = headers["Name"].replace("-", "_").replace(".", "_")
    dist_info = os.path.join(metadata_directory, name + "-" + headers["Version"] + ".dist-info")
    os.makedirs(dist_info, exist_ok=True)
    with open(os.path.join(dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(text)
    return os.path.basename(dist_info)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise RuntimeError("rules_pystatic's fetch-time stand-in for {backend} builds no wheel")
'''


def write_metadata_shims(directory):
    """The stand-in backends of METADATA_SHIM_BACKENDS as importable modules under directory."""
    for backend in METADATA_SHIM_BACKENDS:
        parts = backend.split(".")
        package_dir = pathlib.Path(directory, *parts)
        package_dir.mkdir(parents=True, exist_ok=True)
        (package_dir / "__init__.py").write_text(METADATA_SHIM.format(backend=backend))
        for depth in range(1, len(parts)):
            init = pathlib.Path(directory, *parts[:depth], "__init__.py")
            if not init.exists():
                init.write_text("")
    return directory
