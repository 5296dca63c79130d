"""Minimal .xls files for tests: BIFF8 records ([MS-XLS]) in a compound file ([MS-CFB], version 3).

Only what the reader's guards and python-calamine look at: the workbook globals (``BOF``, one
``BoundSheet8`` per sheet, a shared-string table continued over ``CONTINUE`` records, ``EOF``)
and per sheet ``BOF``, cell records, ``EOF``.  The compound file holds one stream ``Workbook``
(padded to 4096 bytes, so no mini stream is needed).
"""
from __future__ import annotations

import struct

BOF, EOF, BOUNDSHEET, SST, CONTINUE, LABELSST, LABEL, NUMBER = 0x0809, 0x000A, 0x0085, 0x00FC, 0x003C, 0x00FD, 0x0204, 0x0203
MAX_BODY = 8224
ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def record(rtype: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def bof(sheet: bool) -> bytes:
    return record(BOF, struct.pack("<HHHHII", 0x0600, 0x0010 if sheet else 0x0005, 0, 0, 0, 0))


def sst(strings: list[str], declared: int | None = None) -> bytes:
    """An ``SST`` record and its ``CONTINUE`` records: 8-bit characters, split where a record is
    full (a string's characters go on after a new flags byte)."""
    out, body = [], bytearray(struct.pack("<Ii", len(strings), len(strings) if declared is None else declared))
    for text in strings:
        raw = text.encode("latin-1")
        if len(body) + 3 > MAX_BODY:
            out.append(bytes(body))
            body = bytearray()
        body += struct.pack("<HB", len(raw), 0)
        while raw:
            room = MAX_BODY - len(body)
            body += raw[:room]
            raw = raw[room:]
            if raw:
                out.append(bytes(body))
                body = bytearray(b"\x00")          # a new record: the flags byte again
    out.append(bytes(body))
    return record(SST, out[0]) + b"".join(record(CONTINUE, part) for part in out[1:])


def label_sst(row: int, col: int, index: int) -> bytes:
    return record(LABELSST, struct.pack("<HHHI", row, col, 15, index))


def label(row: int, col: int, text: str) -> bytes:
    raw = text.encode("latin-1")
    return record(LABEL, struct.pack("<HHHHB", row, col, 15, len(raw), 0) + raw)


def number(row: int, col: int, value: float) -> bytes:
    return record(NUMBER, struct.pack("<HHHd", row, col, 15, value))


def workbook(sheets: list[tuple[str, bytes]], strings: list[str] = (), declared: int | None = None,
             same_position: int = 0) -> bytes:
    """A ``Workbook`` stream: ``sheets`` as (name, cell records); ``same_position`` more sheets
    pointing at the first sheet's records (calamine reads them once per sheet)."""
    names = [n for n, _ in sheets] + [f"{sheets[0][0]}{i}" for i in range(1, same_position + 1)]

    def boundsheet(pos: int, name: str) -> bytes:
        raw = name.encode("utf-16-le")
        return record(BOUNDSHEET, struct.pack("<IBBBB", pos, 0, 0, len(name), 1) + raw)
    head_len = len(bof(False)) + sum(len(boundsheet(0, n)) for n in names) + len(sst(list(strings), declared)) \
        + len(record(EOF))
    bodies, positions, pos = [], [], head_len
    for _, cells in sheets:
        body = bof(True) + cells + record(EOF)
        positions.append(pos)
        bodies.append(body)
        pos += len(body)
    positions += [positions[0]] * same_position
    head = bof(False) + b"".join(boundsheet(p, n) for p, n in zip(positions, names)) \
        + sst(list(strings), declared) + record(EOF)
    return head + b"".join(bodies)


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """A compound file (512-byte sectors) holding the one stream ``name``."""
    return compound_streams([(name, stream)])


def compound_streams(streams: list[tuple[str, bytes]], root_child: int = 1) -> bytes:
    """A compound file holding ``streams`` (name, bytes) as directory entries 1, 2, … in that
    order; the root's tree leads to entry ``root_child`` only (the others are listed in the
    directory but reachable from nothing, as a hand-made file can have them)."""
    blobs, starts, sector = [], [], 0
    for _, data in streams:
        data = data + b"\x00" * max(0, 4096 - len(data))
        data += b"\x00" * (-len(data) % 512)
        starts.append(sector)
        blobs.append(data)
        sector += len(data) // 512
    n_stream, n_fat = sector, 1
    while (n_stream + 1 + n_fat) > n_fat * 128:         # stream sectors, a directory sector, FAT sectors
        n_fat += 1
    if n_fat > 109:
        raise ValueError("streams too large for this writer")
    fat = []
    for start, data in zip(starts, blobs):
        fat += list(range(start + 1, start + len(data) // 512)) + [ENDOFCHAIN]
    fat += [FATSECT] * n_fat + [ENDOFCHAIN]
    fat += [FREESECT] * (n_fat * 128 - len(fat))
    dir_sector = n_stream + n_fat
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, n_fat, dir_sector, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    difat = [n_stream + i for i in range(n_fat)] + [FREESECT] * (109 - n_fat)
    struct.pack_into("<109I", header, 76, *difat)

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = (entry_name + "\x00").encode("utf-16-le") if entry_name else b""
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, NOSTREAM, NOSTREAM, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)
    directory = entry("Root Entry", 5, root_child, ENDOFCHAIN, 0) + b"".join(
        entry(name, 2, NOSTREAM, start, len(data)) for (name, _), start, data in zip(streams, starts, blobs))
    directory += entry("", 0, NOSTREAM, 0, 0) * (-(len(streams) + 1) % 4)
    return bytes(header) + b"".join(blobs) + struct.pack(f"<{len(fat)}I", *fat) + directory
