def double(x):
    return 2 * x


def fails():
    raise ValueError("from inner.mod")
