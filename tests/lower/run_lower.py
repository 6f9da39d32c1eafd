#!/usr/bin/env python3
"""Lowering tests: each source file under a language folder (tests/lower/js/*.ts,
tests/lower/php/*.php, tests/lower/python/*.py ...) is dumped with `ocpay-audit dump`
and compared with the file beside it that adds `.ir` to its name.

usage: run_lower.py --bin BIN [--update] [-v] DIR
  --update  write the .ir files from the current output (review the diff like code)
"""

import argparse
import difflib
import os
import subprocess
import sys

SOURCES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".vue", ".svelte", ".html",
           ".php", ".py")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--update", action="store_true")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("dir")
    args = ap.parse_args()
    cases = sorted(f for f in os.listdir(args.dir) if f.endswith(SOURCES))
    if not cases:
        print(f"{args.dir}: no cases", file=sys.stderr)
        return 1
    failed = 0
    for name in cases:
        src = os.path.join(args.dir, name)
        # Run from the folder so the dumped path is the file's name alone.
        r = subprocess.run([os.path.abspath(args.bin), "dump", "--lines", name],
                           cwd=args.dir, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {src}: exit {r.returncode}: {r.stderr.strip()}")
            failed += 1
            continue
        expected_path = src + ".ir"
        if args.update:
            with open(expected_path, "w") as f:
                f.write(r.stdout)
            continue
        try:
            with open(expected_path) as f:
                expected = f.read()
        except FileNotFoundError:
            print(f"FAIL {src}: no {os.path.basename(expected_path)} (run with --update)")
            failed += 1
            continue
        if expected != r.stdout:
            failed += 1
            print(f"FAIL {src}")
            diff = difflib.unified_diff(expected.splitlines(), r.stdout.splitlines(),
                                        "expected", "got", lineterm="", n=2)
            for line in list(diff)[:60]:
                print("  " + line)
        elif args.v:
            print(f"ok   {src}")
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
