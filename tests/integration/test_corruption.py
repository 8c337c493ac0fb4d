"""A damaged binary never runs damaged code: copies of examples/hello with random bytes of the
embedded resource blob flipped either stop with exit 70 and a message naming the blob or the
damaged entry, or (damage only in entries hello never reads) behave exactly like the intact binary.
None crashes, none hangs, none runs with damaged code (docs/resource-blob.md, "Checksums").

Seeded: PYSTATIC_CORRUPTION_SEED=N reruns a failure (the seed is in every failure message and
printed), PYSTATIC_CORRUPTION_TRIALS=N changes the number of copies (default 400)."""

import concurrent.futures
import os
import pathlib
import random
import re
import shutil
import subprocess
import threading
import time

import pytest

from pystatic import blob

MUSL = "--platforms=//platforms:linux_musl"
TRIALS = int(os.environ.get("PYSTATIC_CORRUPTION_TRIALS", "400"))
SEED = int(os.environ.get("PYSTATIC_CORRUPTION_SEED") or random.SystemRandom().randrange(2**32))
WORKERS = 2
UNUSABLE = re.compile(r"the embedded resource blob is unusable: ")
DAMAGED = re.compile(
    r"the embedded resource blob is damaged: (module|data file|metadata file) '([^']+)' "
    r"\((bytecode|contents|source)\) fails its checksum"
)
KINDS = {"module": blob.MODULE, "data file": blob.DATA, "metadata file": blob.METADATA}


@pytest.fixture(scope="module")
def hello(bazel):
    return bazel.build_file("//examples/hello", MUSL)


def find_blob(elf):
    """(offset of the blob in the executable, its header fields). The runtime's own copy of the
    magic string is also in the file: the blob is the occurrence that reads as a valid blob."""
    found = []
    for match in re.finditer(re.escape(blob.MAGIC), elf):
        at = match.start()
        if at + blob.HEADER.size > len(elf):
            continue
        header = blob.HEADER.unpack_from(elf, at)
        if header[1] != blob.FORMAT_VERSION or header[5] != blob.HEADER.size:
            continue
        size = header[8] + header[9]
        try:
            blob.BlobReader(elf[at : at + size])
        except blob.BlobError:
            continue
        found.append((at, header))
    assert len(found) == 1, f"expected one resource blob in the executable, found {len(found)}"
    return found[0]


def payload_owners(elf, at, header):
    """[(start, end, kind, name, payload)] of every payload, as absolute offsets in the executable."""
    count, index, names_offset, data_offset = header[3], header[5], header[6], header[8]
    owners = []
    for i in range(count):
        fields = blob.RECORD.unpack_from(elf, at + index + i * blob.RECORD.size)
        name_offset, name_size, kind, flags = fields[:4]
        name = elf[at + names_offset + name_offset : at + names_offset + name_offset + name_size].decode()
        for present, which, offset, stored in ((blob.HAS_PRIMARY, "primary", *fields[6:8]), (blob.HAS_SOURCE, "source", *fields[11:13])):
            if flags & present:
                start = at + data_offset + offset
                owners.append((start, start + stored, kind, name, which))
    return owners


def plan(rng, at, header):
    """One damaged copy: (region, {absolute offset: xor mask}). A quarter damage the header, index
    or names (caught at open), the rest 1-32 bytes anywhere in the data section."""
    head_end, blob_end = at + header[8], at + header[8] + header[9]
    if rng.random() < 0.25:
        region, positions = "index", rng.sample(range(at, head_end), rng.randint(1, 3))
    else:
        region, positions = "payloads", rng.sample(range(head_end, blob_end), rng.randint(1, 32))
    return region, {p: rng.randrange(1, 256) for p in positions}


def test_damaged_copies_exit_70_naming_the_damage_or_run_unchanged(hello, tmp_path):
    elf = hello.read_bytes()
    at, header = find_blob(elf)
    owners = payload_owners(elf, at, header)
    rng = random.Random(SEED)
    plans = [plan(rng, at, header) for _ in range(TRIALS)]
    context = f"PYSTATIC_CORRUPTION_SEED={SEED} PYSTATIC_CORRUPTION_TRIALS={TRIALS}"
    print(f"corruption test: {context}, blob at {at:#x}, {header[3]} entries, {header[8] + header[9]} bytes")

    # One copy per worker, damaged in place and restored after each run. Writes and process starts
    # share a lock: a child forked while another worker's copy is open for writing would make that
    # copy's exec fail with ETXTBSY (Popen returns once the child has exec'd).
    lock = threading.Lock()
    copies = []
    for i in range(WORKERS):
        (tmp_path / f"w{i}" / "tmp").mkdir(parents=True)
        copies.append(pathlib.Path(shutil.copy2(hello, tmp_path / f"w{i}" / "hello")))

    def run(copy):
        env = {"TMPDIR": str(copy.parent / "tmp")}
        with lock:
            process = subprocess.Popen([str(copy)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            stdout, stderr = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return None
        normalize = lambda text: text.decode(errors="replace").replace(str(copy), "HELLO")  # noqa: E731
        return process.returncode, normalize(stdout), normalize(stderr)

    def patch(copy, flips, restore):
        with lock, open(copy, "r+b") as f:
            for position, mask in sorted(flips.items()):
                f.seek(position)
                f.write(bytes([elf[position] if restore else elf[position] ^ mask]))

    intact = [run(copy) for copy in copies]
    assert intact[0] == intact[1] and intact[0][0] == 0 and intact[0][1].startswith("hello from rules_pystatic"), intact
    reference = intact[0]

    work = iter(enumerate(plans))
    work_lock = threading.Lock()
    outcomes = []

    def worker(copy):
        while True:
            with work_lock:
                item = next(work, None)
            if item is None:
                return
            trial, (region, flips) = item
            patch(copy, flips, restore=False)
            try:
                result = run(copy)
            finally:
                patch(copy, flips, restore=True)
            outcomes.append((trial, region, flips, result))

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for future in [pool.submit(worker, copy) for copy in copies]:
            future.result()
    seconds = time.perf_counter() - start

    counts = {}
    problems = []
    for trial, region, flips, result in sorted(outcomes, key=lambda o: o[0]):
        where = f"trial {trial} ({region}, {len(flips)} bytes at {', '.join(hex(p) for p in sorted(flips))})"
        if result is None:
            problems.append(f"{where}: hung (killed after 30 s)")
            continue
        returncode, stdout, stderr = result
        if returncode < 0:
            problems.append(f"{where}: killed by signal {-returncode}: {stderr[-500:]}")
            continue
        if result == reference:
            outcome = "unchanged"
        elif returncode == 70 and UNUSABLE.search(stderr) and region == "index":
            outcome = "exit 70 at open"
        elif returncode == 70 and (match := DAMAGED.search(stderr)):
            kind, name, which = KINDS[match.group(1)], match.group(2), "source" if match.group(3) == "source" else "primary"
            hit = [o for o in owners if o[2:] == (kind, name, which) and any(o[0] <= p < o[1] for p in flips)]
            if not hit:
                problems.append(f"{where}: exit 70 names {match.group(0)!r}, which none of the flipped bytes is in")
                continue
            outcome = "exit 70 naming the entry"
        else:
            problems.append(f"{where}: exit {returncode}, neither the intact output nor a damage message:\n"
                            f"stdout: {stdout[-300:]}\nstderr: {stderr[-800:]}")
            continue
        if outcome == "exit 70 naming the entry" and stdout:
            problems.append(f"{where}: printed {stdout!r} before stopping")  # hello's output comes after its imports
        counts[outcome] = counts.get(outcome, 0) + 1
    summary = f"{TRIALS} damaged copies in {seconds:.1f} s with {WORKERS} workers: {counts} ({context})"
    print(summary)
    assert not problems, "\n".join(problems[:20]) + f"\n{len(problems)} problems; {summary}"
    assert len(outcomes) == TRIALS, summary
    # The trials exercised all three outcomes (with a few hundred, each is near certain).
    if TRIALS >= 100:
        assert all(counts.get(o, 0) >= TRIALS // 50 for o in ("unchanged", "exit 70 at open", "exit 70 naming the entry")), summary
