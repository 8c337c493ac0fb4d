"""The resource blob: reader and writer of the format documented in docs/resource-blob.md.

A blob holds every module (bytecode and, optionally, source), package data file and
distribution-metadata file of one binary. The C runtime (runtime/blob.c) reads the same layout
straight from the executable's read-only data; this module writes it at build time and reads it
back for tests, merging and `actions/pystatic/format/blob.py --list`.

Pure Python and standard library only: it also runs under the build-machine CPython of the
target's version, which compiles the bytecode.
"""

import binascii
import struct
import sys
from dataclasses import dataclass

MAGIC = b"PYSTBLOB"
FORMAT_VERSION = 4

# 88 bytes: magic, version, bytecode magic, count, flags, 5 offsets/sizes, checksum, 4 reserved, the zstd
# dictionary (offset in the data section, size)
HEADER = struct.Struct("<8sIIII5QII2Q")
HEADER_CHECKSUM_OFFSET = 64  # the u32 checksum field, counted as zero while computing the checksum
# 64 bytes per entry: name offset, name size, kind, flags, 2 + 4 reserved, then two payloads, each
# offset (u64), stored size, size, CRC-32 of the stored bytes, 4 reserved (u32 each)
RECORD = struct.Struct("<IIBBHI QIIII QIIII")
PAYLOAD_FIELDS = 5  # fields of one payload in RECORD
# The fields of HEADER and RECORD by name, as runtime/blob.c names them (tests/actions/test_blob_parity.py).
HEADER_FIELDS = (
    "magic", "version", "bytecode_magic", "count", "flags", "index_offset", "names_offset", "names_size",
    "data_offset", "data_size", "checksum", "reserved0", "dict_offset", "dict_size",
)
_PAYLOAD = ("offset", "stored", "size", "checksum", "reserved")
RECORD_FIELDS = (
    "name_offset", "name_size", "kind", "flags", "reserved0", "reserved1",
    *(f"primary.{f}" for f in _PAYLOAD), *(f"source.{f}" for f in _PAYLOAD),
)
ALIGN = 16
# The largest p_align of the supported CPUs (aarch64: 64 KiB pages), so a shared object's file offset
# is a multiple of any page size once the blob itself starts 64 KiB-aligned (gen_glue.py).
SHARED_OBJECT_ALIGN = 65536

# Entry kinds; the index is sorted by (kind, name).
MODULE = 1
DATA = 2
METADATA = 3
KIND_NAMES = {MODULE: "module", DATA: "data", METADATA: "metadata"}

# Entry flags.
PACKAGE = 0x01
HAS_PRIMARY = 0x02  # payload 0: bytecode of a module, contents of a data/metadata file
HAS_SOURCE = 0x04  # payload 1: source of a module
# A data file that is an ELF shared object (a wheel's extension module or bundled library): stored
# uncompressed at an offset from the blob's start that is a multiple of SHARED_OBJECT_ALIGN, so the
# runtime's loader can map its segments from the executable file itself (docs/native-wheels.md).
SHARED_OBJECT = 0x08
PRIMARY_ZSTD = 0x10
SOURCE_ZSTD = 0x20
KNOWN_FLAGS = PACKAGE | HAS_PRIMARY | HAS_SOURCE | SHARED_OBJECT | PRIMARY_ZSTD | SOURCE_ZSTD

# Header flags.
ANY_ZSTD = 0x01
ZSTD_DICT = 0x02  # the zstd payloads were compressed with the blob's dictionary (dict_offset, dict_size)

# A zstd dictionary trained on the payloads (write_blob's zstd_dict_size) is kept only when the
# payloads with it, plus the dictionary, are smaller than without. Training reads at most this many
# bytes of samples (the first payloads in index order): its time stays bounded for large blobs.
DICT_TRAINING_BYTES = 8 << 20


def checksum(data, value=0):
    """CRC-32 (ISO-HDLC, zlib's `crc32`, which the C reader calls; binascii's is the same function)."""
    return binascii.crc32(data, value)


def index_checksum(blob_head):
    """Checksum of a blob's bytes before its data section (header, index, names, padding), the
    checksum field counted as zero."""
    at = HEADER_CHECKSUM_OFFSET
    return checksum(blob_head[at + 4 :], checksum(b"\0" * 4, checksum(blob_head[:at])))


class BlobError(Exception):
    """A blob cannot be written (bad entries) or read (corrupt, truncated, unknown version)."""


@dataclass(frozen=True)
class Entry:
    """One resource. `primary`: bytecode (module) or contents (data, metadata); `source`: module source."""

    kind: int
    name: str
    primary: bytes | None = None
    source: bytes | None = None
    is_package: bool = False
    shared_object: bool = False  # DATA only: stored uncompressed and SHARED_OBJECT_ALIGN-aligned

    def describe(self):
        return f"{KIND_NAMES.get(self.kind, self.kind)} '{self.name}'"


def zstd_codec():
    """(compress(data, level, dictionary=None), decompress(data, dictionary=None), train(samples, size))
    from the standard library (3.14+) or `zstandard`; a dictionary is given as bytes."""
    try:
        from compression import zstd  # Python >= 3.14

        def std_dict(dictionary):
            return None if dictionary is None else zstd.ZstdDict(dictionary)

        return (
            (lambda data, level, dictionary=None: zstd.compress(data, level, zstd_dict=std_dict(dictionary))),
            (lambda data, dictionary=None: zstd.decompress(data, zstd_dict=std_dict(dictionary))),
            (lambda samples, size: zstd.train_dict(samples, size).dict_content),
        )
    except ImportError:
        pass
    try:
        import zstandard
    except ImportError:
        raise BlobError(
            "zstd compression needs Python >= 3.14 (compression.zstd) or the `zstandard` package in the "
            "build machine's python3. Fix: install one, or set compress = False."
        ) from None
    def z_dict(dictionary):
        return None if dictionary is None else zstandard.ZstdCompressionDict(dictionary)

    return (
        (lambda data, level, dictionary=None: zstandard.ZstdCompressor(
            level=level, write_content_size=True, dict_data=z_dict(dictionary)).compress(data)),
        (lambda data, dictionary=None: zstandard.ZstdDecompressor(dict_data=z_dict(dictionary)).decompress(data)),
        (lambda samples, size: zstandard.train_dictionary(size, samples).as_bytes()),
    )


def _align(n):
    return (n + ALIGN - 1) & ~(ALIGN - 1)


def _sort_key(entry):
    return (entry.kind, entry.name.encode("utf-8"))


# What write_blob may zstd-compress: modules' bytecode (read at every import), the bytecode of the
# modules write_blob is told are cold (binary/cold_modules.py: start-up does not import them),
# modules' sources (read for tracebacks only) and the contents of data and metadata files
# (read when the app opens them).
PAYLOAD_CLASSES = ("bytecode", "cold_bytecode", "source", "data")
# A data or metadata file is stored compressed only when that saves at least this share of its bytes:
# below it (images, archives, already-compressed formats) the saving is not worth losing the zero-copy
# memoryview of an uncompressed payload.
DATA_MIN_SAVING = 0.10


def _payload_class(kind, zstd_flag):
    return "source" if zstd_flag == SOURCE_ZSTD else "bytecode" if kind == MODULE else "data"


def _compressed(entry, payload, zstd_flag, payloads, cold):
    """Whether write_blob tries zstd on this payload (its class is in `payloads`)."""
    if not payload or entry.shared_object:
        return False
    payload_class = _payload_class(entry.kind, zstd_flag)
    return payload_class in payloads or (payload_class == "bytecode" and "cold_bytecode" in payloads and entry.name in cold)


def _pays(kind, zstd_flag, size, packed_size):
    """Whether a payload of `size` bytes is stored as its zstd frame of `packed_size`."""
    if _payload_class(kind, zstd_flag) == "data":
        return packed_size <= size * (1 - DATA_MIN_SAVING)
    return packed_size < size


def write_blob(entries, bytecode_magic=b"\0\0\0\0", zstd_level=None, payloads=PAYLOAD_CLASSES, zstd_dict_size=0,
               cold=frozenset()):
    """Serialises `entries` (any order). With `zstd_level`, each payload of a class in `payloads`
    (PAYLOAD_CLASSES) is compressed when that pays: a smaller frame for bytecode and sources, one at
    least DATA_MIN_SAVING smaller for data and metadata files (shared objects never); "cold_bytecode"
    is the bytecode of the modules named in `cold`. With
    `zstd_dict_size` too, a zstd dictionary of at most that many bytes is trained on those payloads
    and stored once in the blob, if the blob is smaller with it than without."""
    if len(bytecode_magic) != 4:
        raise BlobError(f"bytecode magic must be 4 bytes, got {bytecode_magic!r}")
    unknown = sorted(set(payloads) - set(PAYLOAD_CLASSES))
    if unknown:
        raise BlobError(f"unknown payload class(es) {', '.join(unknown)} to compress (known: {', '.join(PAYLOAD_CLASSES)})")
    ordered = sorted(entries, key=_sort_key)
    for before, after in zip(ordered, ordered[1:]):
        if _sort_key(before) == _sort_key(after):
            raise BlobError(f"two resources are named {after.describe()}")
    for entry in ordered:
        if entry.kind not in KIND_NAMES:
            raise BlobError(f"unknown kind {entry.kind} of '{entry.name}'")
        if entry.kind != MODULE and (entry.source is not None or entry.is_package):
            raise BlobError(f"{entry.describe()}: only modules have sources or are packages")
        if entry.shared_object and (entry.kind != DATA or entry.primary is None):
            raise BlobError(f"{entry.describe()}: only data files with contents are shared objects")
    if zstd_level is None or not payloads:
        return _serialise(ordered, bytecode_magic, None, payloads, cold)
    compress, _, train = zstd_codec()
    plain = _serialise(ordered, bytecode_magic, lambda data: compress(data, zstd_level), payloads, cold)
    if not zstd_dict_size:
        return plain
    samples, total = [], 0
    for entry in ordered:
        for payload, flag in ((entry.primary, PRIMARY_ZSTD), (entry.source, SOURCE_ZSTD)):
            if _compressed(entry, payload, flag, payloads, cold) and total + len(payload) <= DICT_TRAINING_BYTES:
                samples.append(payload)
                total += len(payload)
    try:
        dictionary = train(samples, zstd_dict_size)
    except Exception:  # too few or too small samples; the backends' error types differ
        return plain
    with_dict = _serialise(
        ordered, bytecode_magic, lambda data: compress(data, zstd_level, dictionary), payloads, cold, dictionary
    )
    return with_dict if len(with_dict) < len(plain) else plain


def _serialise(ordered, bytecode_magic, compress, payloads, cold, dictionary=None):
    names = b"".join(entry.name.encode("utf-8") for entry in ordered)
    index_offset = HEADER.size
    names_offset = index_offset + RECORD.size * len(ordered)
    data_offset = _align(names_offset + len(names))
    data = bytearray(dictionary or b"")
    records = []
    header_flags = ZSTD_DICT if dictionary else 0
    # Identical stored payloads are stored once (wheels that vendor the same libgcc_s, licence texts,
    # empty `__init__` modules): records may share an offset.
    stored_at = {}

    def add_payload(entry, payload, zstd_flag):
        nonlocal header_flags
        if payload is None:
            return (0, 0, 0, 0, 0), 0
        stored, flag = payload, 0
        if compress is not None and _compressed(entry, payload, zstd_flag, payloads, cold):
            packed = compress(payload)
            if _pays(entry.kind, zstd_flag, len(payload), len(packed)):
                stored, flag = packed, zstd_flag
                header_flags |= ANY_ZSTD
        # Shared objects start at a SHARED_OBJECT_ALIGN multiple from the blob's start.
        alignment = SHARED_OBJECT_ALIGN if entry.shared_object and zstd_flag == PRIMARY_ZSTD else ALIGN
        offset = stored_at.get((alignment, stored))
        if offset is None:
            data.extend(b"\0" * (-(data_offset + len(data)) % alignment))
            offset = stored_at[(alignment, bytes(stored))] = len(data)
            data.extend(stored)
        return (offset, len(stored), len(payload), checksum(stored), 0), flag

    name_offset = 0
    for entry in ordered:
        encoded = entry.name.encode("utf-8")
        flags = (PACKAGE if entry.is_package else 0) | (SHARED_OBJECT if entry.shared_object else 0)
        primary, zflag = add_payload(entry, entry.primary, PRIMARY_ZSTD)
        flags |= zflag | (HAS_PRIMARY if entry.primary is not None else 0)
        source, zflag = add_payload(entry, entry.source, SOURCE_ZSTD)
        flags |= zflag | (HAS_SOURCE if entry.source is not None else 0)
        records.append(RECORD.pack(name_offset, len(encoded), entry.kind, flags, 0, 0, *primary, *source))
        name_offset += len(encoded)

    fields = [
        MAGIC, FORMAT_VERSION, int.from_bytes(bytecode_magic, "little"), len(records), header_flags,
        index_offset, names_offset, len(names), data_offset, len(data), 0, 0, 0, len(dictionary or b""),
    ]
    padding = b"\0" * (data_offset - names_offset - len(names))
    head = b"".join([HEADER.pack(*fields), *records, names, padding])
    fields[10] = index_checksum(head)
    return b"".join([HEADER.pack(*fields), head[HEADER.size :], bytes(data)])


@dataclass(frozen=True)
class _Record:
    kind: int
    name: str
    flags: int
    primary: tuple
    source: tuple


class BlobReader:
    """Validated view of a blob. Every offset is checked on open, so later reads cannot overrun."""

    def __init__(self, buffer, what="blob"):
        self._buf = memoryview(buffer)
        self._what = what
        buf = self._buf
        if len(buf) < HEADER.size:
            self._fail(f"truncated: {len(buf)} bytes, a header needs {HEADER.size}")
        (magic, version, bc_magic, count, flags, index_off, names_off, names_len, data_off, data_len, stored_checksum,
         _, dict_off, dict_len) = HEADER.unpack_from(buf, 0)
        if magic != MAGIC:
            self._fail(f"not a resource blob (magic {bytes(magic)!r}, expected {MAGIC!r})")
        if version != FORMAT_VERSION:
            self._fail(f"format version {version}; this reader knows {FORMAT_VERSION}. Fix: rebuild with matching tools")
        self.bytecode_magic = bc_magic.to_bytes(4, "little")
        self.flags = flags
        if index_off != HEADER.size or names_off != index_off + count * RECORD.size:
            self._fail("index is not where the header says")
        if names_off + names_len > data_off or data_off % ALIGN or data_off + data_len > len(buf):
            self._fail(f"truncated or corrupt: sections end at {data_off + data_len}, the blob has {len(buf)} bytes")
        if index_checksum(buf[:data_off]) != stored_checksum:
            self._fail("header, index or names damaged (checksum mismatch)")
        self._names = buf[names_off : names_off + names_len]
        self._data = buf[data_off : data_off + data_len]
        if flags & ZSTD_DICT and (dict_len == 0 or dict_off > data_len or dict_len > data_len - dict_off):
            self._fail("the zstd dictionary is outside the data section")
        self._dict = bytes(self._data[dict_off : dict_off + dict_len]) if flags & ZSTD_DICT else None
        self._records = []
        previous = None
        for i in range(count):
            n_off, n_len, kind, eflags, _, _, *payloads = RECORD.unpack_from(buf, index_off + i * RECORD.size)
            if n_off + n_len > names_len:
                self._fail(f"entry {i}: name outside the names section")
            try:
                name = bytes(self._names[n_off : n_off + n_len]).decode("utf-8")
            except UnicodeDecodeError:
                self._fail(f"entry {i}: name is not UTF-8")
            if kind not in KIND_NAMES or eflags & ~KNOWN_FLAGS:
                self._fail(f"entry {i} '{name}': unknown kind {kind} or flags {eflags:#x}")
            if eflags & SHARED_OBJECT and (kind != DATA or eflags & PRIMARY_ZSTD or not eflags & HAS_PRIMARY
                                           or (data_off + payloads[0]) % SHARED_OBJECT_ALIGN):
                self._fail(f"entry {i} '{name}': a shared object must be an uncompressed, aligned data file")
            key = (kind, name.encode("utf-8"))
            if previous is not None and key <= previous:
                self._fail(f"entry {i} '{name}': index not sorted or duplicate name")
            previous = key
            primary, source = tuple(payloads[:PAYLOAD_FIELDS]), tuple(payloads[PAYLOAD_FIELDS:])
            for present, (off, stored, _size, _crc, _) in ((eflags & HAS_PRIMARY, primary), (eflags & HAS_SOURCE, source)):
                if present and off + stored > data_len:
                    self._fail(f"entry {i} '{name}': payload outside the data section")
            self._records.append(_Record(kind, name, eflags, primary, source))
        self._by_key = {(r.kind, r.name): r for r in self._records}

    def _fail(self, message):
        raise BlobError(f"{self._what}: {message}")

    @property
    def dict_size(self):
        """Bytes of the blob's zstd dictionary; 0 when it has none."""
        return len(self._dict) if self._dict else 0

    def __len__(self):
        return len(self._records)

    def _payload(self, record, present_flag, zstd_flag, payload):
        if not record.flags & present_flag:
            return None
        off, stored, size, crc, _ = payload
        raw = self._data[off : off + stored]
        if checksum(raw) != crc:
            self._fail(f"'{record.name}': payload damaged (checksum mismatch)")
        if record.flags & zstd_flag:
            try:
                raw = zstd_codec()[1](bytes(raw), self._dict)
            except BlobError:
                raise
            except Exception as err:  # the codec's own error types differ between backends
                self._fail(f"'{record.name}': corrupt zstd payload ({err})")
        if len(raw) != size:
            self._fail(f"'{record.name}': payload is {len(raw)} bytes, the index says {size}")
        return bytes(raw)

    def _entry(self, record):
        return Entry(
            kind=record.kind,
            name=record.name,
            primary=self._payload(record, HAS_PRIMARY, PRIMARY_ZSTD, record.primary),
            source=self._payload(record, HAS_SOURCE, SOURCE_ZSTD, record.source),
            is_package=bool(record.flags & PACKAGE),
            shared_object=bool(record.flags & SHARED_OBJECT),
        )

    def get(self, kind, name):
        """The Entry named `name` of `kind`, or None."""
        record = self._by_key.get((kind, name))
        return None if record is None else self._entry(record)

    def names(self, kind):
        return [r.name for r in self._records if r.kind == kind]

    def entries(self):
        return [self._entry(r) for r in self._records]

    def stored_sizes(self):
        """{(kind, name): (stored bytes, uncompressed bytes)} over both payloads."""
        sizes = {}
        for r in self._records:
            stored = (r.primary[1] if r.flags & HAS_PRIMARY else 0) + (r.source[1] if r.flags & HAS_SOURCE else 0)
            raw = (r.primary[2] if r.flags & HAS_PRIMARY else 0) + (r.source[2] if r.flags & HAS_SOURCE else 0)
            sizes[(r.kind, r.name)] = (stored, raw)
        return sizes


def read_blob(path):
    with open(path, "rb") as f:
        return BlobReader(f.read(), what=str(path))
