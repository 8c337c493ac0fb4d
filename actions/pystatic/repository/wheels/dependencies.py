"""The dependency edges between a repository's targets: each package's Requires-Dist on its platform.

A requirement whose marker applies on the platform (with the extras the package is asked for, or
that the lock implies: extras.py) becomes an edge to the required package's target of the same
platform (`<target>_<platform key>`); one the lock does not pin makes the package unavailable there,
and so does a circle of requirements (Bazel's targets cannot depend on each other in a circle).
"""

from packaging.utils import canonicalize_name

from pystatic.repository.wheels.extras import asked_extras, closes_cycle, extras_in_lock, nodes_in_cycles
from pystatic.repository.wheels.platforms import marker_applies


def requirement_targets(result, wanted, packages, excludes, lock_label):
    """(names of the targets of `result`'s dependencies on its platform with the extras `wanted`, None),
    or (None, the reason it is unavailable). packages: {key: LockedPackage} of the lock; excludes: keys."""
    platform = result.platform
    labels = []
    for req in result.requires:
        if req.marker and not marker_applies(str(req.marker), platform, tuple(sorted(wanted))):
            continue
        key = canonicalize_name(req.name)
        if key in excludes:
            continue
        if key not in packages:
            return None, (
                f"{result.package.name} {result.package.version} requires {req} on {platform.triple}, "
                f"which {lock_label} does not lock. Fix: regenerate the lock for this platform "
                "(or exclude the package)"
            )
        labels.append(f"{packages[key].target}_{platform.key}")
    return sorted(set(labels)), None


def pinned_for(package, dependent):
    """Whether the lock may have pinned `package` (LockedPackage) for `dependent` (a canonical name):
    its `# via` annotation names the dependent, or the lock does not say. uv pins httpx[cli]'s click
    "via httpx"; a lock shared by many apps pins lxml "via -r requirements.in", and pandas' extra
    `xml` is not asked for by that."""
    return package.via is None or dependent in package.via


def dependency_targets(resolved, packages, excludes, lock_label):
    """{(package key, platform key): (target names, None) or (None, reason)} of the usable results of
    `resolved` ({(package key, platform key): the resolver's Resolved}): the asked extras' dependencies,
    then each extra the lock implies (extras.extras_in_lock, of the pins the lock may have made for
    the package: pinned_for) where it closes no cycle; a cycle left
    makes its packages unavailable, naming it."""
    found, graph, asked = {}, {}, {}
    for (key, platform_key), result in sorted(resolved.items()):
        if not (result.unavailable or result.broken):
            asked[(key, platform_key)] = asked_extras(result, resolved.values())
            found[(key, platform_key)] = requirement_targets(result, asked[(key, platform_key)], packages, excludes, lock_label)
            graph[f"{result.package.target}_{platform_key}"] = set(found[(key, platform_key)][0] or ())
    for (key, platform_key), result in sorted(resolved.items()):
        if (key, platform_key) not in found or found[(key, platform_key)][1]:
            continue
        usable = {k for (k, p), other in resolved.items()
                  if p == platform_key and not other.unavailable and not other.broken and k not in excludes
                  and pinned_for(packages[k], key)}
        node, wanted = f"{result.package.target}_{platform_key}", asked[(key, platform_key)]
        for extra in sorted(extras_in_lock(result.requires, result.platform, usable) - wanted):
            labels, missing = requirement_targets(result, wanted | {extra}, packages, excludes, lock_label)
            if missing is None and not closes_cycle(graph, node, set(labels) - graph[node]):
                wanted.add(extra)
                graph[node] = set(labels)
                found[(key, platform_key)] = (labels, None)
    in_cycles = nodes_in_cycles(graph)
    for (key, platform_key), result in resolved.items():
        cycle = in_cycles.get(f"{result.package.target}_{platform_key}")
        if cycle:
            found[(key, platform_key)] = (None, (
                f"{result.package.name} {result.package.version} is in a circle of requirements on "
                f"{result.platform.triple}: {' -> '.join(cycle)} (Bazel targets cannot depend on each "
                "other in a circle). Fix: leave one of them out of the lock, or exclude it"))
    return found
