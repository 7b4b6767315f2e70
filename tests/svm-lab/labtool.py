#!/usr/bin/env python3
"""labtool.py: the SVM lab's file work (Python standard library only).

  labtool.py vmlinux BZIMAGE OUT
      Extract the uncompressed ELF kernel from a bzImage, so QEMU boots it
      through its PVH entry (no firmware, no in-guest decompression: both
      are slow under TCG). The payload is found through the boot protocol's
      setup header, not by searching for a magic number.
  labtool.py modules MODDIR OUTDIR NAME...
      Copy the named kernel modules and everything they depend on (the
      `depends=` of each module's .modinfo; the .deb ships no modules.dep),
      decompressed, into OUTDIR, and write OUTDIR/order: one file name a
      line, dependencies first.
  labtool.py cpio ROOT OUT
      Write ROOT as a "newc" cpio archive (an initramfs): sorted, owned by
      root, fixed times, so the same inputs give the same bytes.
"""
import lzma
import os
import shutil
import stat
import struct
import subprocess
import sys


def die(msg):
    sys.exit("labtool: " + msg)


def decompress(data, what):
    """xz, zstd or gzip, by magic number."""
    if data[:6] == b"\xfd7zXZ\x00":
        # One stream: what follows it (the size word) is not another.
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    if data[:4] == b"\x28\xb5\x2f\xfd":
        if not shutil.which("zstd"):
            die(f"{what} is zstd-compressed and the zstd program is missing (apt-get install zstd)")
        return subprocess.run(["zstd", "-qdc"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    if data[:2] == b"\x1f\x8b":
        import gzip
        return gzip.decompress(data)
    die(f"{what}: unknown compression (magic {data[:6].hex()})")


def cmd_vmlinux(bzimage, out):
    d = open(bzimage, "rb").read()
    if d[0x202:0x206] != b"HdrS":
        die(f"{bzimage} is not a bzImage (no HdrS)")
    setup_sects = d[0x1F1] or 4
    payload_offset, payload_length = struct.unpack_from("<II", d, 0x248)
    start = (setup_sects + 1) * 512 + payload_offset
    payload = d[start:start + payload_length]
    # The build appends the decompressed size (4 bytes) after the stream;
    # zstd and xz would call it trailing garbage.
    elf = decompress(payload[:-4], bzimage)
    if elf[:4] != b"\x7fELF":
        die(f"{bzimage}: payload is not an ELF kernel")
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.replace(out + ".tmp", out)


def modinfo_depends(blob):
    i = blob.find(b"\0depends=")
    if i < 0:
        return []
    end = blob.index(b"\0", i + 1)
    return [m for m in blob[i + 9:end].decode().split(",") if m]


def cmd_modules(moddir, outdir, names):
    index = {}
    for root, _, files in os.walk(moddir):
        for f in files:
            base = f.split(".ko")[0]
            if ".ko" in f:
                # Module names treat - and _ alike.
                index[base.replace("-", "_")] = os.path.join(root, f)
    os.makedirs(outdir, exist_ok=True)
    order, seen = [], set()

    def visit(name, chain):
        key = name.replace("-", "_")
        if key in seen:
            return
        if key in chain:
            die("module dependency loop: " + " -> ".join(chain + [key]))
        path = index.get(key)
        if not path:
            die(f"module {name} not found under {moddir} (built in, or wrong kernel?)")
        data = open(path, "rb").read()
        if not path.endswith(".ko"):
            data = decompress(data, path)
        for dep in modinfo_depends(data):
            visit(dep, chain + [key])
        seen.add(key)
        fname = os.path.basename(path).split(".ko")[0] + ".ko"
        with open(os.path.join(outdir, fname), "wb") as f:
            f.write(data)
        order.append(fname)

    for n in names:
        visit(n, [])
    with open(os.path.join(outdir, "order"), "w") as f:
        f.write("".join(m + "\n" for m in order))


def cmd_cpio(root, out):
    ino = 1

    def entry(f, name, mode, data=b"", nlink=1):
        nonlocal ino
        hdr = "070701" + "".join("%08X" % v for v in (
            ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0))
        ino += 1
        f.write(hdr.encode() + name.encode() + b"\0")
        f.write(b"\0" * (-(110 + len(name) + 1) % 4))
        f.write(data)
        f.write(b"\0" * (-len(data) % 4))

    paths = []
    for dirpath, dirs, files in os.walk(root):
        for n in dirs + files:
            paths.append(os.path.relpath(os.path.join(dirpath, n), root))
    with open(out + ".tmp", "wb") as f:
        for rel in sorted(paths):
            full = os.path.join(root, rel)
            st = os.lstat(full)
            perm = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                entry(f, rel, stat.S_IFLNK | 0o777, os.readlink(full).encode())
            elif stat.S_ISDIR(st.st_mode):
                entry(f, rel, stat.S_IFDIR | perm, nlink=2)
            elif stat.S_ISREG(st.st_mode):
                entry(f, rel, stat.S_IFREG | perm, open(full, "rb").read())
            else:
                die(f"{full}: only files, directories and symlinks go in an initramfs")
        entry(f, "TRAILER!!!", 0)
    os.replace(out + ".tmp", out)


def main(argv):
    if len(argv) == 4 and argv[1] == "vmlinux":
        cmd_vmlinux(argv[2], argv[3])
    elif len(argv) >= 5 and argv[1] == "modules":
        cmd_modules(argv[2], argv[3], argv[4:])
    elif len(argv) == 4 and argv[1] == "cpio":
        cmd_cpio(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
