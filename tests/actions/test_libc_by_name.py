"""actions/pystatic/modules/libc_by_name.py: modules that call the C library by name through ctypes."""

import ast

import pytest

from pystatic.modules.libc_by_name import loads_libc_by_name


@pytest.mark.parametrize("source", [
    "import ctypes, ctypes.util\n_LIBC = ctypes.cdll.LoadLibrary(ctypes.util.find_library('c'))\n",
    "from ctypes.util import find_library\nlibc = CDLL(find_library('c'))\n",
    "import ctypes\nlibc = ctypes.CDLL('libc.so.6', use_errno=True)\n",
    "import ctypes\nctypes.CDLL(None).malloc_trim(0)\n",
    "def f():\n    import ctypes\n    return ctypes.PyDLL(None)\n",
])
def test_calls_into_the_c_library_by_name(source):
    assert loads_libc_by_name(ast.parse(source))


@pytest.mark.parametrize("source", [
    "import ctypes\nctypes.CDLL('libssl.so.3')\n",
    "from ctypes.util import find_library\nfind_library('ssl')\n",
    "import ctypes\nctypes.CDLL(path)\n",
    "import ctypes\nx = ctypes.c_int(3)\n",
    "find_library()\n",
])
def test_other_libraries_and_computed_names_are_not(source):
    assert not loads_libc_by_name(ast.parse(source))
