"""The runtime toolchain's actions: one merged archive and sysconfig data per distribution."""
