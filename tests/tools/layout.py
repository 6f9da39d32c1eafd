#!/usr/bin/env python3
"""The shape of src/, as the README's Layout section describes it. Fails, naming each
breach, when:
  - a C file of src/ has more than 600 lines;
  - a tree-sitter node type is written outside src/lang/<language>/ (a string literal
    that is a named node type of a grammar and has an underscore, such as
    "call_expression"), or a file outside src/lang/ walks a syntax tree (ast_is,
    ast_type, ast_field, ast_child, ast_named_child, ast_parent, ast_walk);
  - a flow rule's checker (the FLOW_CHECKER functions of src/check/checks.def) names a
    language (LANG_*): one checker serves every language;
  - a source (src/source/) includes a header of the checks, or a reporter (src/report/)
    includes the scan's header: sources hand files on, reporters read a report.

usage: layout.py --src SRC --grammars BUILD/grammars
"""
import argparse
import glob
import json
import os
import re
import sys

MAX_LINES = 600
LANG_DIRS = ("src/lang/js/", "src/lang/php/", "src/lang/python/")
TREE_API = re.compile(r"\bast_(?:is|type|field|child|named_child|parent|walk|named_count|count)\s*\(")
STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def node_types(grammars):
    types = set()
    for path in glob.glob(os.path.join(grammars, "**", "node-types.json"), recursive=True):
        with open(path, encoding="utf-8") as f:
            for t in json.load(f):
                for x in [t] + (t.get("subtypes") or []):
                    if x.get("named") and "_" in x["type"].strip("_"):
                        types.add(x["type"])
    return types


def flow_checker_files(root):
    names = set()
    with open(os.path.join(root, "src/check/checks.def"), encoding="utf-8") as f:
        for m in re.finditer(r"^FLOW_CHECKER(?:_FINISH)?\(\s*\w+\s*,\s*(\w+)", f.read(), re.M):
            names.add(m.group(1))
    files = set()
    for path in glob.glob(os.path.join(root, "src/check/*.c")):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if any(re.search(r"^int %s\(" % n, text, re.M) for n in names):
            files.add(os.path.relpath(path, root))
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True, help="the repository's root")
    ap.add_argument("--grammars", required=True, help="the build's grammars folder")
    args = ap.parse_args()
    root = args.src
    types = node_types(args.grammars)
    if not types:
        print("layout: no node-types.json under %s" % args.grammars, file=sys.stderr)
        return 2
    flow_files = flow_checker_files(root)
    breaches = []
    for path in sorted(glob.glob(os.path.join(root, "src/**/*.[ch]"), recursive=True)):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        lines = text.count("\n")
        if lines > MAX_LINES:
            breaches.append("%s: %d lines (at most %d)" % (rel, lines, MAX_LINES))
        code = COMMENT.sub("", text)
        if not rel.startswith(LANG_DIRS):
            found = sorted({s for s in STRING.findall(code) if s in types})
            if found:
                breaches.append("%s: node types outside src/lang/<language>/: %s"
                                % (rel, ", ".join(found[:8])))
            if not rel.startswith("src/lang/") and TREE_API.search(code):
                breaches.append("%s: walks a syntax tree outside src/lang/" % rel)
        if rel in flow_files and re.search(r"\bLANG_[A-Z]", code):
            breaches.append("%s: a flow rule's checker names a language" % rel)
        includes = re.findall(r'#include "([^"]+)"', code)
        if rel.startswith("src/source/") and any(i.startswith("check/") for i in includes):
            breaches.append("%s: a source includes a header of the checks" % rel)
        if rel.startswith("src/report/") and "check/scan.h" in includes:
            breaches.append("%s: a reporter includes the scan's header" % rel)
    for b in breaches:
        print(b)
    print("layout: %d breach(es)" % len(breaches))
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
