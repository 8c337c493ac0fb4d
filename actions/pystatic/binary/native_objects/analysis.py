"""The whole check of a binary's embedded shared objects: each readable and loadable on its own
(loadability), then its libraries and the names it needs from the executable (dependencies)."""

from pystatic.binary.native_objects import elf_reading, loadability
from pystatic.binary.native_objects.dependencies import EmbeddedTree
from pystatic.binary.native_objects.problems import Problem


def analyse(objects, elf_machine, cpu, provided_libraries=()):
    """([ObjectNeeds], [Problem], defined_by) of the EmbeddedObjects `objects`, in their tree
    paths' order; defined_by: {name the executable serves: [tree paths of embedded objects that
    define it too]}: a loader that looks in the executable first binds those objects' own
    references to the executable's copy (interposition), what the curated table keeps rare.

    Raises ValueError on a tree path given twice or an --elf_machine that is not --cpu's."""
    seen = set()
    for obj in objects:
        if obj.tree_path in seen:
            raise ValueError(f"{obj.tree_path} is given twice")
        seen.add(obj.tree_path)
    problems, readable = [], {}
    for obj in sorted(objects, key=lambda o: o.tree_path):
        try:
            shared = elf_reading.read_shared_object(obj.file)
        except elf_reading.UnreadableObject as err:
            problems.append(Problem(obj, f"is {err}"))
            continue
        found = loadability.object_problems(shared, elf_machine, cpu)
        problems.extend(Problem(obj, reason) for reason in found)
        if shared.has_dynamic and shared.machine == elf_machine and shared.elf_class == 64:
            readable[obj.tree_path] = (obj, shared)
    tree = EmbeddedTree(readable, provided_libraries)
    results = []
    for tree_path in readable:
        needs, found = tree.needs(tree_path)
        results.append(needs)
        problems.extend(found)
    exported = executable_names(results)
    defined_by = {}
    for tree_path, (_, shared) in readable.items():
        for name in shared.defined & exported.keys():
            defined_by.setdefault(name, []).append(tree_path)
    return results, problems, dict(sorted(defined_by.items()))


def executable_names(results):
    """{name: strong} of every name some object needs from the executable (strong if any needs it strongly)."""
    names = {}
    for needs in results:
        for name in needs.weak:
            names.setdefault(name, False)
        for name in needs.strong:
            names[name] = True
    return names
