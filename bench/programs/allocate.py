"""Allocation-heavy work: copies of a 10 MB buffer and many small objects (allocator comparison)."""

buffer = bytes(10 * 1024 * 1024)
for _ in range(20):
    buffer = bytes(bytearray(buffer))
objects = [{"i": i, "s": str(i)} for i in range(300_000)]
print(len(buffer), len(objects))
