"""A module's long-lived objects: a class, a function, a dict."""


class Thing:
    pass


def function():
    return Thing()


TABLE = {"thing": Thing}
