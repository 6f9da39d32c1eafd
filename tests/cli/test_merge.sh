#!/usr/bin/env bash
# `merge` over the JSON reports of 20 repositories, scanned side by side with GNU parallel
# (or xargs -P when it is not installed), as the README shows: the fleet's counts are the
# sums of its inputs in every format, each repository's row is its report's, and a bad
# input is named in a one-line error with exit 2.
. "$(dirname "$0")/lib.sh"

repos=$TMP/repos; reports=$TMP/reports; mkdir -p "$repos" "$reports"
fixtures="sample-shop oc001-fire-express-axios-header oc001-fire-php-curl-header
  oc002-fire-nextjs-public-env oc003-fire-express-session-only oc004-fire-php-woocommerce-query-status
  oc004-fire-python-django-no-check oc005-fire-env-tracked oc006-fire-express-body-amount
  oc007-fire-express-fetch-no-check oc008-fire-setinterval-5s oc009-fire-live-key-in-test-env
  oc010-fire-express-no-logs oc011-fire-mongoose-no-index oc012-fire-express-confirmed-only
  oc013-fire-jest-success-only oc001-silent-express-docs-env oc004-silent-koa-switch
  oc004-silent-express-docs-fulfill oc002-silent-express-server-fetch"
n=0
for f in $fixtures; do
  src=$SRC/fixtures/$f
  [ -d "$src" ] || src=$(ls -d "$SRC"/fixtures/"${f%%-*}"-"$(cut -d- -f2 <<<"$f")"-* | head -1)
  n=$((n + 1)); name=$(printf 'shop%02d' $n)
  cp -r "$src" "$repos/$name"; rm -f "$repos/$name/expected.json"
  git -C "$repos/$name" init -q -b main; git -C "$repos/$name" add -A
  git -C "$repos/$name" add -f . 2>/dev/null; git -C "$repos/$name" commit -qm "$f"
done
[ "$n" = 20 ] && ok || bad "made $n repositories, not 20"

# Two scans at a time, each writing NAME.json; a scan exits 1 when it finds something.
if command -v parallel >/dev/null; then
  ls "$repos" | parallel --will-cite -j 2 \
    "\"$BIN\" scan --history --format json -o \"$reports/{}.json\" \"$repos/{}\" 2>/dev/null; [ \$? -le 1 ]"
  rc=$?
else
  echo "SKIP: GNU parallel is not installed (apt-get install parallel): xargs -P 2 instead"
  ls "$repos" | xargs -P 2 -I{} sh -c \
    "\"$BIN\" scan --history --format json -o \"$reports/{}.json\" \"$repos/{}\" 2>/dev/null; [ \$? -le 1 ]"
  rc=$?
fi
[ "$rc" = 0 ] && ok || bad "a scan failed (exit $rc)"
[ "$(ls "$reports" | wc -l)" = 20 ] && ok || bad "not 20 reports: $(ls "$reports")"

run "$BIN" merge "$reports"/*.json -o "$TMP/fleet.json"
expect_code 1 "some repositories are not ready"
expect_err "wrote $TMP/fleet.json: 20 repositories" "merge says what it wrote"
"$BIN" merge --pages reports/ "$reports"/*.json -o "$TMP/fleet.html" 2>/dev/null
"$BIN" merge "$reports"/*.json -o "$TMP/fleet.md" 2>/dev/null
check=$(python3 - "$reports" "$TMP/fleet.json" "$TMP/fleet.html" "$TMP/fleet.md" <<'PY'
import json, os, sys, glob, collections
reports, fleet = sys.argv[1], json.load(open(sys.argv[2]))
page, md = open(sys.argv[3]).read(), open(sys.argv[4]).read()
SEV = ["critical", "high", "medium", "low", "info"]
problems = []
rows = {r["name"]: r for r in fleet["repositories"]}
tot = collections.Counter(); rules = collections.Counter(); repos_of = collections.Counter()
keys = {}; not_ready = 0
for path in sorted(glob.glob(reports + "/*.json")):
    d = json.load(open(path)); name = os.path.basename(path)[:-5]
    r = rows.get(name)
    if not r:
        problems.append("no row for " + name); continue
    sev = collections.Counter(f["severity"] for f in d["findings"])
    for s in SEV:
        tot[s] += sev[s]
        if r["by_severity"][s] != sev[s]:
            problems.append("%s %s: %d, report has %d" % (name, s, r["by_severity"][s], sev[s]))
    failing = sev["critical"] + sev["high"]
    not_ready += failing > 0
    if r["failing"] != failing or (r["verdict"] == "Not ready") != (failing > 0):
        problems.append("%s: failing %d verdict %s, report has %d" % (name, r["failing"], r["verdict"], failing))
    mine = {f["key"]["id"]: f["key"]["kind"] for f in d["findings"] if "key" in f}
    if r["keys_to_rotate"]["total"] != len(mine):
        problems.append("%s keys: %d, report has %d" % (name, r["keys_to_rotate"]["total"], len(mine)))
    keys.update(mine)
    for c in d["checklist"]:
        if r["checklist"].get(c["item"]) != c["status"]:
            problems.append("%s item %s: %s, report has %s" % (name, c["item"], r["checklist"].get(c["item"]), c["status"]))
    per = collections.Counter(f["rule"] for f in d["findings"])
    rules.update(per); repos_of.update(per.keys())
    if r["rules"] != dict(per):
        problems.append("%s rules: %s, report has %s" % (name, r["rules"], dict(per)))
t = fleet["totals"]
if t["repositories"] != 20: problems.append("totals.repositories %d" % t["repositories"])
if t["findings"] != sum(tot.values()): problems.append("totals.findings %d != %d" % (t["findings"], sum(tot.values())))
if t["not_ready"] != not_ready: problems.append("totals.not_ready %d != %d" % (t["not_ready"], not_ready))
for s in SEV:
    if t["by_severity"][s] != tot[s]: problems.append("totals %s %d != %d" % (s, t["by_severity"][s], tot[s]))
if t["keys_to_rotate"]["total"] != len(keys): problems.append("keys %d != %d" % (t["keys_to_rotate"]["total"], len(keys)))
got = {r["rule"]: (r["findings"], r["repositories"]) for r in fleet["rules"]}
if got != {k: (rules[k], repos_of[k]) for k in rules}: problems.append("rules %s != %s" % (got, dict(rules)))
order = [r["findings"] for r in fleet["rules"]]
if order != sorted(order, reverse=True): problems.append("rules not most frequent first")
# the page and the Markdown show the same sums
live = sum(1 for k in keys.values() if k == "live")
want = "%d of 20 repositories are not ready for production; %d leaked keys to rotate (%d live" % (not_ready, len(keys), live)
if want not in page: problems.append("page lacks: " + want)
foot = "<tfoot><tr><th>Total</th><th>%d not ready</th>" % not_ready + "".join(
    '<th class="n">%d</th>' % tot[s] for s in SEV)
if foot not in page: problems.append("page lacks the total row " + foot)
mdrow = "| **Total** | %d not ready |" % not_ready + "".join(" %d |" % tot[s] for s in SEV)
if mdrow not in md: problems.append("markdown lacks " + mdrow)
for name in rows:
    if '<a href="reports/%s.html">%s</a>' % (name, name) not in page:
        problems.append("page does not link " + name)
if page.count("<tr><td>") < 20: problems.append("matrix has fewer than 20 rows")
print("\n".join(problems) or "ok", end="")
PY
)
[ "$check" = ok ] && ok || bad "merged counts differ from the inputs:
$check"
[ -n "${OCPAY_KEEP_SCREENSHOTS:-}" ] && cp "$TMP/fleet.html" "$TMP/fleet.md" "$OCPAY_KEEP_SCREENSHOTS/"
grep -qi '<script' "$TMP/fleet.html" && bad "the fleet page has a script" || ok
[ "$(grep -c '<svg viewBox' "$TMP/fleet.html")" = 3 ] && ok || bad "the fleet page has not 3 charts"

# Bad inputs: named, one line, exit 2, nothing written.
printf '{"tool": ' > "$TMP/broken.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["schema_version"]; json.dump(d, open(sys.argv[2], "w"))' \
  "$reports/shop01.json" "$TMP/old.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["findings"][2]["severity"]="urgent"; json.dump(d, open(sys.argv[2], "w"))' \
  "$reports/shop01.json" "$TMP/sev.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["schema_version"]="2.0"; json.dump(d, open(sys.argv[2], "w"))' \
  "$reports/shop01.json" "$TMP/v2.json"
check_bad() {
  rm -f "$TMP/out.html"
  run "$BIN" merge "$reports/shop02.json" "$1" -o "$TMP/out.html"
  expect_code 2 "$1"
  [ "$err" = "ocpay-audit: $2" ] && ok || bad "merge $1: stderr is '$err', want 'ocpay-audit: $2'"
  [ -e "$TMP/out.html" ] && bad "merge wrote a page from a bad input" || ok
}
check_bad "$TMP/broken.json" "$TMP/broken.json:1:9: not JSON: unexpected token near end of file"
check_bad "$TMP/old.json" "$TMP/old.json: no schema_version: not an ocpay-audit JSON report, or one older than 1.0 (write it with \`ocpay-audit scan --format json\`)"
check_bad "$TMP/sev.json" "$TMP/sev.json: findings[2].severity: 'urgent' is not a severity"
check_bad "$TMP/v2.json" "$TMP/v2.json: schema_version 2.0 is not supported (merge reads 1.x)"
check_bad "$TMP/none.json" "$TMP/none.json: cannot read: unable to open $TMP/none.json: No such file or directory"
run "$BIN" merge "$reports/shop01.json" -o "$TMP/fleet.pdf"
expect_code 2 "unknown output extension"
expect_err "fleet.pdf: merge writes .html, .md or .json" "says which"
run "$BIN" merge -o "$TMP/x.html"
expect_code 2 "no inputs"
# The clean repositories alone: ready, exit 0.
clean=$(python3 -c 'import json,sys
print(" ".join(p for p in sys.argv[1:] if not any(f["severity"] in ("critical","high") for f in json.load(open(p))["findings"])))' "$reports"/*.json)
if [ -n "$clean" ]; then
  run "$BIN" merge $clean -o -
  expect_code 0 "every repository ready"
fi
finish
