"""Every symbol of rules/defs.bzl; for the two macros, the rules behind them (their attributes).

`py_static_binary` and `py_static_extension` are macros that set a default
`target_compatible_with` (the linux-musl platforms) and pass every other attribute to these rules.
"""

load(":binary.bzl", "PY_STATIC_BINARY_RULE", _py_static_interpreter = "py_static_interpreter")
load(":providers.bzl", _PyStaticExtensionInfo = "PyStaticExtensionInfo", _PyStaticResourcesInfo = "PyStaticResourcesInfo")
load(":resources.bzl", _pystatic_resources = "pystatic_resources")
load(":static_extension.bzl", "PY_STATIC_EXTENSION_RULE")

py_static_binary = PY_STATIC_BINARY_RULE
py_static_interpreter = _py_static_interpreter
py_static_extension = PY_STATIC_EXTENSION_RULE
pystatic_resources = _pystatic_resources
PyStaticExtensionInfo = _PyStaticExtensionInfo
PyStaticResourcesInfo = _PyStaticResourcesInfo
