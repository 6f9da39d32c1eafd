#!/usr/bin/env python3
"""Writes docs/rules/OCnnn.md, one page per rule, from the rule files and the fixtures:
what the rule finds, why it matters and how to fix it in each language (the text of
`ocpay-audit explain --markdown`, which reads rules/OCnnn.yml), then examples that fire and
examples that stay silent, taken from fixtures/ocnnn-fire-* and fixtures/ocnnn-silent-*.

  scripts/rule_docs.py --bin build/ocpay-audit           rewrite the pages
  scripts/rule_docs.py --bin build/ocpay-audit --check   exit 1 when a page is out of date
"""
import argparse
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CODE = {".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx", ".ts": "ts", ".tsx": "tsx",
        ".php": "php", ".py": "python", ".vue": "vue", ".html": "html", ".yml": "yaml",
        ".yaml": "yaml", ".json": "json", ".sql": "sql", ".prisma": "prisma"}
FAMILY = {"js": "JavaScript", "jsx": "JavaScript", "ts": "JavaScript", "tsx": "JavaScript",
          "vue": "JavaScript", "html": "JavaScript", "php": "PHP", "python": "Python"}
KEY = re.compile(r"(sk_(?:live|sandbox|test)_[A-Za-z0-9]{2})[A-Za-z0-9_-]{6,}")
WORDS = re.compile(r"(?i)checkpayment|check_payment|createlink|create_link|ocpay|oneclick|"
                   r"x-access-token|payment_?ref|\.env")


def redact(text):
    """Fixture keys are made up; the pages show them as the reports do anyway."""
    return KEY.sub(lambda m: m.group(1) + "***", text)


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def excerpt(path, line, before=4, after=4):
    lines = read(path).split("\n")
    lo, hi = max(0, line - 1 - before), min(len(lines), line + after)
    return "\n".join(lines[lo:hi]).strip("\n")


def fence(lang, text):
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return "%s%s\n%s\n%s\n" % (ticks, lang, redact(text), ticks)


def files_of(folder):
    out = []
    for dirpath, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            if f != "expected.json":
                out.append(os.path.relpath(os.path.join(dirpath, f), folder))
    return out


def fire_example(folder, rule):
    exp = json.load(open(os.path.join(folder, "expected.json")))
    hits = [f for f in exp.get("findings", []) if f["rule"] == rule]
    if not hits:
        return None
    f = hits[0]
    lang = CODE.get(os.path.splitext(f["path"])[1], "")
    text = excerpt(os.path.join(folder, f["path"]), f["line"])
    return lang, exp.get("description", ""), "%s:%d" % (f["path"], f["line"]), text


STRONG = re.compile(r"(?i)checkpayment|check_payment|createlink|create_link")
MANIFESTS = ("package.json", "composer.json", "package-lock.json", "tsconfig.json")


def silent_example(folder):
    """The first place of the fixture's code that does what the rule checks: a call of
    the API first, else any OCPay word (a key, an env file)."""
    exp = json.load(open(os.path.join(folder, "expected.json")))
    for words in (STRONG, WORDS):
        for rel in files_of(folder):
            lang = CODE.get(os.path.splitext(rel)[1])
            base = os.path.basename(rel)
            if base in MANIFESTS or (not lang and not base.startswith(".env")):
                continue
            lines = read(os.path.join(folder, rel)).split("\n")
            hit = next((i for i, l in enumerate(lines) if words.search(l)), None)
            if hit is not None:
                return lang or "", exp.get("description", ""), rel, excerpt(
                    os.path.join(folder, rel), hit + 1, 3, 6)
    return None


def pick(examples, n):
    """One per language family first (JavaScript, PHP, Python), then the rest in order."""
    chosen, families = [], set()
    for ex in examples:
        fam = FAMILY.get(ex[1][0], ex[1][0])
        if fam not in families:
            families.add(fam)
            chosen.append(ex)
    for ex in examples:
        if len(chosen) >= n:
            break
        if ex not in chosen:
            chosen.append(ex)
    return sorted(chosen[:n], key=lambda e: e[0])


def examples(rule):
    fixtures = os.path.join(ROOT, "fixtures")
    prefix = rule.lower() + "-"
    names = sorted(n for n in os.listdir(fixtures) if n.startswith(prefix))
    fire, silent = [], []
    for name in names:
        folder = os.path.join(fixtures, name)
        if name.startswith(prefix + "fire-"):
            ex = fire_example(folder, rule)
            if ex:
                fire.append((name, ex))
        elif name.startswith(prefix + "silent-"):
            ex = silent_example(folder)
            if ex:
                silent.append((name, ex))
    out = ["## Examples\n\nFrom the fixtures the test suite runs (`fixtures/`): %d that fire, "
           "%d that stay silent.\n" % (len(fire), len(silent))]
    for title, chosen in (("It fires", pick(fire, 3)), ("It stays silent", pick(silent, 2))):
        out.append("\n### %s\n" % title)
        for name, (lang, desc, where, text) in chosen:
            out.append("\n`fixtures/%s`, `%s`: %s\n\n" % (name, where, desc.rstrip(".")))
            out.append(fence(lang, text))
    return "".join(out)


def page(binary, rule):
    md = subprocess.run([binary, "explain", "--markdown", rule], check=True,
                        capture_output=True, text=True).stdout
    cut = md.find("\n## What the detectors look for")
    return md[:cut + 1] + "\n" + examples(rule) + md[cut:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    rules = sorted(re.match(r"(OC\d+)", f).group(1)
                   for f in os.listdir(os.path.join(ROOT, "rules")) if re.match(r"OC\d+.*\.yml$", f))
    out_dir = os.path.join(ROOT, "docs", "rules")
    stale = []
    for rule in rules:
        text = page(a.bin, rule)
        path = os.path.join(out_dir, rule + ".md")
        old = read(path) if os.path.exists(path) else None
        if old == text:
            continue
        if a.check:
            stale.append(os.path.relpath(path, ROOT))
        else:
            os.makedirs(out_dir, exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if stale:
        print("out of date (run scripts/rule_docs.py --bin build/ocpay-audit): " +
              ", ".join(stale), file=sys.stderr)
        return 1
    print("%d rule pages %s" % (len(rules), "up to date" if a.check else "written"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
