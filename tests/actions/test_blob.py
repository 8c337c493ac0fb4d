import struct
import subprocess
import sys

import pytest

from conftest import ROOT
from pystatic.format import blob
from pystatic.format.blob import DATA, MODULE, BlobError, BlobReader, Entry, write_blob

MAGIC = b"\xf3\r\r\n"


def sample_entries():
    return [
        Entry(MODULE, "pkg.mod", primary=b"code-of-mod", source=b"x = 1\n"),
        Entry(MODULE, "pkg", primary=b"code-of-pkg", is_package=True),
        Entry(DATA, "pkg/data/motd.txt", primary=b"hello\n" * 50),
        Entry(MODULE, "a", primary=b"", source=None),
        Entry(blob.METADATA, "pkg-1.0.dist-info/METADATA", primary=b"Name: pkg\n"),
    ]


def test_round_trip_keeps_every_field_and_sorts_by_kind_then_name():
    reader = BlobReader(write_blob(sample_entries(), MAGIC))
    assert reader.bytecode_magic == MAGIC
    assert [(e.kind, e.name) for e in reader.entries()] == [
        (MODULE, "a"), (MODULE, "pkg"), (MODULE, "pkg.mod"), (DATA, "pkg/data/motd.txt"),
        (blob.METADATA, "pkg-1.0.dist-info/METADATA"),
    ]
    assert reader.get(MODULE, "pkg").is_package
    assert reader.get(MODULE, "pkg.mod") == sample_entries()[0]
    assert reader.get(MODULE, "a").primary == b"" and reader.get(MODULE, "a").source is None
    assert reader.get(DATA, "pkg/data/motd.txt").primary == b"hello\n" * 50
    assert reader.get(MODULE, "missing") is None
    assert reader.get(DATA, "pkg.mod") is None  # kinds are separate name spaces


def test_output_is_deterministic_whatever_the_input_order():
    entries = sample_entries()
    assert write_blob(entries, MAGIC) == write_blob(list(reversed(entries)), MAGIC)


def test_payloads_are_aligned_for_zero_copy_reads():
    data = write_blob(sample_entries(), MAGIC)
    header = blob.HEADER.unpack_from(data, 0)
    index_offset, count, data_offset = header[5], header[3], header[8]
    assert data_offset % blob.ALIGN == 0
    for i in range(count):
        record = blob.RECORD.unpack_from(data, index_offset + i * blob.RECORD.size)
        assert record[6] % blob.ALIGN == 0


def test_duplicate_names_are_a_clear_error():
    with pytest.raises(BlobError, match="two resources are named module 'pkg'"):
        write_blob([Entry(MODULE, "pkg", primary=b"1"), Entry(MODULE, "pkg", primary=b"2")], MAGIC)


def test_only_modules_have_sources():
    with pytest.raises(BlobError, match="only modules"):
        write_blob([Entry(DATA, "x.txt", primary=b"", source=b"s")], MAGIC)


def test_zstd_compresses_what_shrinks_and_reads_back():
    entries = sample_entries()
    packed = write_blob(entries, MAGIC, zstd_level=3)
    assert len(packed) < len(write_blob(entries, MAGIC))
    reader = BlobReader(packed)
    assert reader.flags & blob.ANY_ZSTD
    sizes = reader.stored_sizes()
    stored, raw = sizes[(DATA, "pkg/data/motd.txt")]
    assert stored < raw == 300
    assert sizes[(MODULE, "a")] == (0, 0)
    assert {(e.kind, e.name): e for e in reader.entries()} == {(e.kind, e.name): e for e in entries}


def test_zstd_sources_only_leaves_bytecode_and_data_as_they_are():
    entries = [Entry(MODULE, "m", primary=b"c" * 400, source=b"s" * 400), Entry(DATA, "d.txt", primary=b"d" * 400)]
    reader = BlobReader(write_blob(entries, MAGIC, zstd_level=3, payloads=("source",)))
    record = {r.name: r for r in reader._records}
    assert record["m"].flags & blob.SOURCE_ZSTD and not record["m"].flags & blob.PRIMARY_ZSTD
    assert not record["d.txt"].flags & blob.PRIMARY_ZSTD
    assert reader.stored_sizes()[(MODULE, "m")][0] < 400 + 400
    assert {(e.kind, e.name): e for e in reader.entries()} == {(e.kind, e.name): e for e in entries}


def test_zstd_data_compresses_data_and_metadata_but_not_bytecode_nor_shared_objects():
    entries = [
        Entry(MODULE, "m", primary=b"c" * 400, source=b"s" * 400),
        Entry(DATA, "d.json", primary=b'{"key": "value"}' * 100),
        Entry(blob.METADATA, "m-1.dist-info/RECORD", primary=b"m.py,sha256=abc,12\n" * 40),
        Entry(DATA, "lib.so", primary=b"\x7fELF" + b"\0" * 4000, shared_object=True),
    ]
    reader = BlobReader(write_blob(entries, MAGIC, zstd_level=3, payloads=("source", "data"), zstd_dict_size=1024))
    flags = {r.name: r.flags for r in reader._records}
    assert flags["m"] & blob.SOURCE_ZSTD and not flags["m"] & blob.PRIMARY_ZSTD, "bytecode stays as it is"
    assert flags["d.json"] & blob.PRIMARY_ZSTD and flags["m-1.dist-info/RECORD"] & blob.PRIMARY_ZSTD
    assert not flags["lib.so"] & blob.PRIMARY_ZSTD
    assert {(e.kind, e.name): e for e in reader.entries()} == {(e.kind, e.name): e for e in entries}


def test_zstd_data_stays_uncompressed_unless_it_saves_a_tenth():
    import random

    noise = random.Random(0).randbytes(2000)  # zstd saves nothing on it, or a few bytes
    almost = noise + b"a" * 150  # a run of 150 bytes: saves less than a tenth of 2150
    plenty = noise + b"a" * 600  # saves more than a tenth of 2600
    entries = [Entry(DATA, "noise.bin", primary=noise), Entry(DATA, "almost.bin", primary=almost),
               Entry(DATA, "plenty.bin", primary=plenty), Entry(MODULE, "m", primary=almost)]
    reader = BlobReader(write_blob(entries, MAGIC, zstd_level=3, payloads=("bytecode", "data")))
    flags = {r.name: r.flags for r in reader._records}
    assert not flags["noise.bin"] & blob.PRIMARY_ZSTD and not flags["almost.bin"] & blob.PRIMARY_ZSTD
    assert flags["plenty.bin"] & blob.PRIMARY_ZSTD
    assert flags["m"] & blob.PRIMARY_ZSTD, "bytecode is compressed whenever it shrinks"
    assert {(e.kind, e.name): e for e in reader.entries()} == {(e.kind, e.name): e for e in entries}


def test_unknown_payload_class_is_an_error():
    with pytest.raises(BlobError, match="unknown payload class.*sources"):
        write_blob(sample_entries(), MAGIC, zstd_level=3, payloads=("sources",))


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda b: b[:10], "truncated: 10 bytes"),
        (lambda b: b"NOTABLOB" + b[8:], "not a resource blob"),
        (lambda b: b[:8] + struct.pack("<I", 99) + b[12:], "format version 99"),
        (lambda b: b[: len(b) - 5], "truncated or corrupt"),
        (lambda b: b[:16] + struct.pack("<I", 1000) + b[20:], "index is not where the header says"),
    ],
)
def test_corrupt_or_truncated_blobs_fail_with_a_clear_error(corrupt, message):
    data = write_blob(sample_entries(), MAGIC)
    with pytest.raises(BlobError, match=message):
        BlobReader(corrupt(data), what="test.blob")


def _reseal(data):
    """`data` with its header checksum recomputed: a damaged index that the checksum no longer
    catches, to test the structural checks behind it."""
    data = bytearray(data)
    data_offset = blob.HEADER.unpack_from(data, 0)[8]
    struct.pack_into("<I", data, blob.HEADER_CHECKSUM_OFFSET, blob.index_checksum(bytes(data[:data_offset])))
    return bytes(data)


def _patch_record(data, index, field, value, reseal=True):
    header = blob.HEADER.unpack_from(data, 0)
    offset = header[5] + index * blob.RECORD.size
    fields = list(blob.RECORD.unpack_from(data, offset))
    fields[field] = value
    data = data[:offset] + blob.RECORD.pack(*fields) + data[offset + blob.RECORD.size :]
    return _reseal(data) if reseal else data


@pytest.mark.parametrize(
    "field, value, message",
    [
        (0, 10**6, "name outside the names section"),
        (2, 9, "unknown kind 9"),
        (3, 0x80, "unknown kind .* or flags 0x80"),
        (6, 10**9, "payload outside the data section"),
        (1, 1, "index not sorted or duplicate name"),
    ],
)
def test_corrupt_index_entries_are_caught_on_open(field, value, message):
    data = _patch_record(write_blob(sample_entries(), MAGIC), 2, field, value)
    with pytest.raises(BlobError, match=message):
        BlobReader(data)


def test_corrupt_zstd_payload_is_a_blob_error():
    entries = [Entry(DATA, "big.txt", primary=b"a" * 1000)]
    data = bytearray(write_blob(entries, MAGIC, zstd_level=3))
    data[-3] ^= 0xFF
    with pytest.raises(BlobError, match="'big.txt': payload damaged"):
        BlobReader(bytes(data)).get(DATA, "big.txt")
    # Past the checksum (recomputed), the decoder's own error still names the entry.
    fields = list(blob.RECORD.unpack_from(data, blob.HEADER.size))
    offset, stored = fields[6], fields[7]
    data_offset = blob.HEADER.unpack_from(data, 0)[8]
    fields[9] = blob.checksum(data[data_offset + offset : data_offset + offset + stored])
    data = _reseal(data[: blob.HEADER.size] + blob.RECORD.pack(*fields) + data[blob.HEADER.size + blob.RECORD.size :])
    with pytest.raises(BlobError, match="'big.txt': corrupt zstd payload"):
        BlobReader(data).get(DATA, "big.txt")


def test_checksums_cover_header_index_names_and_every_payload():
    data = write_blob(sample_entries(), MAGIC)
    header = blob.HEADER.unpack_from(data, 0)
    assert header[10] == blob.index_checksum(data[: header[8]]) != 0
    reader = BlobReader(data)
    for i, entry in enumerate(reader.entries()):
        fields = blob.RECORD.unpack_from(data, header[5] + i * blob.RECORD.size)
        for payload, (offset, stored, _size, crc, _) in ((entry.primary, fields[6:11]), (entry.source, fields[11:16])):
            if payload is None:
                assert (offset, stored, crc) == (0, 0, 0)
            else:
                assert crc == blob.checksum(data[header[8] + offset : header[8] + offset + stored]), entry.name
    # One flipped bit anywhere before the data section (header fields, a record, a name, padding).
    for at in (12, 20, 40, 64, blob.HEADER.size + 9, header[6] + 1, header[8] - 1):
        damaged = bytearray(data)
        damaged[at] ^= 0x04
        with pytest.raises(BlobError):
            BlobReader(bytes(damaged))
    # A flipped bit in a payload fails only when that entry is read, naming it.
    motd = blob.RECORD.unpack_from(data, header[5] + 3 * blob.RECORD.size)
    damaged = bytearray(data)
    damaged[header[8] + motd[6] + 7] ^= 0x01
    reader = BlobReader(bytes(damaged))
    assert reader.get(MODULE, "pkg.mod") == sample_entries()[0]
    with pytest.raises(BlobError, match="'pkg/data/motd.txt': payload damaged"):
        reader.get(DATA, "pkg/data/motd.txt")


def test_dev_list_blob_prints_entries(tmp_path):
    path = tmp_path / "x.blob"
    path.write_bytes(write_blob(sample_entries(), MAGIC))
    listed = subprocess.run([sys.executable, str(ROOT / "dev" / "list-blob"), str(path)], capture_output=True, text=True)
    assert listed.returncode == 0 and "pkg/data/motd.txt" in listed.stdout
    path.write_bytes(b"junk")
    listed = subprocess.run([sys.executable, str(ROOT / "dev" / "list-blob"), str(path)], capture_output=True, text=True)
    assert listed.returncode == 1 and "truncated" in listed.stderr


def similar_modules(n=200):
    # Small payloads alike enough (shared names, shared phrases) for a dictionary to pay.
    return [Entry(MODULE, f"m{i}", primary=f"def function_{i}(argument):\n    return argument * {i} + len('{i}')\n".encode() * 3,
                  source=f"# module {i}: a docstring shared by many modules, with its own number {i * 7}\n".encode() * 2)
            for i in range(n)]


def test_zstd_dictionary_is_kept_when_it_makes_the_blob_smaller_and_reads_back():
    entries = similar_modules()
    without = write_blob(entries, MAGIC, zstd_level=3)
    packed = write_blob(entries, MAGIC, zstd_level=3, zstd_dict_size=4096)
    reader = BlobReader(packed)
    assert reader.flags & blob.ZSTD_DICT and 0 < reader.dict_size <= 4096
    assert len(packed) < len(without)
    assert {(e.kind, e.name): e for e in reader.entries()} == {(e.kind, e.name): e for e in entries}
    assert write_blob(list(reversed(entries)), MAGIC, zstd_level=3, zstd_dict_size=4096) == packed, "reproducible"


def test_zstd_dictionary_is_dropped_when_it_does_not_pay():
    # Too few samples to train on: the blob is written as without a dictionary.
    entries = sample_entries()
    packed = write_blob(entries, MAGIC, zstd_level=3, zstd_dict_size=4096)
    assert packed == write_blob(entries, MAGIC, zstd_level=3)
    assert not BlobReader(packed).flags & blob.ZSTD_DICT and BlobReader(packed).dict_size == 0


def test_a_zstd_dictionary_outside_the_data_section_is_rejected():
    data = bytearray(write_blob(similar_modules(), MAGIC, zstd_level=3, zstd_dict_size=4096))
    fields = list(blob.HEADER.unpack_from(data, 0))
    fields[blob.HEADER_FIELDS.index("dict_size")] = fields[blob.HEADER_FIELDS.index("data_size")] + 1
    fields[blob.HEADER_FIELDS.index("checksum")] = 0
    blob.HEADER.pack_into(data, 0, *fields)
    fields[blob.HEADER_FIELDS.index("checksum")] = blob.index_checksum(bytes(data[: fields[blob.HEADER_FIELDS.index("data_offset")]]))
    blob.HEADER.pack_into(data, 0, *fields)  # a consistent header that points outside
    with pytest.raises(BlobError, match="zstd dictionary is outside the data section"):
        BlobReader(bytes(data))


def test_shared_objects_are_stored_uncompressed_at_64_kib_from_the_blob_start():
    elf = b"\x7fELF" + b"\0" * 5000  # compresses well: must stay as it is anyway
    entries = sample_entries() + [
        Entry(DATA, "pkg/_ext.cpython-313-x86_64-linux-musl.so", primary=elf, shared_object=True),
        Entry(DATA, "pkg.libs/libz-1.so.1", primary=elf + b"z", shared_object=True),
    ]
    data = write_blob(entries, MAGIC, zstd_level=3)
    header = blob.HEADER.unpack_from(data, 0)
    data_offset = header[8]
    reader = BlobReader(data)
    for name, contents in (("pkg/_ext.cpython-313-x86_64-linux-musl.so", elf), ("pkg.libs/libz-1.so.1", elf + b"z")):
        record = reader._by_key[(DATA, name)]
        assert record.flags & blob.SHARED_OBJECT and not record.flags & blob.PRIMARY_ZSTD
        assert (data_offset + record.primary[0]) % blob.SHARED_OBJECT_ALIGN == 0
        entry = reader.get(DATA, name)
        assert entry.primary == contents and entry.shared_object
    assert reader._by_key[(DATA, "pkg/data/motd.txt")].flags & blob.PRIMARY_ZSTD  # other data still compressed


def test_identical_payloads_are_stored_once_and_read_back_under_each_name():
    libgcc = b"\x7fELF libgcc_s" + bytes(range(256)) * 300
    licence = b"Permission is hereby granted, free of charge" * 40
    entries = [
        Entry(DATA, "a.libs/libgcc_s-1.so.1", primary=libgcc, shared_object=True),
        Entry(DATA, "b.libs/libgcc_s-1.so.1", primary=libgcc, shared_object=True),
        Entry(blob.METADATA, "a-1.dist-info/LICENSE", primary=licence),
        Entry(blob.METADATA, "b-1.dist-info/LICENSE", primary=licence),
        Entry(MODULE, "a", primary=b"code", source=b""),
        Entry(MODULE, "b", primary=b"code", source=b""),
    ]
    once = write_blob(entries[::2], MAGIC, zstd_level=3)
    twice = write_blob(entries, MAGIC, zstd_level=3)
    # Only the second index records and names are added: no payload is stored twice.
    assert len(twice) - len(once) < 3 * blob.RECORD.size + 64
    reader = BlobReader(twice)
    assert reader._by_key[(DATA, "a.libs/libgcc_s-1.so.1")].primary == reader._by_key[(DATA, "b.libs/libgcc_s-1.so.1")].primary
    for entry in entries:
        assert reader.get(entry.kind, entry.name) == entry


def test_only_data_files_are_shared_objects():
    with pytest.raises(BlobError, match="only data files with contents are shared objects"):
        write_blob([Entry(MODULE, "m", primary=b"x", shared_object=True)], MAGIC)


def test_a_misaligned_shared_object_is_rejected_on_open():
    data = bytearray(write_blob([Entry(DATA, "a.so", primary=b"\x7fELF", shared_object=True)], MAGIC))
    offset_field = blob.HEADER.size + 16  # primary.offset of the only record
    struct.pack_into("<Q", data, offset_field, struct.unpack_from("<Q", data, offset_field)[0] + 16)
    header = list(blob.HEADER.unpack_from(data, 0))
    header[10] = 0
    blob.HEADER.pack_into(data, 0, *header)
    struct.pack_into("<I", data, blob.HEADER_CHECKSUM_OFFSET, blob.index_checksum(bytes(data[: header[8]])))
    with pytest.raises(BlobError, match="uncompressed, aligned data file"):
        BlobReader(bytes(data))
