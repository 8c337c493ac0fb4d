"""Which extras of a locked package the wheel targets follow, without cycles.

A lock names versions, not the extras it was made with: `uv pip compile` writes `httpx==0.29.0` for
`httpx[cli]` and pins click and rich, which httpx's console script then needs. So an extra whose
every requirement the lock pins is taken as asked for (`extras_in_lock`), counting only the pins the
lock's `# via` annotations give to that package when it has them (dependencies.pinned_for: a lock
shared by many apps pins lxml for one of them, not for pandas' extra `xml`). That is a guess, and it
can close a circle that Python allows but Bazel's targets cannot: sphinxcontrib-serializinghtml's
extra "standalone" requires Sphinx, which the lock pins because the app needs Sphinx, and Sphinx
requires sphinxcontrib-serializinghtml. An inferred extra is therefore kept only when none of its
requirements leads back to the package (`closes_cycle`); the extras a lock line or a dependent
names are always followed. A circle those make is reported by `find_cycle`.
"""

import re

from packaging.utils import canonicalize_name

from pystatic.repository.wheels.platforms import marker_applies

EXTRA_IN_MARKER = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]""")


def extras_in_lock(requires, platform, locked):
    """The extras of a package (its `requires`, packaging Requirements) whose every requirement on
    `platform` is among `locked` (canonical names of the lock's usable packages)."""
    by_extra = {}
    for req in requires:
        marker = str(req.marker or "")
        for extra in set(EXTRA_IN_MARKER.findall(marker)):
            if marker_applies(marker, platform, (extra,)) and not marker_applies(marker, platform):
                by_extra.setdefault(extra, set()).add(canonicalize_name(req.name))
    return {extra for extra, names in by_extra.items() if names <= locked}


def reaches(graph, start, goal):
    """Whether `goal` is reachable from `start` in `graph` ({node: set of nodes})."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return False


def closes_cycle(graph, node, new_edges):
    """Whether adding edges from `node` to each of `new_edges` would make a cycle in `graph`."""
    return any(target == node or reaches(graph, target, node) for target in new_edges)


def asked_extras(result, resolved):
    """The extras of `result`'s package that its lock line or a dependent on its platform names
    (`resolved`: the resolver's results; each has package, platform, requires, unavailable, broken)."""
    platform = result.platform
    wanted = set(result.package.extras)
    for other in resolved:
        if other.platform is platform and not other.unavailable and not other.broken:
            for req in other.requires:
                if canonicalize_name(req.name) == result.package.key and marker_applies(
                    str(req.marker or ""), platform, tuple(other.package.extras)
                ):
                    wanted |= set(req.extras)
    return wanted


def nodes_in_cycles(graph):
    """{node: the cycle it was found in} for the nodes of `graph` whose removal leaves it acyclic,
    cycle by cycle."""
    graph = {node: set(edges) for node, edges in graph.items()}
    found = {}
    cycle = find_cycle(graph)
    while cycle:
        for node in cycle[:-1]:
            found[node] = cycle
            graph.pop(node, None)
        graph = {node: {d for d in edges if d in graph} for node, edges in graph.items()}
        cycle = find_cycle(graph)
    return found


def find_cycle(graph):
    """One cycle of `graph` as a list of nodes [a, b, ..., a], or None; deterministic."""
    state = {}  # node -> 1 on the path, 2 done
    for root in sorted(graph):
        if root in state:
            continue
        path, stack = [], [(root, iter(sorted(graph.get(root, ()))))]
        state[root] = 1
        path.append(root)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph.get(child, ())))))
    return None
