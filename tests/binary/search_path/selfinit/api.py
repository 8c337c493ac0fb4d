from .__init__ import test  # noqa: F401 (python3 imports `selfinit.__init__`, a module of its own)
