#!/usr/bin/env python3
"""mkseed.py - build small synthetic "Go-like" ELF executables for the fuzz
corpus: a few kilobytes that still carry everything the reader looks for,
so libFuzzer's mutations reach the DWARF, prologue and itab code instead of
being rejected on the first check.

Input (stdin): the output of build/fuzz/wanted (what tool/probes.c wants).
Output: one file per variant in OUTDIR.

How: a C file is generated where every wanted function, struct type and
itab symbol has a placeholder identifier exactly as long as its Go name
(C identifiers cannot spell "google.golang.org/grpc/...(*http2Server)...").
gcc compiles it with DWARF; the placeholders are then replaced byte for
byte in the linked file (.symtab, .strtab, .debug_str, inline strings), so
no offset changes. A .go.buildinfo blob and a Go build-ID note are written
the way the Go linker lays them out.

Usage: mkseed.py OUTDIR < wanted.txt
"""
import os
import struct
import subprocess
import sys
import tempfile

CC = os.environ.get("SEED_CC", "gcc")


def parse_wanted(lines):
    funcs = {}  # name -> {param: {"pieces": n, "types": [..]}} (ordered)
    members = {}  # type -> list of paths
    sizes = []
    itabs = []
    cur = None
    for line in lines:
        parts = line.rstrip("\n").split(" ", 1)
        if len(parts) != 2:
            continue
        kind, rest = parts
        if kind == "F":
            cur = funcs.setdefault(rest, {})
        elif kind == "P" and cur is not None:
            name, piece = rest.rsplit(" ", 1)
            p = cur.setdefault(name, {"pieces": 1, "types": []})
            p["pieces"] = max(p["pieces"], int(piece) + 1)
        elif kind == "T" and cur is not None:
            name, typ = rest.split(" ", 1)
            p = cur.setdefault(name, {"pieces": 1, "types": []})
            if typ not in p["types"]:
                p["types"].append(typ)
        elif kind == "M":
            typ, path = rest.split(":", 1)
            paths = members.setdefault(typ, [])
            if path not in paths:
                paths.append(path)
        elif kind == "S":
            if rest not in sizes:
                sizes.append(rest)
            members.setdefault(rest, [])
        elif kind == "I":
            if rest not in itabs:
                itabs.append(rest)
    return funcs, members, sizes, itabs


class Names:
    """Placeholders: C identifiers as long as the Go names they stand for."""

    def __init__(self):
        self.pairs = []
        self.n = 0

    def get(self, real):
        for ph, r in self.pairs:
            if r == real:
                return ph
        tag = "Zq%03d" % self.n
        self.n += 1
        if len(real) < len(tag) + 1:
            raise SystemExit("mkseed: name too short for a placeholder: %r" % real)
        ph = tag + "_" * (len(real) - len(tag))
        self.pairs.append((ph, real))
        return ph


def uvarint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def c_bytes(b):
    return ", ".join("0x%02x" % x for x in b)


def modinfo(v):
    lines = ["path\texample.com/fake/server",
             "mod\texample.com/fake/server\t(devel)\t"]
    lines.append("dep\tgoogle.golang.org/grpc\t%s\th1:fakefakefakefake=" % v["grpc"])
    if v.get("replace"):
        lines.append("=>\tgoogle.golang.org/grpc\t%s\th1:fakereplacement=" % v["replace"])
    lines.append("dep\tgolang.org/x/net\tv0.20.0\th1:fakenet=")
    lines.append("build\t-compiler=gc")
    lines.append("build\tGOARCH=amd64")
    body = "\n".join(lines) + "\n"
    # Go wraps the module info in two 16-byte sentinels; the reader only
    # relies on their length and on the newline before the closing one.
    return b"S" * 16 + body.encode() + b"E" * 16


def pclntab_asm(funcs, names):
    """A Go 1.20 function table (.gopclntab) naming every function; entries
    are offsets from text_base, the final one is text_end; no pc-value
    tables (pcsp 0), so a function ends where the next begins."""
    fl = list(funcs)
    a = ['.section .gopclntab,"a"', ".balign 8", "pcln_hdr:",
         ".long 0xfffffff1", ".byte 0, 0, 1, 8",
         ".quad %d" % len(fl), ".quad 1", ".quad text_base",
         ".quad pcln_names - pcln_hdr", ".quad pcln_names - pcln_hdr",
         ".quad pcln_names - pcln_hdr", ".quad pcln_pctab - pcln_hdr",
         ".quad pcln_ftab - pcln_hdr", "pcln_names:"]
    for i, fn in enumerate(fl):
        a.append("pcln_name%d: .asciz \"%s\"" % (i, fn))
    a += ["pcln_pctab: .byte 0, 0, 0, 0", ".balign 8", "pcln_ftab:"]
    for i, fn in enumerate(fl):
        a.append(".long %s - text_base, pcln_rec%d - pcln_ftab" % (names.get(fn), i))
    a.append(".long text_end - text_base")
    for i, fn in enumerate(fl):
        a += [".balign 4", "pcln_rec%d:" % i,
              ".long %s - text_base, pcln_name%d - pcln_names, 0, 0, 0, 0, 0, 0, 0, 0"
              % (names.get(fn), i),
              ".byte 0, 0, 0, 0", ".long 0, 0"]
    a += ["pcln_end:", ".text"]
    return asm_block(a)


def asm_block(lines):
    return "__asm__(\n%s\n);" % "\n".join('"%s\\n"' % x.replace('"', '\\"') for x in lines)


def go_type(full):
    """(pointer, package path, runtime name) of a full Go type name such as
    "*google.golang.org/grpc/mem.buffer": the runtime spells it with the
    package's name ("*mem.buffer")."""
    ptr = full.startswith("*")
    rest = full.lstrip("*")
    dot = rest.rfind(".")
    if dot < rest.rfind("/") + 1:
        return ptr, "", full
    pkg, name = rest[:dot], rest[dot + 1:]
    return ptr, pkg, "*" * (len(full) - len(rest)) + pkg.rsplit("/", 1)[-1] + "." + name


def go_name(label, text, flags=0):
    b = text.encode()
    return ["%s:" % label, ".byte %d" % flags, ".byte %s" % ", ".join(str(x) for x in uvarint(len(b))),
            ".ascii \"%s\"" % text]


def moduledata_asm(funcs, itabs):
    """The runtime's module data (Go 1.20 - 1.25 layout) pointing at the
    function table of pclntab_asm(), and the itab list of every wanted itab
    with its types (abi.Type, kind-specific words, uncommon type) and
    names, so that a binary without symbols still names its itabs."""
    types = {}  # full name -> (index, is interface)
    for pair in itabs:
        c, i = pair.split(",", 1)
        types.setdefault(c, (len(types), False))
        types.setdefault(i, (len(types), True))
    a = ['.section .rodata.gotypes,"a"', ".balign 8", "go_types:"]
    pkgs = {}
    for full, (n, iface) in types.items():
        ptr, pkg, rt = go_type(full)
        kind = 20 if iface else 22 if ptr else 23  # interface, pointer, slice
        # A named value type shares its *T name: the extra star is dropped.
        star = not iface and not ptr
        tflag = 1 | (2 if star else 0) | (0 if ptr else 4)
        a += [".balign 8", "go_type%d:" % n, ".quad 8, 8", ".long %d" % (0x1000 + 7919 * n),
              ".byte %d, 8, 8, %d" % (tflag, kind), ".quad 0, 0",
              ".long go_tname%d - go_types, 0" % n]
        a += [".quad 0, 0, 0, 0"] if iface else [".quad 0"]
        pkgs.setdefault(pkg, len(pkgs))
        a += [".long go_pkg%d - go_types" % pkgs[pkg], ".short 0, 0", ".long 0, 0"]
        a += go_name("go_tname%d" % n, ("*" if star else "") + rt, 1)
    for pkg, n in pkgs.items():
        a += go_name("go_pkg%d" % n, pkg)
    a += ["go_etypes:", ".balign 8"]
    for k, pair in enumerate(itabs):
        c, i = pair.split(",", 1)
        a += ["go_itab%d:" % k, ".quad go_type%d, go_type%d" % (types[i][0], types[c][0]),
              ".long %d, 0" % (0x1000 + 7919 * types[c][0]), ".quad 0"]
    a += [".balign 8", "go_itablink:"] + [".quad go_itab%d" % k for k in range(len(itabs))]
    a += [".balign 4", "go_typelink:"] + [".long go_type%d - go_types" % n for n, _ in types.values()]
    a += [".balign 8", "go_textsect:", ".quad 0, text_end - text_base, text_base"]
    nf, nt, ni = len(funcs) + 1, len(types), len(itabs)
    a += ['.section .noptrdata,"aw"', ".balign 8", "go_moduledata:", ".quad pcln_hdr"]
    for start in ["pcln_names", "pcln_names", "pcln_names", "pcln_pctab", "pcln_ftab"]:
        a.append(".quad %s, pcln_end - %s, pcln_end - %s" % (start, start, start))
    a += [".quad pcln_ftab, %d, %d" % (nf, nf), ".quad 0, text_base, text_end, text_base, text_end",
          ".quad 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0",  # noptrdata .. gcbss
          ".quad go_types, go_etypes, go_types, 0",  # types, etypes, rodata, gofunc
          ".quad go_textsect, 1, 1", ".quad go_typelink, %d, %d" % (nt, nt),
          ".quad go_itablink, %d, %d" % (ni, ni), ".fill 16, 8, 0", ".text"]
    return asm_block(a)


def gen_c(v, funcs, members, sizes, itabs, names):
    out = ["/* generated by tests/fuzz/mkseed.py */",
           "typedef struct { void *p; long n; } pair16;",
           "__asm__(\".text\\ntext_base:\\n\");" if v.get("pclntab") else "",
           "__attribute__((noipa)) long sink(long x) { __asm__ volatile(\"\" : \"+r\"(x)); return x; }"]
    # struct types: nested members become nested (unnamed-in-Go) structs
    nested_n = [0]

    def tree_of(paths):
        t = {}
        for p in paths:
            node = t
            parts = p.split(".")
            for i, part in enumerate(parts):
                if i == len(parts) - 1:
                    node.setdefault(part, None)
                else:
                    if node.get(part) is None:
                        node[part] = {}
                    node = node[part]
        return t

    def emit_struct(cname, tree):
        fields = []
        for i, (m, sub) in enumerate(tree.items()):
            if sub is None:
                # a few shapes of leaves: offsets and sizes differ per member
                leaf = ["long", "void *", "unsigned int", "unsigned char"][(i + v["shape"]) % 4]
                fields.append("\t%s %s;" % (leaf, m))
            else:
                nested_n[0] += 1
                nn = "Nested%d" % nested_n[0]
                emit_struct(nn, sub)
                fields.append("\tstruct %s %s;" % (nn, m))
        if not fields:
            fields.append("\tlong pad0, pad1;")
        out.append("struct %s {\n%s\n};" % (cname, "\n".join(fields)))

    for typ, paths in members.items():
        emit_struct(names.get(typ), tree_of(paths))
    # keep every struct type referenced so gcc emits it
    out.append("__attribute__((used)) void *keep_types[] = {")
    for typ in members:
        out.append("\t(void *)sizeof(struct %s)," % names.get(typ))
    out.append("};")

    typedefs = {}

    def ctype(pname, p):
        types = p["types"]
        if types:
            want = types[v["ftype"] % len(types)] if pname == "f" else types[0]
            if want not in typedefs:
                base = "pair16" if not want.startswith("*") else "void *"
                typedefs[want] = names.get(want)
                out.append("typedef %s %s;" % (base, typedefs[want]))
            return typedefs[want], not want.startswith("*")
        if p["pieces"] > 1:
            return "pair16", True
        return "void *", False

    prologue = ('__asm__ volatile("cmp 16(%%r14), %%rsp\\n\\tjbe 1f\\n\\tnop\\n1:\\n" ::: "cc");'
                if v["jbe"] else "")
    for i, (fn, params) in enumerate(funcs.items()):
        if not params:
            params = {"p": {"pieces": 1, "types": []}}
        decl, uses = [], []
        for pname, p in params.items():
            t, is_pair = ctype(pname, p)
            decl.append("%s %s" % (t, pname))
            if is_pair:
                uses.append("sink((long)%s.p) + sink(%s.n)" % (pname, pname))
            else:
                uses.append("sink((long)%s)" % pname)
        if v["jbe"]:
            # a leaf, like Go's: the stack check is the first instruction
            # and the arguments stay in their registers past it
            regs = []
            for pname, p in params.items():
                t, is_pair = ctype(pname, p)
                regs += ['"r"(%s.p)' % pname, '"r"(%s.n)' % pname] if is_pair else ['"r"(%s)' % pname]
            body = "\t%s\n\t__asm__ volatile(\"\" :: %s);\n\treturn 0;" % (prologue, ", ".join(regs))
        else:
            body = "\tlong r = %s;\n\tif (r == 42) __asm__ volatile(\"ret\");\n\treturn r;" % (
                " + ".join(uses))
        out.append("__attribute__((noipa, used)) long %s(%s)\n{\n%s\n}" % (
            names.get(fn), ", ".join(decl), body))
    prefix = v["itab_prefix"]
    for i, pair in enumerate(itabs):
        out.append("__attribute__((used)) long %s = %d;" % (names.get(prefix + pair), i + 1))

    # .go.buildinfo, writable like the Go linker's
    magic = b"\xff Go buildinf:"
    if v["bi_new"]:
        ver = v["go"].encode()
        blob = magic + bytes([8, 2]) + b"\0" * 16 + uvarint(len(ver)) + ver
        mi = modinfo(v)
        blob += uvarint(len(mi)) + mi
        out.append("__attribute__((section(\".go.buildinfo\"), aligned(16), used)) "
                   "unsigned char go_buildinfo[] = { %s };" % c_bytes(blob))
    else:
        ver = v["go"].encode()
        mi = modinfo(v)
        out.append("static const char bi_ver[] = { %s };" % c_bytes(ver))
        out.append("static const char bi_mod[] = { %s };" % c_bytes(mi))
        out.append("static const struct { const char *p; long n; } bi_vh = { bi_ver, %d }, "
                   "bi_mh = { bi_mod, %d };" % (len(ver), len(mi)))
        out.append("__attribute__((section(\".go.buildinfo\"), aligned(16), used)) struct "
                   "{ char magic[14]; unsigned char ptrsize, flags; const void *v, *m; } "
                   "go_buildinfo = { { %s }, 8, 0, &bi_vh, &bi_mh };" % c_bytes(magic))
    bid = v.get("buildid", "fakeBuildID-A/fakeBuildID-B/fakeBuildID-C/fakeBuildID-D").encode()
    note = struct.pack("<III", 3, len(bid), 4) + b"Go\0\0" + bid + b"\0" * ((4 - len(bid) % 4) % 4)
    out.append("__attribute__((section(\".note.go.buildid\"), aligned(4), used)) "
               "const unsigned char go_buildid[] = { %s };" % c_bytes(note))
    calls = []
    for fn, params in funcs.items():
        calls.append("\t((long (*)())%s)();" % names.get(fn))
    out.append("void _start(void)\n{\n%s\n\tfor (;;)\n\t\t;\n}" % "\n".join(calls))
    if v.get("pclntab"):
        out.append('__asm__(".text\\ntext_end:\\n");')
        out.append(pclntab_asm(funcs, names))
    if v.get("moduledata"):
        out.append(moduledata_asm(funcs, itabs))
    return "\n".join(out) + "\n"


def patch(path, names):
    with open(path, "rb") as f:
        b = f.read()
    for ph, real in names.pairs:
        assert len(ph) == len(real)
        b = b.replace(ph.encode(), real.encode())
    with open(path, "wb") as f:
        f.write(b)


def hide_symtab(path):
    """Turn .symtab into plain bytes (objcopy cannot drop it and keep the
    DWARF): functions must then come from Go's function table."""
    with open(path, "rb") as f:
        b = bytearray(f.read())
    shoff, = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3A)
    stroff, = struct.unpack_from("<Q", b, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        h = shoff + i * shentsize
        name, typ = struct.unpack_from("<II", b, h)
        if typ == 2 and b[stroff + name:stroff + name + 8] == b".symtab\0":
            struct.pack_into("<I", b, h + 4, 1)  # SHT_PROGBITS
    with open(path, "wb") as f:
        f.write(bytes(b))


def strip_section_headers(path):
    """Drop the section header table: the reader must find the build info
    by scanning the writable segments."""
    with open(path, "rb") as f:
        b = bytearray(f.read())
    phoff, = struct.unpack_from("<Q", b, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", b, 0x36)
    end = phoff + phentsize * phnum
    for i in range(phnum):
        off = phoff + i * phentsize
        p_offset, = struct.unpack_from("<Q", b, off + 8)
        p_filesz, = struct.unpack_from("<Q", b, off + 32)
        end = max(end, p_offset + p_filesz)
    struct.pack_into("<Q", b, 0x28, 0)
    struct.pack_into("<HHH", b, 0x3A, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(bytes(b[:end]))


VARIANTS = [
    # name, cflags, options
    ("syn-dw5-O1", ["-gdwarf-5", "-O1"], {}),
    ("syn-dw4-O1-pdata", ["-gdwarf-4", "-O1"], {"ftype": 1, "itab_prefix": "go.itab.",
                                                 "replace": "v1.61.1", "shape": 1}),
    ("syn-dw5-O0", ["-gdwarf-5", "-O0"], {"jbe": False, "shape": 2}),
    ("syn-dw4-O2-debugframe", ["-gdwarf-4", "-O2", "-fno-asynchronous-unwind-tables"], {"shape": 3}),
    ("syn-dw5-zlib", ["-gdwarf-5", "-O1"], {"post": "zlib"}),
    ("syn-oldbuildinfo-go1.16", ["-gdwarf-4", "-O1"], {"bi_new": False, "go": "go1.16.15"}),
    ("syn-grpc-too-old", ["-gdwarf-5", "-O1"], {"grpc": "v1.20.0"}),
    ("syn-pie", ["-gdwarf-5", "-O1", "-fPIE", "-pie", "-Wl,--no-dynamic-linker"], {}),
    ("syn-nodwarf", ["-O1"], {"post": "strip-debug"}),
    ("syn-no-section-headers", ["-O1", "-g0"], {"post": "no-shdrs"}),
    # Go's function table instead of the symbol table (text in source order)
    # ... and the runtime's module data: itabs from its itab list
    ("syn-pclntab-nosymtab", ["-gdwarf-5", "-O1", "-fno-toplevel-reorder"],
     {"pclntab": True, "moduledata": True, "post": "no-symtab"}),
    ("syn-moduledata-no-section-headers", ["-O1", "-g0", "-fno-toplevel-reorder"],
     {"pclntab": True, "moduledata": True, "post": "no-shdrs"}),
    ("syn-pclntab-symtab", ["-gdwarf-4", "-O1", "-fno-toplevel-reorder"], {"pclntab": True, "shape": 1}),
]


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    funcs, members, sizes, itabs = parse_wanted(sys.stdin)
    if not funcs or not members:
        raise SystemExit("mkseed: nothing wanted on stdin (build/fuzz/wanted output?)")
    with tempfile.TemporaryDirectory() as tmp:
        for name, cflags, opts in VARIANTS:
            v = {"go": "go1.22.5", "grpc": "v1.60.0", "bi_new": True, "jbe": True,
                 "ftype": 0, "itab_prefix": "go:itab.", "shape": 0}
            v.update(opts)
            names = Names()
            src = os.path.join(tmp, name + ".c")
            with open(src, "w") as f:
                f.write(gen_c(v, funcs, members, sizes, itabs, names))
            out = os.path.join(outdir, name)
            cmd = [CC, "-std=gnu11", "-w", "-nostdlib", "-static", "-fno-stack-protector",
                   "-fcf-protection=none", "-fno-eliminate-unused-debug-types",
                   "-Wl,--build-id=none", "-Wl,-z,norelro"]
            if "-pie" in cflags:
                cmd.remove("-static")
            cmd += cflags + ["-o", out, src]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print("mkseed: %s: %s" % (name, r.stderr.strip()[:500]), file=sys.stderr)
                continue
            patch(out, names)
            post = v.get("post")
            if post == "zlib":
                subprocess.run(["objcopy", "--compress-debug-sections=zlib", out], check=True)
            elif post == "strip-debug":
                subprocess.run(["objcopy", "--strip-debug", out], check=True)
            elif post == "no-symtab":
                hide_symtab(out)
            elif post == "no-shdrs":
                strip_section_headers(out)
            print("%s %d" % (out, os.path.getsize(out)))


if __name__ == "__main__":
    main()
