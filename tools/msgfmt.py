"""Compiles a .po catalog to a GNU .mo file (the subset kefu's catalogs use: msgid/msgstr pairs,
no plurals, no contexts), so building the catalog needs no gettext tools."""

from __future__ import annotations

import ast
import struct
from pathlib import Path


def parse_po(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    msgid = msgstr = None
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("msgid "):
            if msgid is not None:
                entries[msgid] = msgstr or ""
            msgid, msgstr, current = ast.literal_eval(line[6:]), None, "id"
        elif line.startswith("msgstr "):
            msgstr, current = ast.literal_eval(line[7:]), "str"
        elif line.startswith('"'):
            part = ast.literal_eval(line)
            if current == "id":
                msgid += part
            else:
                msgstr = (msgstr or "") + part
    if msgid is not None:
        entries[msgid] = msgstr or ""
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    items = sorted((k.encode(), v.encode()) for k, v in entries.items() if v or not k)
    n = len(items)
    ids = b"".join(k + b"\0" for k, _ in items)
    strs = b"".join(v + b"\0" for _, v in items)
    header = 7 * 4
    ids_start = header + n * 16
    strs_start = ids_start + len(ids)
    table_ids, table_strs = [], []
    offset = 0
    for k, _ in items:
        table_ids += [len(k), ids_start + offset]
        offset += len(k) + 1
    offset = 0
    for _, v in items:
        table_strs += [len(v), strs_start + offset]
        offset += len(v) + 1
    out = struct.pack("Iiiiiii", 0x950412DE, 0, n, header, header + n * 8, 0, 0)
    out += struct.pack(f"{2 * n}i", *table_ids) + struct.pack(f"{2 * n}i", *table_strs)
    return out + ids + strs


def build(po: Path, mo: Path) -> None:
    mo.write_bytes(compile_mo(parse_po(po.read_text(encoding="utf-8"))))
