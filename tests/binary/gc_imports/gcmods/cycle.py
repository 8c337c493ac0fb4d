"""Leaves cyclic garbage with a finalizer behind while it is imported (a weak reference to it in REF)."""

import weakref

EVENTS = []


class Node:
    def __del__(self):
        EVENTS.append("finalized")


def _make():
    node = Node()
    node.self = node
    return weakref.ref(node)


REF = _make()
