"""A package whose SQLite database sits next to its module: SQLite (C) opens it by path."""

import os

PATH = os.path.join(os.path.dirname(__file__), "words.sqlite3")
