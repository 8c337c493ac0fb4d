"""Work done in child processes (multiprocessing pickles these functions by module name)."""

import hashlib


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()[:16]
