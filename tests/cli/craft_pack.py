#!/usr/bin/env python3
"""Writes a crafted git pack of blobs and its index (both format v2) into DIR, as git
names them (pack-<checksum>.pack and .idx), and prints "id kind" per object.

  craft_pack.py DIR chain BASE_KB DELTAS
      one blob of BASE_KB KiB, then DELTAS deltas, each on the one before (offset
      deltas), each the whole base with one more byte changed: a small pack whose
      objects all decode to BASE_KB KiB.
  craft_pack.py DIR small-on-chain BASE_KB DELTAS
      the same chain, and after each link a small text blob that is a delta on it: each
      small blob needs the large link below it decoded first.
  craft_pack.py DIR ref-chain SIZE DELTAS
      reference deltas whose bases come later in the pack (the full object is last).
  craft_pack.py DIR deep-tree DEPTH 0
      a root tree holding key.js (a live OCPay key) and d/d/d/.../deep.js, DEPTH folders
      deep; prints the root tree's id. These objects have their real ids.

Blob ids are not the hash of the content (hashing gigabytes of decoded links would
take longer than the test): they are distinct, and git and libgit2 read the objects by
them as long as nothing verifies the content (`git fsck` would).
Kinds: base (a whole blob), link (a delta of the chain), small.
"""
import hashlib
import struct
import sys
import zlib

TREE, BLOB, OFS_DELTA, REF_DELTA = 2, 3, 6, 7


def varint(n):
    out = bytearray()
    while True:
        c = n & 0x7F
        n >>= 7
        if n:
            out.append(c | 0x80)
        else:
            out.append(c)
            return bytes(out)


def obj_header(kind, size):
    c = (kind << 4) | (size & 15)
    size >>= 4
    out = bytearray()
    while size:
        out.append(c | 0x80)
        c = size & 0x7F
        size >>= 7
    out.append(c)
    return bytes(out)


def ofs_encoding(rel):
    out = [rel & 0x7F]
    rel >>= 7
    while rel:
        rel -= 1
        out.insert(0, 0x80 | (rel & 0x7F))
        rel >>= 7
    return bytes(out)


def copy_op(off, n):
    """git's copy instruction: offset and size bytes, zero bytes left out."""
    op, args = 0x80, bytearray()
    for b in range(4):
        byte = (off >> (8 * b)) & 0xFF
        if byte:
            op |= 1 << b
            args.append(byte)
    for b in range(3):
        byte = (n >> (8 * b)) & 0xFF
        if byte:
            op |= 0x10 << b
            args.append(byte)
    return bytes([op]) + bytes(args)


def copy_ops(off, n):
    out = bytearray()
    while n:
        step = min(n, 0xFFFF00)  # a multiple of 256 keeps the copies short
        out += copy_op(off, step)
        off += step
        n -= step
    return bytes(out)


def patch_delta(src_size, pos, byte):
    """The base with the byte at pos replaced."""
    d = varint(src_size) + varint(src_size)
    d += copy_ops(0, pos) + bytes([1, byte]) + copy_ops(pos + 1, src_size - pos - 1)
    return d


def text_delta(src_size, text):
    """A small text made of literal inserts (a delta that uses nothing of its base)."""
    d = bytearray(varint(src_size) + varint(len(text)))
    for i in range(0, len(text), 127):
        part = text[i:i + 127]
        d += bytes([len(part)]) + part
    return bytes(d)


def fake_id(i):
    return hashlib.sha1(b"crafted object %d" % i).digest()


class Pack:
    def __init__(self):
        self.entries = []  # (offset, encoded entry, id)
        self.size = 12

    def add(self, kind, payload, prefix=b"", base=None, oid=None):
        """Appends an object; base: the offset of an offset delta's base."""
        if base is not None:
            prefix = ofs_encoding(self.size - base)
        entry = obj_header(kind, len(payload)) + prefix + zlib.compress(payload, 9)
        at = self.size
        self.entries.append((at, entry, oid or fake_id(len(self.entries))))
        self.size += len(entry)
        return at

    def write(self, folder):
        body = b"PACK" + struct.pack(">II", 2, len(self.entries))
        body += b"".join(e for _, e, _ in self.entries)
        checksum = hashlib.sha1(body).digest()
        rows = sorted((oid, off, zlib.crc32(e)) for off, e, oid in self.entries)
        fanout = [0] * 256
        for oid, _, _ in rows:
            fanout[oid[0]] += 1
        for i in range(1, 256):
            fanout[i] += fanout[i - 1]
        idx = b"\377tOc" + struct.pack(">I", 2) + struct.pack(">256I", *fanout)
        idx += b"".join(oid for oid, _, _ in rows)
        idx += b"".join(struct.pack(">I", crc) for _, _, crc in rows)
        idx += b"".join(struct.pack(">I", off) for _, off, _ in rows)
        idx += checksum
        idx += hashlib.sha1(idx).digest()
        name = "%s/pack-%s" % (folder, checksum.hex())
        with open(name + ".pack", "wb") as f:
            f.write(body + checksum)
        with open(name + ".idx", "wb") as f:
            f.write(idx)


def base_content(size):
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n"
    return (line * (size // len(line) + 1))[:size]


def main():
    folder, mode, a, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    pack, kinds = Pack(), []
    if mode in ("chain", "small-on-chain"):
        size = a * 1024
        prev = pack.add(BLOB, base_content(size))
        kinds.append("base")
        for i in range(n):
            # each link changes one more byte (to '#', never in the base): all distinct
            at = pack.add(OFS_DELTA, patch_delta(size, (i * 4099) % size, ord("#")), base=prev)
            kinds.append("link")
            prev = at
            if mode == "small-on-chain":
                pack.add(OFS_DELTA, text_delta(size, b"export const n = %d;\n" % i), base=at)
                kinds.append("small")
    elif mode == "ref-chain":
        # Link i is a delta on link i + 1; the whole object comes last.
        content = base_content(a)
        for i in range(n):
            pos = (i * 31) % a
            pack.add(REF_DELTA, patch_delta(a, pos, ord("#")), prefix=fake_id(i + 1))
            kinds.append("link")
        pack.add(BLOB, content)
        kinds.append("base")
    elif mode == "deep-tree":
        def put(kind, name, payload):
            oid = hashlib.sha1(b"%s %d\0" % (name, len(payload)) + payload).digest()
            pack.add(kind, payload, oid=oid)
            return oid
        key = b'const ONECLICK_API_KEY = "sk_live_Zq8Wm3Rt6Yp1Ls4Kd7Hx";\n'
        key_id = put(BLOB, b"blob", key)
        tree = put(TREE, b"tree", b"100644 deep.js\0" + key_id)
        for _ in range(a - 1):
            tree = put(TREE, b"tree", b"40000 d\0" + tree)
        root = put(TREE, b"tree", b"40000 d\0" + tree + b"100644 key.js\0" + key_id)
        pack.write(folder)
        print(root.hex(), "root")
        return
    else:
        sys.exit("craft_pack.py: unknown mode " + mode)
    pack.write(folder)
    for (_, _, oid), kind in zip(pack.entries, kinds):
        print(oid.hex(), kind)


if __name__ == "__main__":
    main()
