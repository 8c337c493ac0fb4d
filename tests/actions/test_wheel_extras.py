from packaging.requirements import Requirement

from pystatic.repository.wheels.extras import closes_cycle, extras_in_lock, find_cycle, nodes_in_cycles, reaches
from pystatic.repository.wheels.platforms import Platform


def test_cycles_are_found_deterministically_and_each_removed_once():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert nodes_in_cycles(graph) == {"a": ["a", "b", "c", "a"], "b": ["a", "b", "c", "a"], "c": ["a", "b", "c", "a"],
                                      "e": ["e", "e"]}
    assert find_cycle({"a": {"b"}, "b": set()}) is None and nodes_in_cycles({"a": {"b"}}) == {}
    assert reaches(graph, "d", "c") and not reaches(graph, "a", "d")
    assert closes_cycle({"x": {"y"}, "y": set()}, "y", {"x"}) and not closes_cycle({"x": {"y"}}, "x", {"z"})
    assert closes_cycle({}, "x", {"x"})


def test_an_extra_counts_as_locked_when_the_lock_pins_each_of_its_requirements():
    requires = [Requirement(r) for r in ('click; extra == "cli"', 'rich; extra == "cli"', 'brotli; extra == "br"', "idna")]
    platform = Platform("x86_64-linux-musl", "x86_64", "linux_musl", ("musllinux_1_2_x86_64",), "3.13.15")
    assert extras_in_lock(requires, platform, {"click", "rich", "idna"}) == {"cli"}
    assert extras_in_lock(requires, platform, {"click", "idna"}) == set()
