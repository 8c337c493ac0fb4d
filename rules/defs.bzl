"""Public API of rules_pystatic. Re-exports only; implementations live in rules/private/."""

load("//rules/private:binary.bzl", _py_static_binary = "py_static_binary")
load("//rules/private:providers.bzl", _PyStaticResourcesInfo = "PyStaticResourcesInfo")
load("//rules/private:resources.bzl", _pystatic_resources = "pystatic_resources")

PyStaticResourcesInfo = _PyStaticResourcesInfo
py_static_binary = _py_static_binary
pystatic_resources = _pystatic_resources
