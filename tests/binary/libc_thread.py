"""Built unstripped by tests/integration/test_libc_thread.py: its pthread mutex and condition-variable
functions are runtime/libc_thread.c's (docs/libc.md). It runs SQLite (a recursive mutex per API
call, the GIL released around each step) before any thread exists, then threads that contend for
the GIL and a shared connection, a queue, and SQLite again: every result is checked."""

import math
import queue
import sqlite3
import threading


class AvgLength:
    def __init__(self):
        self.total = self.count = 0

    def step(self, value):
        self.count += 1
        self.total += len(value)

    def finalize(self):
        return self.total / self.count


def sqlite_round(conn, rows):
    conn.execute("create table if not exists cos (x, y, z)")
    conn.execute("delete from cos")
    for i in range(rows):
        conn.execute("insert into cos values (?, ?, ?)", [i, math.cos(i), str(i)])
    conn.create_function("cos", 1, math.cos)
    assert all(math.cos(x) == c1 == c2 for x, c1, c2 in conn.execute("select x, cos(x), y from cos"))
    conn.create_aggregate("avglength", 1, AvgLength)
    expected = sum(len(str(i)) for i in range(rows)) / rows
    assert conn.execute("select avglength(z) from cos").fetchone()[0] == expected


assert threading.active_count() == 1
single = sqlite3.connect(":memory:")
sqlite_round(single, 5000)

shared = sqlite3.connect(":memory:", check_same_thread=False)
shared.execute("create table hits (thread, n)")
shared_lock = threading.Lock()
counts = [0] * 4


def work(index):
    local = sqlite3.connect(":memory:")
    sqlite_round(local, 2000)
    for n in range(500):
        counts[index] += sum(range(200))  # CPU-bound: the threads take turns on the GIL
        with shared_lock:
            shared.execute("insert into hits values (?, ?)", (index, n))


threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert counts == [500 * sum(range(200))] * 4
assert shared.execute("select count(*), count(distinct thread) from hits").fetchone() == (2000, 4)

jobs, results = queue.Queue(), queue.Queue()


def consume():
    while (item := jobs.get()) is not None:
        results.put(item * item)


consumers = [threading.Thread(target=consume) for _ in range(3)]
for thread in consumers:
    thread.start()
for i in range(3000):
    jobs.put(i)
for _ in consumers:
    jobs.put(None)
for thread in consumers:
    thread.join()
assert sorted(results.get() for _ in range(3000)) == [i * i for i in range(3000)]

sqlite_round(single, 3000)
print("libc_thread ok")
