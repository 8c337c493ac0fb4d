"""A module's long-lived objects: a class, a function, a dict."""


class Thing:
    pass


def function():
    return Thing()


TABLE = {"thing": Thing}

# Tuples: one of constants only (no collection needs to traverse it: untracked, as a collection of
# a young generation leaves it in python3) and one holding a tracked object (stays tracked).
ATOMIC = (1, "two", 3.0, (4, 5))
HOLDS_A_LIST = (1, [2])
