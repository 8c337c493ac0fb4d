"""What a native object check reports: the package, the file in the embedded tree, the reason, the fix."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class EmbeddedObject:
    """A shared object of a wheel: its package ("numpy@2.5.5"), its path in the embedded tree
    ("numpy.libs/libgcc_s-0cd532bd.so.1") and the file read at build time."""

    package: str
    tree_path: str
    file: str

    @property
    def package_name(self):
        return self.package.partition("@")[0]

    @property
    def package_display(self):
        name, _, version = self.package.partition("@")
        return f"{name} {version}" if version else name


@dataclasses.dataclass(frozen=True)
class Problem:
    obj: EmbeddedObject
    reason: str  # completes "<package>: <tree path> ..."

    def message(self):
        name = self.obj.package_name
        return (
            f"error: {self.obj.package_display}: {self.obj.tree_path} {self.reason}. The executable cannot load this "
            f"wheel's native code. Fix: build {name} from its sdist (`build_from_source = [\"{name}\"]` in "
            f"pystatic.wheels, when {name} publishes an sdist), or leave {name} out of the binary."
        )
