#!/usr/bin/env python3
"""make_seeds.py DIR: write seed inputs for fuzz_xsd (one framed message
per request type, a transaction, a watch) into DIR, if not already there."""
import os
import struct
import sys

def chunk(conn, typ, tx, payload, framed=True):
    body = struct.pack("<II", typ, tx) + payload
    return bytes([conn | (0x80 if framed else 0), len(body) & 0xff]) + body[:255]

def raw(conn, typ, tx, payload):
    msg = struct.pack("<IIII", typ, 7, tx, len(payload)) + payload
    return bytes([conn, len(msg) & 0xff]) + msg[:255]

SEEDS = {
    "write_read": chunk(0, 11, 0, b"/a/b\0hello") + chunk(0, 2, 0, b"/a/b\0"),
    "guest_home": chunk(1, 11, 0, b"x/y\0v") + chunk(2, 2, 0, b"/local/domain/1/x/y\0"),
    "dir": chunk(0, 12, 0, b"/d/e\0") + chunk(0, 1, 0, b"/d\0") + chunk(0, 22, 0, b"/d\0" b"0\0"),
    "rm": chunk(0, 11, 0, b"/r/s\0v") + chunk(0, 13, 0, b"/r\0"),
    "perms": chunk(0, 11, 0, b"/p\0") + chunk(0, 14, 0, b"/p\0b1\0r2\0") + chunk(0, 3, 0, b"/p\0"),
    "txn": chunk(0, 6, 0, b"\0") + chunk(0, 11, 1, b"/t\0v") + chunk(0, 7, 1, b"T\0"),
    "watch": chunk(1, 4, 0, b"w\0tok\0") + chunk(0, 11, 0, b"/local/domain/1/w/x\0v"),
    "special": chunk(0, 4, 0, b"@releaseDomain\0t\0") + chunk(0, 9, 0, b"2\0"),
    "control": chunk(0, 0, 0, b"quota\0") + chunk(0, 0, 0, b"check\0"),
    "raw": raw(0, 2, 0, b"/\0") + raw(1, 11, 0, b"q\0zz"),
}

def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        path = os.path.join(out, "seed_" + name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)

if __name__ == "__main__":
    main()
