"""A damaged binary never runs damaged code: copies of examples/hello with random bytes of the
embedded resource blob flipped either stop with exit 70 and a message naming the blob or the
damaged entry, or (damage only in entries hello never reads) behave exactly like the intact binary.
None crashes, none hangs, none runs with damaged code (docs/resource-blob.md, "Checksums").

The test first finds which payloads hello reads (damage all of them, run, the message names the
first one read; spare it and repeat until the run is intact), so each trial has one right outcome:
damage before the data section -> exit 70 at open; damage in a payload hello reads -> exit 70 naming
a damaged one of those; else -> exactly the intact output.

Seeded: PYSTATIC_CORRUPTION_SEED=N reruns a failure (the seed is in every failure message and
printed), PYSTATIC_CORRUPTION_TRIALS=N changes the number of copies (default 600)."""

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

from pystatic.format import blob

MUSL = "--platforms=//platforms:linux_musl"
TRIALS = int(os.environ.get("PYSTATIC_CORRUPTION_TRIALS", "600"))
SEED = int(os.environ.get("PYSTATIC_CORRUPTION_SEED") or random.SystemRandom().randrange(2**32))
WORKERS = 2
TIMEOUT = 30
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
        try:
            blob.BlobReader(elf[at : at + header[8] + header[9]])
        except blob.BlobError:
            continue
        found.append((at, header))
    assert len(found) == 1, f"expected one resource blob in the executable, found {len(found)}"
    return found[0]


def payloads(elf, at, header):
    """{(kind, name, "primary"|"source"): (start, end)} of every non-empty payload, as absolute
    offsets in the executable (an empty payload has no byte to damage)."""
    count, index, names_offset, data_offset = header[3], header[5], header[6], header[8]
    found = {}
    for i in range(count):
        fields = blob.RECORD.unpack_from(elf, at + index + i * blob.RECORD.size)
        name_offset, name_size, kind, flags = fields[:4]
        name = elf[at + names_offset + name_offset : at + names_offset + name_offset + name_size].decode()
        for present, which, offset, stored in ((blob.HAS_PRIMARY, "primary", *fields[6:8]),
                                               (blob.HAS_SOURCE, "source", *fields[11:13])):
            if flags & present and stored:
                found[(kind, name, which)] = (at + data_offset + offset, at + data_offset + offset + stored)
    return found


def named_payload(stderr):
    match = DAMAGED.search(stderr)
    if match is None:
        return None
    return KINDS[match.group(1)], match.group(2), "source" if match.group(3) == "source" else "primary"


def plan(rng, at, header, used):
    """One damaged copy: (region, {absolute offset: xor mask}): a fifth damage 1-3 bytes of the
    header, index or names, two fifths 1-4 bytes of payloads hello reads (and maybe 0-8 anywhere
    in the data section), the rest 1-32 bytes anywhere in the data section."""
    head_end, blob_end = at + header[8], at + header[8] + header[9]
    choice = rng.random()
    if choice < 0.2:
        region, positions = "index", rng.sample(range(at, head_end), rng.randint(1, 3))
    elif choice < 0.6:
        region = "used payloads"
        positions = {rng.randrange(*used[key]) for key in rng.choices(sorted(used), k=rng.randint(1, 4))}
        positions |= set(rng.sample(range(head_end, blob_end), rng.randint(0, 8)))
    else:
        region, positions = "data section", rng.sample(range(head_end, blob_end), rng.randint(1, 32))
    return region, {p: rng.randrange(1, 256) for p in positions}


def test_damaged_copies_exit_70_naming_the_damage_or_run_unchanged(hello, tmp_path):
    elf = hello.read_bytes()
    at, header = find_blob(elf)
    head_end = at + header[8]
    every_payload = payloads(elf, at, header)
    context = f"PYSTATIC_CORRUPTION_SEED={SEED} PYSTATIC_CORRUPTION_TRIALS={TRIALS}"
    print(f"corruption test: {context}; blob at {at:#x}, {header[3]} entries, {header[8] + header[9]} bytes")

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
            stdout, stderr = process.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            return None
        normalize = lambda text: text.decode(errors="replace").replace(str(copy), "HELLO")  # noqa: E731
        return process.returncode, normalize(stdout), normalize(stderr)

    def damaged_run(copy, flips):
        with lock, open(copy, "r+b") as f:
            for position, mask in flips.items():
                f.seek(position)
                f.write(bytes([elf[position] ^ mask]))
        try:
            return run(copy)
        finally:
            with lock, open(copy, "r+b") as f:
                for position in flips:
                    f.seek(position)
                    f.write(elf[position : position + 1])

    intact = [run(copy) for copy in copies]
    assert intact[0] == intact[1] and intact[0][0] == 0 and intact[0][1].startswith("hello from rules_pystatic"), intact
    reference = intact[0]

    # The payloads hello reads, one per run: all others damaged, the first read is named.
    used = {}
    while True:
        result = damaged_run(copies[0], {start: 0xFF for key, (start, _) in every_payload.items() if key not in used})
        if result == reference:
            break
        key = named_payload(result[2]) if result and result[0] == 70 else None
        assert key in every_payload and key not in used, f"finding the payloads hello reads: {result}"
        used[key] = every_payload[key]
    print(f"hello reads {len(used)} of {len(every_payload)} payloads: {', '.join(sorted(k[1] for k in used))}")
    assert used, "hello reads its own module at least"

    rng = random.Random(SEED)
    plans = [plan(rng, at, header, used) for _ in range(TRIALS)]
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
            outcomes.append((trial, region, flips, damaged_run(copy, flips)))

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
        for future in [pool.submit(worker, copy) for copy in copies]:
            future.result()
    seconds = time.perf_counter() - start

    counts, problems = {}, []
    for trial, region, flips, result in sorted(outcomes, key=lambda o: o[0]):
        where = f"trial {trial} ({region}, {len(flips)} bytes at {', '.join(hex(p) for p in sorted(flips))})"
        hit = {key for key, (start, end) in used.items() if any(start <= p < end for p in flips)}
        if result is None:
            problems.append(f"{where}: hung (killed after {TIMEOUT} s)")
            continue
        returncode, stdout, stderr = result
        if returncode < 0:
            problems.append(f"{where}: killed by signal {-returncode}: {stderr[-500:]}")
            continue
        if any(p < head_end for p in flips):
            expected = "exit 70 at open"
            ok = returncode == 70 and UNUSABLE.search(stderr) and not stdout
        elif hit:
            expected = "exit 70 naming the entry"
            ok = returncode == 70 and named_payload(stderr) in hit and not stdout
        else:
            expected = "unchanged"
            ok = result == reference
        if not ok:
            problems.append(f"{where}: expected {expected}{f' (damaged: {sorted(hit)})' if hit else ''}, got exit "
                            f"{returncode}\nstdout: {stdout[-300:]}\nstderr: {stderr[-800:]}")
            continue
        counts[expected] = counts.get(expected, 0) + 1
    summary = f"{TRIALS} damaged copies in {seconds:.1f} s with {WORKERS} workers: {counts} ({context})"
    print(summary)
    assert not problems, "\n".join(problems[:20]) + f"\n{len(problems)} problems; {summary}"
    assert len(outcomes) == TRIALS, summary
    if TRIALS >= 100:  # each kind of outcome occurred (near certain with this many trials)
        assert all(counts.get(o, 0) >= TRIALS // 50 for o in ("unchanged", "exit 70 at open", "exit 70 naming the entry")), summary
