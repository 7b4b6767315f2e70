#!/usr/bin/env python3
"""abi_scan.py: list every name pvhv's public headers share with Xen's and
generate the C tables that tests/abi/test_abi_compat.c compares.

Each header set is parsed by clang (JSON AST for types, `-E -dD` for macros).
Only the intersection of names is kept; the two generated translation units
then let the compiler measure each name (sizeof, offsetof, the constant's
value) against its own headers, so nothing measured here can mask a change.

Stdlib only; needs clang.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

# Our relative path -> Debian's, where they differ. Everything else maps to
# the same path under /usr/include/xen, when that file exists.
XEN_RENAMES = {"hvm/start_info.h": "arch-x86/hvm/start_info.h"}
# /usr/include/xen files that are Linux uapi headers, not Xen's.
LINUX_UAPI = {"evtchn.h", "gntdev.h", "gntalloc.h", "privcmd.h"}

# Debian's headers need <stdint.h> first; __XEN_TOOLS__ selects the latest
# interface version (__XEN_INTERFACE_VERSION__ would default to 0, legacy).
XEN_PROLOGUE = "#define __XEN_TOOLS__ 1\n#include <stdint.h>\n"
# A second view, as a guest naming no interface version gets it: names Xen
# dropped from the latest interface (NR_EVENT_CHANNELS) are compared there.
XEN_LEGACY_PROLOGUE = "#include <stdint.h>\n"

SCAN_FLAGS = ["-std=gnu11", "-ffreestanding", "-fno-color-diagnostics",
              "-fno-caret-diagnostics", "-ferror-limit=0"]


def die(msg):
    sys.stderr.write("abi_scan: " + msg.rstrip() + "\n")
    sys.exit(1)


class Rec:
    """A member's record type: its id on that side, and the name it is
    reachable by elsewhere ('tag:x', 'typedef:t'), None when inline."""

    def __init__(self, rid, via):
        self.rid, self.via = rid, via


class Member:
    def __init__(self, name, qtype, bitfield, anon):
        self.name = name            # None for an anonymous struct/union member
        self.bitfield = bitfield
        self.anon = anon            # id of the inline record it may refer to
        base, dims = split_dims(qtype)
        self.base, self.dims = strip_quals(base), dims

    @property
    def flex(self):
        return bool(self.dims) and self.dims[0] == ""


def split_dims(t):
    """'struct x[2][3]' -> ('struct x', ['2', '3'])."""
    t = t.strip()
    dims = []
    while t.endswith("]"):
        i = t.rfind("[")
        if i < 0:
            break
        dims.insert(0, t[i + 1:-1].strip())
        t = t[:i].rstrip()
    if dims and t.endswith(")") and "(*" in t:
        return t, []            # pointer to array: a scalar
    return t, dims


def strip_quals(t):
    return re.sub(r"^(?:(?:const|volatile|restrict)\s+)+", "", t).strip()


class LocTracker:
    """clang's JSON dump prints a location's file only when it changes, so
    the current file has to be tracked through every location in order."""

    def __init__(self):
        self.file = None

    def _bare(self, loc):
        if "file" in loc:
            self.file = loc["file"]
        return self.file

    def loc(self, loc):
        """Consume one location; return the file it expands in."""
        if not isinstance(loc, dict) or not loc:
            return self.file
        if "spellingLoc" in loc or "expansionLoc" in loc:
            if "spellingLoc" in loc:
                self._bare(loc["spellingLoc"])
            return self._bare(loc.get("expansionLoc", {}))
        return self._bare(loc)

    def walk(self, node, skip_loc=False):
        """Consume every location under node, in document order."""
        if isinstance(node, list):
            for x in node:
                self.walk(x)
            return
        if not isinstance(node, dict):
            return
        for k, v in node.items():
            if k == "loc":
                if not skip_loc:
                    self.loc(v)
            elif k == "range":
                if isinstance(v, dict):
                    for e in ("begin", "end"):
                        if e in v:
                            self.loc(v[e])
            elif isinstance(v, (dict, list)):
                self.walk(v)


class Side:
    """One header set (ours or Xen's) as clang sees it."""

    def __init__(self, label, prologue, includes, flags, root, clang, tmp):
        self.label, self.flags, self.clang_bin, self.tmp = label, flags, clang, tmp
        self.includes = includes
        self.prologue = prologue
        self.umbrella = prologue + "".join("#include <%s>\n" % i for i in includes)
        self.root = os.path.realpath(root) + os.sep
        self.records = {}   # id -> {'kw', 'tag', 'members'}
        self.tags = {}      # tag -> ('struct'|'union', id) or ('enum', None)
        self.typedefs = {}  # name -> resolved type node summary
        self.consts = {}    # name -> 'enum' | 'macro'
        self.macros = {}    # object-like macro name -> body

    def in_set(self, path):
        if not path or path.startswith("<"):
            return False
        p = os.path.realpath(os.path.join(self.tmp, path))
        return p.startswith(self.root)

    def clang(self, args, src, name):
        path = os.path.join(self.tmp, "%s_%s.c" % (self.label, name))
        with open(path, "w") as f:
            f.write(src)
        try:
            p = subprocess.run([self.clang_bin] + SCAN_FLAGS + self.flags + args + [path],
                               cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True)
        except FileNotFoundError:
            die("%s not found; the ABI test needs clang (Debian package clang)" % self.clang_bin)
        return p.returncode, p.stdout, p.stderr

    # -- parse check ---------------------------------------------------------

    def check_parses(self, describe):
        rc, _, err = self.clang(["-fsyntax-only"], self.umbrella, "umbrella")
        if rc == 0:
            return
        # Name the header(s) at fault, not just the umbrella.
        bad = []
        for inc in self.includes:
            rc1, _, err1 = self.clang(["-fsyntax-only"], self.prologue + "#include <%s>\n" % inc,
                                      "one")
            if rc1 != 0:
                bad.append("%s does not compile:\n%s" % (describe(inc), err1))
        if bad:
            die("\n".join(bad))
        die("%s headers compile one by one but not together:\n%s" % (self.label, err))

    # -- macros --------------------------------------------------------------

    def scan_macros(self):
        rc, out, err = self.clang(["-E", "-dD"], self.umbrella, "umbrella")
        if rc != 0:
            die("clang -E failed on the %s headers:\n%s" % (self.label, err))
        cur = None
        for line in out.splitlines():
            if line.startswith("# "):
                m = re.match(r'# \d+ "((?:[^"\\]|\\.)*)"', line)
                if m:
                    cur = m.group(1)
                continue
            m = re.match(r"#\s*undef\s+([A-Za-z_]\w*)", line)
            if m:
                self.macros.pop(m.group(1), None)
                continue
            m = re.match(r"#\s*define\s+([A-Za-z_]\w*)(\()?(.*)$", line)
            if not m:
                continue
            name, fn, body = m.group(1), m.group(2), m.group(3)
            # Function-like macros are skipped: they are not constants.
            if fn or not self.in_set(cur):
                self.macros.pop(name, None)
            else:
                self.macros[name] = body.strip()
        for name in self.macros:
            self.consts.setdefault(name, "macro")

    # -- types (JSON AST) ----------------------------------------------------

    def scan_ast(self):
        rc, out, err = self.clang(["-fsyntax-only", "-Xclang", "-ast-dump=json"],
                                  self.umbrella, "umbrella")
        if rc != 0:
            die("clang failed to dump the %s headers:\n%s" % (self.label, err))
        tu = json.loads(out)
        trk = LocTracker()
        for node in tu.get("inner", []):
            f = trk.loc(node.get("loc"))
            trk.walk(node, skip_loc=True)
            if node.get("isImplicit") or not self.in_set(f):
                continue
            kind = node.get("kind")
            if kind == "RecordDecl":
                self._record(node)
            elif kind == "EnumDecl":
                self._enum(node)
            elif kind == "TypedefDecl":
                self.typedefs[node["name"]] = self._type_node((node.get("inner") or [None])[0])

    def _record(self, node):
        if not node.get("completeDefinition"):
            return
        rec = {"kw": node.get("tagUsed", "struct"), "tag": node.get("name") or None,
               "members": []}
        last_anon = None
        for ch in node.get("inner", []):
            k = ch.get("kind")
            if k == "RecordDecl":
                self._record(ch)    # a nested tag is file-scope in C
                if not ch.get("name") and ch.get("completeDefinition"):
                    last_anon = ch["id"]
            elif k == "EnumDecl":
                self._enum(ch)
            elif k == "FieldDecl":
                t = ch.get("type", {})
                rec["members"].append(Member(ch.get("name"),
                                             t.get("desugaredQualType", t.get("qualType", "")),
                                             bool(ch.get("isBitfield")), last_anon))
        self.records[node["id"]] = rec
        if rec["tag"]:
            self.tags[rec["tag"]] = (rec["kw"], node["id"])

    def _enum(self, node):
        if node.get("name"):
            self.tags[node["name"]] = ("enum", None)
        for ch in node.get("inner", []):
            if ch.get("kind") == "EnumConstantDecl":
                self.consts[ch["name"]] = "enum"

    def _type_node(self, n):
        """Summarise a typedef's target: ('record', id, tag|None), ('enum',),
        ('typedef', name), ('sized',) or ('unsized',)."""
        while isinstance(n, dict):
            k = n.get("kind")
            if k == "RecordType":
                d = n.get("decl", {})
                return ("record", d.get("id"), d.get("name") or None)
            if k == "EnumType":
                return ("enum",)
            if k in ("FunctionProtoType", "FunctionNoProtoType", "IncompleteArrayType"):
                return ("unsized",)
            if k == "BuiltinType":
                return ("unsized",) if n.get("type", {}).get("qualType") == "void" else ("sized",)
            if k == "TypedefType" and not n.get("inner"):
                return ("typedef", n.get("decl", {}).get("name"))
            if k in ("ElaboratedType", "ParenType", "AttributedType", "TypedefType",
                     "MacroQualifiedType", "QualType", "TypeOfExprType", "TypeOfType"):
                inner = n.get("inner") or []
                n = inner[0] if inner else None
                continue
            return ("sized",)       # pointers, arrays of known size, ...
        return ("sized",)

    def typedef_rec(self, name, depth=0):
        """The record a typedef names, as a Rec, or None."""
        t = self.typedefs.get(name)
        if t is None or depth > 20:
            return None
        if t[0] == "typedef":
            return self.typedef_rec(t[1], depth + 1)
        if t[0] != "record":
            return None
        _, rid, tag = t
        if tag:
            kw_id = self.tags.get(tag)
            return Rec(kw_id[1], "tag:" + tag) if kw_id and kw_id[1] else None
        return Rec(rid, "typedef:" + name) if rid in self.records else None

    def typedef_sized(self, name, depth=0):
        t = self.typedefs.get(name)
        if t is None or depth > 20:
            return False
        if t[0] == "typedef":
            # A typedef of a typedef from outside the set (uint32_t) is sized.
            return t[1] not in self.typedefs or self.typedef_sized(t[1], depth + 1)
        if t[0] == "record":
            return self.typedef_rec(name) is not None
        return t[0] in ("sized", "enum")

    def member_rec(self, m):
        b = m.base
        if b.endswith(")") and ("(anonymous" in b or "(unnamed" in b):
            return Rec(m.anon, None) if m.anon in self.records else None
        mt = re.match(r"^(struct|union) ([A-Za-z_]\w*)$", b)
        if mt:
            kw_id = self.tags.get(mt.group(2))
            return Rec(kw_id[1], "tag:" + mt.group(2)) if kw_id and kw_id[1] else None
        if re.match(r"^[A-Za-z_]\w*$", b):
            return self.typedef_rec(b)
        return None

    def flat_members(self, rid):
        """Named members, with those of anonymous struct/union members lifted
        into the parent (offsetof reaches them by their own name)."""
        out = {}
        for m in self.records[rid]["members"]:
            if m.name is None:
                r = self.member_rec(m)
                if r is not None and not m.bitfield:
                    out.update(self.flat_members(r.rid))
                continue
            out[m.name] = m
        return out

    # -- constants -----------------------------------------------------------

    def classify(self, names):
        """name -> 'int' (integer constant expression), 'str' (string
        literal) or 'expr' (anything else), decided by trial compiles."""
        res = {n: "int" for n in names if self.consts.get(n) == "enum" and n not in self.macros}
        todo = [n for n in names if n not in res]
        if todo:
            res.update(self._trial(todo))
            # A broken expansion can spoil the lines after it: recheck the
            # misfits one at a time.
            for n in [n for n in todo if res[n] == "expr"]:
                res.update(self._trial([n]))
        return res

    def _trial(self, names):
        lines = [self.umbrella, '#line 1 "abi-trial.c"']
        for i, n in enumerate(names):
            lines.append('_Static_assert((%s) || 1, "");' % n)
            lines.append('static const char abi_trial_s%d[] = "" %s "";' % (i, n))
        _, _, err = self.clang(["-fsyntax-only", "-w"], "\n".join(lines) + "\n", "trial")
        bad = set(int(m.group(1)) for m in
                  re.finditer(r"^abi-trial\.c:(\d+):\d+: (?:fatal )?error:", err, re.M))
        res = {}
        for i, n in enumerate(names):
            if 2 * i + 1 not in bad:
                res[n] = "int"
            elif 2 * i + 2 not in bad:
                res[n] = "str"
            else:
                res[n] = "expr"
        return res


# -- joining the two sides -----------------------------------------------------

def field_row(name, ctype, desig, m):
    if m.bitfield:
        return "ABI_ROW_BITFIELD(%s)" % cstr(name)
    if m.flex:
        return "ABI_ROW_FLEX(%s, %s, %s)" % (cstr(name), ctype, desig)
    return "ABI_ROW_FIELD(%s, %s, %s)" % (cstr(name), ctype, desig)


def walk(rows, O, X, orid, xrid, octype, xctype, label, opre="", xpre="", npre=""):
    mo, mx = O.flat_members(orid), X.flat_members(xrid)
    for nm, a in mo.items():
        b = mx.get(nm)
        if b is None:
            continue
        name = "%s.%s%s" % (label, npre, nm)
        od, xd = opre + nm, xpre + nm
        rows.append((name, field_row(name, octype, od, a), field_row(name, xctype, xd, b)))
        # Bitfields: offsetof/sizeof are not defined on them; kind only.
        if a.bitfield or b.bitfield:
            continue
        ra, rb = O.member_rec(a), X.member_rec(b)
        # A member whose type both sides reach by the same name is compared
        # under that name; anything else (inline, or differently named) is
        # compared here, field by field.
        if ra is None or rb is None or (ra.via is not None and ra.via == rb.via):
            continue
        walk(rows, O, X, ra.rid, rb.rid, octype, xctype, label,
             od + "[0]" * len(a.dims) + ".", xd + "[0]" * len(b.dims) + ".", npre + nm + ".")


def kind_const(kw):
    return {"struct": "ABI_STRUCT", "union": "ABI_UNION", "enum": "ABI_ENUM"}[kw]


def build_rows(O, X, not_values):
    rows = []       # (name, our C initializer, Xen's C initializer)
    for tag in sorted(set(O.tags) & set(X.tags)):
        (okw, orid), (xkw, xrid) = O.tags[tag], X.tags[tag]
        name = "%s %s" % (okw, tag)
        rows.append((name,
                     "ABI_ROW_TYPE(%s, %s, %s %s)" % (kind_const(okw), cstr(name), okw, tag),
                     "ABI_ROW_TYPE(%s, %s, %s %s)" % (kind_const(xkw), cstr(name), xkw, tag)))
        if orid and xrid:
            walk(rows, O, X, orid, xrid, "%s %s" % (okw, tag), "%s %s" % (xkw, tag), name)

    for t in sorted(set(O.typedefs) & set(X.typedefs)):
        # Function types and opaque structs have no size: kind only.
        name = "typedef " + t
        rows.append((name,) + tuple(
            "ABI_ROW_TYPE(ABI_TYPEDEF, %s, %s)" % (cstr(name), t) if s.typedef_sized(t)
            else "ABI_ROW_UNSIZED(%s)" % cstr(name) for s in (O, X)))
        if not (O.typedef_sized(t) and X.typedef_sized(t)):
            continue
        ro, rx = O.typedef_rec(t), X.typedef_rec(t)
        if ro and rx and not (ro.via == rx.via and ro.via.startswith("tag:")):
            walk(rows, O, X, ro.rid, rx.rid, t, t, name)

    shared = sorted(set(O.consts) & set(X.consts))
    co, cx = O.classify(shared), X.classify(shared)
    used = set()
    for n in shared:
        ko, kx = co[n], cx[n]
        if ko == "expr" and kx == "expr" and n in not_values:
            ko = kx = "skip"
            used.add(n)
        name = "const " + n
        rows.append((name, const_row(ko, name, n), const_row(kx, name, n)))
    seen = set()
    for r in rows:
        if r[0] in seen:
            die("internal: duplicate row name " + r[0])
        seen.add(r[0])
    return rows, used


def const_row(kind, name, macro):
    m = {"int": "ABI_ROW_INT", "str": "ABI_ROW_STR", "expr": "ABI_ROW_EXPR", "skip": "ABI_ROW_SKIP"}
    return "%s(%s, %s)" % (m[kind], cstr(name), macro)


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- output --------------------------------------------------------------------

ROW_MACROS = r"""
/* Every value below is measured by the compiler against the headers above. */
#define ABI_STR_(...) #__VA_ARGS__
#define ABI_XSTR(...) ABI_STR_(__VA_ARGS__)
#define ABI_ROW_TYPE(k, n, ...) \
    { .kind = k, .name = n, .size = sizeof(__VA_ARGS__), .align = _Alignof(__VA_ARGS__) }
#define ABI_ROW_FIELD(n, T, ...) \
    { .kind = ABI_FIELD, .name = n, .size = sizeof(((T *)0)->__VA_ARGS__), \
      .offset = offsetof(T, __VA_ARGS__) }
#define ABI_ROW_FLEX(n, T, ...) { .kind = ABI_FLEX, .name = n, .offset = offsetof(T, __VA_ARGS__) }
#define ABI_ROW_BITFIELD(n) { .kind = ABI_BITFIELD, .name = n }
#define ABI_ROW_UNSIZED(n) { .kind = ABI_UNSIZED, .name = n }
#define ABI_ROW_INT(n, v) \
    { .kind = ABI_INT, .name = n, .value = (unsigned long long)(v), .neg = (v) < 0 }
#define ABI_ROW_STR(n, v) { .kind = ABI_STR, .name = n, .str = v }
#define ABI_ROW_EXPR(n, v) { .kind = ABI_EXPR, .name = n, .str = ABI_XSTR(v) }
#define ABI_ROW_SKIP(n, v) { .kind = ABI_SKIP, .name = n, .str = ABI_XSTR(v) }

/* `.neg = (v) < 0` is always false for unsigned constants; that is fine. */
#pragma GCC diagnostic ignored "-Wtype-limits"
#ifdef __clang__
#pragma clang diagnostic ignored "-Wtautological-unsigned-zero-compare"
#pragma clang diagnostic ignored "-Wtautological-constant-compare"
#endif
"""


def table_source(side, suffix, rows, idx, purpose):
    out = ["/* %s: generated by tests/abi/abi_scan.py; do not edit. */\n" % purpose,
           "#include <stddef.h>\n", '#include "abi_row.h"\n', side.umbrella, ROW_MACROS,
           "\nconst struct abi_row abi_rows_%s[] = {\n" % suffix]
    for r in rows:
        out.append("    %s,\n" % r[idx])
    if not rows:
        out.append("    { .name = NULL }, /* keep the array non-empty */\n")
    out.append("};\nconst size_t abi_nrows_%s = %d;\n" % (suffix, len(rows)))
    return "".join(out)


def str_array(name, items):
    body = "".join("    %s,\n" % cstr(i) for i in items) or "    NULL, /* keep the array non-empty */\n"
    return ("const char *const %s[] = {\n%s};\nconst size_t %s = %d;\n"
            % (name, body, "abi_n" + name[len("abi_"):], len(items)))


def meta_source(manifest, stale, ours, xen):
    return "".join(["/* abi_meta.c: generated by tests/abi/abi_scan.py; do not edit. */\n",
                    '#include "abi_row.h"\n\n',
                    "/* tests/abi/shared_names.txt as committed. */\n",
                    str_array("abi_manifest", manifest), "\n",
                    "/* not_values.txt entries that no longer name a shared non-value macro. */\n",
                    str_array("abi_stale_not_values", stale), "\n",
                    str_array("abi_headers_ours", ours), "\n",
                    str_array("abi_headers_xen", xen)])


def read_list(path):
    """Names, one per line; '#' starts a comment."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    out.append(line)
    except FileNotFoundError:
        pass
    return out


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                os.utime(path, None)    # keep make's view fresh
                return
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--public", required=True, help="pvhv's public header dir")
    ap.add_argument("--include", required=True, help="dir holding the pvhv -> public symlink")
    ap.add_argument("--xen", default="/usr/include/xen", help="Xen's public header dir")
    ap.add_argument("--clang", default="clang")
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--not-values", required=True)
    ap.add_argument("--row-header-dir", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out", help="dir for abi_ours.c, abi_xen.c, abi_meta.c")
    ap.add_argument("--write-manifest", action="store_true",
                    help="rewrite the manifest with the names shared now")
    a = ap.parse_args()
    if not a.out and not a.write_manifest:
        ap.error("need --out or --write-manifest")

    public = os.path.abspath(a.public)
    ours = sorted(os.path.relpath(os.path.join(d, f), public)
                  for d, _, fs in os.walk(public) for f in fs if f.endswith(".h"))
    if not ours:
        die("no headers under " + a.public)
    if not os.path.isdir(os.path.join(a.include, "pvhv")):
        die("%s/pvhv is missing (make creates it)" % a.include)
    xen_dir = os.path.abspath(a.xen)
    xen = []
    for rel in ours:
        r = XEN_RENAMES.get(rel, rel)
        if r not in LINUX_UAPI and os.path.isfile(os.path.join(xen_dir, r)):
            xen.append(r)
    if not xen:
        die("none of our headers has a counterpart under " + a.xen)

    with tempfile.TemporaryDirectory(prefix="abi_scan.") as tmp:
        O = Side("ours", "", ["pvhv/" + r for r in ours],
                 ["-I", os.path.abspath(a.include)], public, a.clang, tmp)
        # Xen's set is every file of Xen's reached from the counterparts
        # (xen.h pulls in arch-x86/xen.h, xen-compat.h, ...).
        X = Side("xen", XEN_PROLOGUE, ["xen/" + r for r in xen],
                 ["-isystem", os.path.dirname(xen_dir)], xen_dir, a.clang, tmp)
        L = Side("xen_legacy", XEN_LEGACY_PROLOGUE, ["xen/" + r for r in xen],
                 ["-isystem", os.path.dirname(xen_dir)], xen_dir, a.clang, tmp)
        O.check_parses(lambda inc: "pvhv header %s/%s" % (a.public, inc[len("pvhv/"):]))
        for s in (X, L):
            s.check_parses(lambda inc: "Xen header %s/%s" % (a.xen, inc[len("xen/"):]))
        for s in (O, X, L):
            s.scan_ast()
            s.scan_macros()
        not_values = read_list(a.not_values)
        rows, used = build_rows(O, X, set(not_values))
        have = set(r[0] for r in rows)
        lrows, lused = build_rows(O, L, set(not_values))
        lrows = [r for r in lrows if r[0] not in have]
        stale = [n for n in not_values if n not in used | lused]
        names = sorted(r[0] for r in rows + lrows)

        if a.write_manifest:
            write_if_changed(a.manifest,
                             "# tests/abi/shared_names.txt: every name pvhv shares with Xen 4.17;"
                             " regenerate with `make abi-manifest`.\n"
                             + "".join(n + "\n" for n in names))
            print("abi_scan: %d shared names written to %s" % (len(names), a.manifest))
            if not a.out:
                return

        srcs = {
            "abi_ours.c": table_source(O, "ours", rows + lrows, 1,
                                       "abi_ours.c: pvhv's public headers, measured"),
            "abi_xen.c": table_source(X, "xen", rows, 2,
                                      "abi_xen.c: Debian's Xen headers, measured"),
            "abi_xen_legacy.c": table_source(
                L, "xen_legacy", lrows, 2,
                "abi_xen_legacy.c: Debian's Xen headers at the legacy interface, measured"
                " (names the latest interface dropped)"),
            "abi_meta.c": meta_source(read_list(a.manifest), stale,
                                      [os.path.join(a.public, r) for r in ours],
                                      [os.path.join(a.xen, r) for r in xen]),
        }
        # Fail here, with clang's words, rather than later in the build.
        for fname, side in (("abi_ours.c", O), ("abi_xen.c", X), ("abi_xen_legacy.c", L)):
            rc, _, err = side.clang(["-fsyntax-only", "-I", a.row_header_dir], srcs[fname],
                                    fname[:-2])
            if rc != 0:
                die("generated %s does not compile:\n%s" % (fname, err))
        os.makedirs(a.out, exist_ok=True)
        for fname, text in srcs.items():
            write_if_changed(os.path.join(a.out, fname), text)
        kinds = {}
        for r in rows + lrows:
            k = "field" if "." in r[0] else r[0].split(" ", 1)[0]
            kinds[k] = kinds.get(k, 0) + 1
        print("abi_scan: %d shared names (%s; %d from the legacy interface);"
              " %d pvhv headers, %d Xen counterparts"
              % (len(names), ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
                 len(lrows), len(ours), len(xen)))


if __name__ == "__main__":
    main()
