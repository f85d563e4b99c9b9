#!/usr/bin/env python3
"""The real-request corpus: collected texts stay in the git-ignored `real/`, the repository keeps
addresses, labels and our own rewordings in `tests/data/real/{train,test}.jsonl`.

  tools/real_corpus.py merge              real/raw/*.jsonl -> real/texts.jsonl (ids, split by source)
  tools/real_corpus.py batches N          real/texts.jsonl -> real/judging/batch-K.jsonl (texts for judges)
  tools/real_corpus.py combine            real/labels/judge-{1,2}-*.jsonl + real/rewordings/*.jsonl
                                          -> tests/data/real/{train,test}.jsonl (labels both judges gave)

The split is by source (the site, or the repository on GitHub), so that no source feeds both
`train` and `test`: about 40 % of sources go to `test`, chosen by a hash of the source.
"""

import glob
import hashlib
import json
import os
import sys
from urllib.parse import urlparse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL = os.path.join(ROOT, "real")
CHECKS = ["reason-for-them", "not-free-advice", "not-searchable", "right-size-ask", "right-people"]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, items):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def source_key(url):
    u = urlparse(url)
    host = u.netloc.lower().removeprefix("www.")
    if host == "github.com":
        parts = [p for p in u.path.split("/") if p]
        return "github.com/" + "/".join(parts[:2]).lower()
    return host


def split_of(url):
    digest = hashlib.sha256(source_key(url).encode()).digest()
    return "test" if digest[0] % 10 < 4 else "train"


def merge():
    seen, items = set(), []
    for path in sorted(glob.glob(os.path.join(REAL, "raw", "*.jsonl"))):
        for raw in read_jsonl(path):
            text = raw["text"].strip()
            key = " ".join(text.lower().split())
            if key in seen or len(text) < 15:
                continue
            seen.add(key)
            items.append(raw | {"text": text})
    out = []
    for n, raw in enumerate(items, 1):
        out.append({
            "id": f"real-{n:03d}",
            "split": split_of(raw["source_url"]),
            "text": raw["text"],
            "recipient": raw.get("recipient") or None,
            "source_url": raw["source_url"],
            "source_title": raw.get("source_title", ""),
            "kind": raw.get("kind", "template"),
        })
    write_jsonl(os.path.join(REAL, "texts.jsonl"), out)
    by = lambda k, v: sum(1 for i in out if i[k] == v)
    print(f"{len(out)} requests: train {by('split', 'train')}, test {by('split', 'test')}; "
          f"sent {by('kind', 'sent')}, template {by('kind', 'template')}; "
          f"{len({source_key(i['source_url']) for i in out})} sources")


def batches(n):
    items = read_jsonl(os.path.join(REAL, "texts.jsonl"))
    size = (len(items) + n - 1) // n
    for k in range(n):
        part = [{"id": i["id"], "recipient": i["recipient"], "text": i["text"]}
                for i in items[k * size:(k + 1) * size]]
        write_jsonl(os.path.join(REAL, "judging", f"batch-{k + 1}.jsonl"), part)
        print(f"batch-{k + 1}: {len(part)}")


def combine():
    items = read_jsonl(os.path.join(REAL, "texts.jsonl"))
    judges = {}
    for j in (1, 2):
        judges[j] = {}
        for path in glob.glob(os.path.join(REAL, "labels", f"judge-{j}-*.jsonl")):
            for row in read_jsonl(path):
                judges[j][row["id"]] = row["labels"]
    rewordings = {}
    for path in glob.glob(os.path.join(REAL, "rewordings", "*.jsonl")):
        for row in read_jsonl(path):
            rewordings[row["id"]] = row["text"]
    out = {"train": [], "test": []}
    agreed = total = 0
    for item in items:
        a, b = judges[1].get(item["id"]), judges[2].get(item["id"])
        if a is None or b is None:
            continue
        labels = {}
        for check in CHECKS:
            total += 1
            if check in a and check in b and a[check] == b[check]:
                labels[check] = a[check]
                agreed += 1
        out[item["split"]].append({
            "id": item["id"],
            "source_url": item["source_url"],
            "source_title": item["source_title"],
            "kind": item["kind"],
            "recipient": item["recipient"],
            "labels": labels,
            "text": rewordings.get(item["id"], ""),
        })
    for split, rows in out.items():
        write_jsonl(os.path.join(ROOT, "tests", "data", "real", f"{split}.jsonl"), rows)
        print(f"{split}: {len(rows)} requests")
    print(f"labels both judges gave: {agreed}/{total}")


if __name__ == "__main__":
    match sys.argv[1:]:
        case ["merge"]:
            merge()
        case ["batches", n]:
            batches(int(n))
        case ["combine"]:
            combine()
        case _:
            print(__doc__)
            sys.exit(2)
