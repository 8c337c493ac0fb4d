"""Binary wheels as they are, loaded from memory: Rust (orjson, rpds-py, cryptography, pydantic-core),
C (msgpack, psutil, lxml), numpy with OpenBLAS, Pillow with its bundled image libraries and FreeType,
pyzmq (C++, libzmq), and pydantic and jsonschema on top of them.

`native_wheels CHECK...` runs the named checks (all without arguments) and prints one line each.
"""

import sys


def check_orjson():
    import orjson

    data = orjson.loads(orjson.dumps({"a": [1, 2.5, None, "é"]}, option=orjson.OPT_SORT_KEYS))
    return f"orjson {orjson.__version__}: {data}"


def check_rpds():
    import rpds

    trie = rpds.HashTrieMap({"x": 1}).insert("y", 2)
    return f"rpds: {sorted(trie.items())} from {rpds.rpds.__file__.rsplit('/', 1)[-1]}"


def check_msgpack():
    import msgpack

    packed = msgpack.packb({"k": [1, 2, 3]})
    return f"msgpack: {msgpack.unpackb(packed)} packer={msgpack.Packer.__module__}"


def check_psutil():
    import psutil

    return f"psutil: cpus={psutil.cpu_count() > 0} pid={psutil.Process().pid > 0}"


def check_numpy():
    import numpy as np

    a = np.arange(400 * 400, dtype=np.float64).reshape(400, 400) % 7
    product = (a @ a.T).sum()  # OpenBLAS's dgemm on its thread pool
    spectrum = np.fft.fft(np.ones(8)).real.tolist()
    solved = np.linalg.solve(np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0])).round(6).tolist()
    draws = np.random.default_rng(42).integers(0, 100, 3).tolist()
    return f"numpy {np.__version__}: product={product:.0f} fft={spectrum} solve={solved} random={draws}"


def check_pillow():
    import io

    from PIL import Image, ImageDraw, ImageFont, features

    image = Image.new("RGB", (64, 32), "white")
    ImageDraw.Draw(image).text((2, 2), "Hi", fill="black", font=ImageFont.load_default(size=20))
    sizes = {}
    for fmt in ("PNG", "JPEG", "WEBP"):
        buffer = io.BytesIO()
        image.save(buffer, fmt)
        sizes[fmt] = Image.open(io.BytesIO(buffer.getvalue())).size
    inked = sum(1 for byte in image.tobytes() if byte != 255)
    return f"pillow: {sizes} freetype={features.check('freetype2')} inked={inked > 0}"


def check_zmq():
    import zmq

    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.bind("inproc://pipe")
    push = context.socket(zmq.PUSH)
    push.connect("inproc://pipe")
    push.send(b"over inproc")
    message = pull.recv()
    push.close()
    pull.close()
    context.term()
    return f"zmq {zmq.zmq_version()}: {message.decode()}"


def check_cryptography():
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.fernet import Fernet

    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(32))
    signature = key.sign(b"static")
    key.public_key().verify(signature, b"static")  # raises if wrong
    digest = hashes.Hash(hashes.SHA256())
    digest.update(b"abc")
    fernet = Fernet(Fernet.generate_key())
    clear = fernet.decrypt(fernet.encrypt(b"secret"))
    return f"cryptography: sha256(abc)={digest.finalize().hex()[:16]} ed25519=verified fernet={clear.decode()}"


def check_pydantic():
    import pydantic

    class Point(pydantic.BaseModel):
        x: int
        y: float = 0.0

    try:
        Point(x="not a number")
        refused = "accepted?"
    except pydantic.ValidationError as err:
        refused = f"{err.error_count()} error"
    return f"pydantic: {Point(x='3').model_dump()} invalid: {refused}"


def check_lxml():
    from lxml import etree

    root = etree.fromstring("<a><b n='1'>x</b><b n='2'>y</b></a>")
    return f"lxml: {root.xpath('//b[@n=2]/text()')} {etree.tostring(root[0]).decode()}"


def check_files():
    import os

    from lxml import etree

    # libxml2 and libxslt (inside lxml.etree) open these files of the binary by path themselves: the
    # document, the one it XIncludes, the stylesheet (docs/native-wheels.md, "Files inside the binary").
    here = os.path.dirname(__file__)
    doc = etree.parse(os.path.join(here, "catalog.xml"))
    doc.xinclude()
    transform = etree.XSLT(etree.parse(os.path.join(here, "catalog.xsl")))
    return f"files: {doc.getroot().get('name')}: {str(transform(doc)).strip()}"


def check_jsonschema():
    import jsonschema

    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    errors = sorted(e.message for e in jsonschema.Draft202012Validator(schema).iter_errors({"n": "x"}))
    return f"jsonschema: {errors}"


def check_ctypes():
    import ctypes
    import os

    # A library embedded in the binary, by its path below the executable (the file view lists it).
    libs = sys.executable + "/pillow.libs"
    name = next(n for n in sorted(os.listdir(libs)) if n.startswith("libzstd"))
    zstd = ctypes.CDLL(f"{libs}/{name}")
    try:
        ctypes.CDLL(sys.executable + "/pillow.libs/libmissing.so")
        missing = "loaded?"
    except OSError as err:
        missing = "OSError naming it" if "libmissing.so" in str(err) else str(err)
    return f"ctypes: {name.split('-')[0]} {zstd.ZSTD_versionNumber()}, missing: {missing}"


CHECKS = {name[6:]: function for name, function in globals().items() if name.startswith("check_")}


def main():
    for name in sys.argv[1:] or CHECKS:
        print(CHECKS[name](), flush=True)


if __name__ == "__main__":
    main()
