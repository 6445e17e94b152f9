#!/usr/bin/env python3
"""Add or replace catalog keys in both languages at once.

Usage: scripts/addkeys.py FILE   where FILE holds lines "key | español | English".
Keys stay sorted by first appearance; existing keys are replaced in place.
"""
import json, sys, collections, pathlib

root = pathlib.Path(__file__).resolve().parent.parent / "internal/platform/i18n/catalog"
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if not line.strip() or line.startswith("#"):
        continue
    key, es, en = [p.strip() for p in line.split(" | ", 2)]
    rows.append((key, es, en))
for lang, idx in (("es", 1), ("en", 2)):
    p = root / f"{lang}.json"
    data = json.loads(p.read_text(encoding="utf-8"), object_pairs_hook=collections.OrderedDict)
    for r in rows:
        data[r[0]] = r[idx]
    p.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
print(f"{len(rows)} keys written")
