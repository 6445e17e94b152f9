#!/usr/bin/env python3
"""Git merge driver for the i18n catalogs: merges key by key, so two branches that each
add keys do not conflict. Set up once per clone:

    git config merge.catalog.name "i18n catalog, key by key"
    git config merge.catalog.driver "python3 scripts/mergecatalog.py %O %A %B"

(.gitattributes names the files.) A key changed differently on both sides is a conflict:
the driver keeps ours, prints the key and exits 1.
"""
import collections, json, sys

def load(p):
    try:
        with open(p, encoding="utf-8") as f:
            return json.load(f, object_pairs_hook=collections.OrderedDict)
    except (OSError, ValueError):
        return collections.OrderedDict()

base, ours, theirs = (load(p) for p in sys.argv[1:4])
out = collections.OrderedDict(ours)
conflict = False
for k, v in theirs.items():
    if base.get(k) == v:
        continue  # theirs did not change it
    if k in ours and ours[k] != v and ours[k] != base.get(k):
        print(f"catalog conflict on {k!r}: ours {ours[k]!r}, theirs {v!r}", file=sys.stderr)
        conflict = True
        continue
    out[k] = v
for k in base:
    if k not in theirs and k in out and ours.get(k) == base[k]:
        del out[k]  # theirs deleted it, ours did not touch it
with open(sys.argv[2], "w", encoding="utf-8") as f:
    f.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
sys.exit(1 if conflict else 0)
