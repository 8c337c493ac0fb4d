# A .py file no import can name (a hyphen in its directory), as mypy's wheel ships mypyc/lib-rt/build_setup.py:
# a data file of the binary, read as a file.
BUILD = True
