#!/usr/bin/env python3
"""Prints the import circles between the source files of `src/`, or nothing.

A file imports another when it names a path into it: `crate::a::b`, `super::b`, `self::b`, or,
in a folder's `mod.rs`, `child::item` for one of its own sub-modules. Paths resolve to the
longest module prefix that is a file. Inline `#[cfg(test)] mod tests` blocks are ignored.
Usage: tools/import_graph.py [src-dir]; the exit status is 1 when there is a circle."""
import os, re, sys

root = sys.argv[1] if len(sys.argv) > 1 else "src"
files = {}
for dirpath, _, names in os.walk(root):
    for n in names:
        if n.endswith(".rs"):
            p = os.path.join(dirpath, n)
            rel = os.path.relpath(p, root)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel in (["lib"], ["main"]):
                rel = []
            files[tuple(rel)] = p

def resolve(parts):
    for k in range(len(parts), -1, -1):
        if tuple(parts[:k]) in files:
            return tuple(parts[:k])
    return None

path_re = re.compile(r"(?<![A-Za-z0-9_:])([A-Za-z_][A-Za-z0-9_]*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
edges = {m: set() for m in files}
for module, p in files.items():
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests\s*\{", open(p).read())[0]
    text = re.sub(r"//[^\n]*", "", text)
    children = {m[-1] for m in files if len(m) == len(module) + 1 and m[:-1] == module}
    for head, tail in path_re.findall(text):
        parts = [s for s in tail.split("::") if s]
        if head == "crate":
            base = []
        elif head == "self":
            base = list(module)
        elif head == "super":
            base = list(module[:-1])
            while parts and parts[0] == "super":
                parts, base = parts[1:], base[:-1]
        elif head in children:
            base, parts = list(module), [head] + parts
        else:
            continue
        target = resolve(base + parts)
        if target is not None and target != module:
            edges[module].add(target)

index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def strong(v):
    index[v] = low[v] = counter[0]; counter[0] += 1; stack.append(v); on.add(v)
    for w in edges[v]:
        if w not in index:
            strong(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        scc = []
        while True:
            w = stack.pop(); on.discard(w); scc.append(w)
            if w == v: break
        if len(scc) > 1:
            sccs.append(scc)
sys.setrecursionlimit(10000)
for v in sorted(files):
    if v not in index:
        strong(v)
name = lambda m: "/".join(m) or "lib"
for scc in sccs:
    members = set(scc)
    print("circle:", ", ".join(sorted(name(m) for m in scc)))
    for m in sorted(scc):
        for t in sorted(edges[m] & members):
            print(f"    {name(m)} -> {name(t)}")
sys.exit(1 if sccs else 0)
