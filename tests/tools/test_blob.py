import struct

import pytest

from pystatic import blob
from pystatic.blob import DATA, MODULE, BlobError, BlobReader, Entry, write_blob

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


def _patch_record(data, index, field, value):
    header = blob.HEADER.unpack_from(data, 0)
    offset = header[5] + index * blob.RECORD.size
    fields = list(blob.RECORD.unpack_from(data, offset))
    fields[field] = value
    return data[:offset] + blob.RECORD.pack(*fields) + data[offset + blob.RECORD.size :]


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
    with pytest.raises(BlobError, match="big.txt"):
        BlobReader(bytes(data)).get(DATA, "big.txt")


def test_list_command_prints_entries(tmp_path, capsys):
    path = tmp_path / "x.blob"
    path.write_bytes(write_blob(sample_entries(), MAGIC))
    assert blob.main([str(path)]) == 0
    assert "pkg/data/motd.txt" in capsys.readouterr().out
    path.write_bytes(b"junk")
    assert blob.main([str(path)]) == 1
    assert "truncated" in capsys.readouterr().err
