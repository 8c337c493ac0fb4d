from . import mod

VALUE = mod.double(21)
