"""Public API of rules_pystatic. Re-exports only; implementations live in rules/private/."""

load("//rules/private:binary.bzl", _py_static_binary = "py_static_binary", _py_static_interpreter = "py_static_interpreter")
load("//rules/private:providers.bzl", _PyStaticExtensionInfo = "PyStaticExtensionInfo", _PyStaticResourcesInfo = "PyStaticResourcesInfo")
load("//rules/private:resources.bzl", _pystatic_resources = "pystatic_resources")
load("//rules/private:static_extension.bzl", _py_static_extension = "py_static_extension")

PyStaticExtensionInfo = _PyStaticExtensionInfo
PyStaticResourcesInfo = _PyStaticResourcesInfo
py_static_binary = _py_static_binary
py_static_extension = _py_static_extension
py_static_interpreter = _py_static_interpreter
pystatic_resources = _pystatic_resources
