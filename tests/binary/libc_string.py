"""Built unstripped by tests/integration/test_binary.py: its symbol table shows the libc string
routines are runtime/libc_string.c's (docs/libc.md); it compiles and runs a long source string
(the tokenizer's line-by-line strchr) and compares strings whose bytes differ by every amount."""

source = "".join("x%d = %d\n" % (i, i) for i in range(5000))
namespace = {}
exec(compile(source, "<generated>", "exec"), namespace)
assert namespace["x4999"] == 4999
words = [bytes([c]) + b"tail" for c in range(1, 256)]
assert sorted(words, reverse=True) == words[::-1]
assert all((a < b) == (a.decode("latin-1") < b.decode("latin-1")) for a in words[:40] for b in words[:40])
print("libc_string ok")
