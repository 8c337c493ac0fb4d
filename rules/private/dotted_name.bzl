"""Python dotted names (`pkg.mod`, `pkg.mod.func`) as attributes spell them."""

def is_dotted_name(text):
    """True if every dot-separated part of `text` is an identifier (ASCII)."""
    return all([part and (part[0].isalpha() or part[0] == "_") and part.replace("_", "a").isalnum() for part in text.split(".")])
