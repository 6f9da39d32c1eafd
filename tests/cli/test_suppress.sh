#!/usr/bin/env bash
# Inline suppressions in each kind of file, unused and invalid directives, and the
# baseline round trip (write, rescan clean, shift lines, prune, malformed file).
. "$(dirname "$0")/lib.sh"

r=$TMP/shop; new_repo "$r"
mkdir -p "$r/src" "$r/deploy" "$r/db" "$r/public"
cat > "$r/src/config.js" <<'JS'
// ocpay-audit-ignore OC001 -- sandbox key of the public demo shop, rotated nightly
const OCPAY_DEMO_KEY = "sk_sandbox_Hq7Wz2Lx9Tb4Rk1Vm6Nc3Yp8";
const OCPAY_API_KEY = "sk_live_Qd4Xn8Wb2Lr6Tz1Vk9Mc3Hp7"; // ocpay-audit-ignore OC001 -- test vector
const OCPAY_OTHER_KEY = "sk_live_Zb8Nq3Wx6Tc1Lk9Vr4Md7Hp2"; // ocpay-audit-ignore OC002 -- wrong rule
/* ocpay-audit-ignore OC001 */
const OCPAY_LAST_KEY = "sk_live_Ym5Rt9Wq2Xb7Lc4Vn1Kd8Hz3";
// ocpay-audit-ignore OC999 -- no such rule
const n = 1;
module.exports = { OCPAY_DEMO_KEY, OCPAY_API_KEY, OCPAY_OTHER_KEY, OCPAY_LAST_KEY, n };
JS
cat > "$r/deploy/compose.yml" <<'YML'
services:
  shop:
    environment:
      # ocpay-audit-ignore OC001 -- throwaway sandbox key for the e2e stack
      ONECLICK_API_KEY: sk_sandbox_Fw3Kq8Zt1Xm6Rb9Nc4Lv7Hd2
YML
cat > "$r/db/seed.sql" <<'SQL'
-- ocpay-audit-ignore OC001 -- sandbox key stored for the staging merchant row
INSERT INTO settings (name, value) VALUES ('ocpay_key', 'sk_sandbox_Pk2Wn7Xq4Tb9Lz1Vr6Mc3Hd8');
SQL
cat > "$r/public/demo.html" <<'HTML'
<!doctype html>
<html><body>
<!-- ocpay-audit-ignore OC001 -- documentation page showing a revoked key -->
<p>Example key: sk_live_Rv6Tq1Xn8Wb3Lk9Zm4Hc7Pd2</p>
</body></html>
HTML
printf '.env*\n!.env.example\nnode_modules/\n' > "$r/.gitignore"
printf '# ocpay-audit-ignore OC001 -- sandbox key shared by the team\nONECLICK_API_KEY=sk_sandbox_Ld9Xq4Wz7Tb2Rk6Vn1Mc8Hp3\n' > "$r/.env.example"
commit_all "$r"

run "$BIN" scan --format json "$r"
expect_code 1 "live keys not suppressed fail the scan"
expect_findings "OC001 src/config.js:4
OC001 src/config.js:6
OC005 .env.example:1" "what stays after the directives"
sup=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join("%s %s:%d %s" % (f["rule"], f["path"], f["line"], f["suppression"]["kind"]) for f in d["suppressed"]))' <<<"$out")
[ "$sup" = "OC001 .env.example:2 inline
OC001 db/seed.sql:2 inline
OC001 deploy/compose.yml:5 inline
OC001 public/demo.html:4 inline
OC001 src/config.js:2 inline
OC001 src/config.js:3 inline" ] && ok || bad "suppressed findings: $sup"
unused=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print("\n".join("%s:%d %s %s" % (u["path"], u["line"], u["rules"], u["problem"].split(":")[0]) for u in d["unused_suppressions"]))' <<<"$out")
[ "$unused" = "src/config.js:4 OC002 suppresses nothing
src/config.js:5 OC001 gives no reason
src/config.js:7 OC999 names a rule that does not exist (see \`ocpay-audit rules\`)" ] && ok || bad "unused directives: $unused"
# The directive on .env.example's line 1 names OC001 only: the template finding (OC005,
# line 1) stays.

run "$BIN" scan "$r"
expect_out "6 suppressed (6 inline, 0 by the baseline)" "text summary counts the suppressed"
expect_out "src/config.js:5: invalid suppression for OC001: gives no reason" "text names an invalid directive"
expect_out "src/config.js:4: unused suppression for OC002" "text names an unused directive"
expect_no_out "sk_sandbox_Hq7Wz2Lx9" "a suppressed key is not printed"

run "$BIN" scan --format sarif "$r"
n=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for x in d["runs"][0]["results"] if x.get("suppressions")))' <<<"$out")
[ "$n" = 6 ] && ok || bad "SARIF marks the 6 suppressed results (got $n)"

# --- baseline -------------------------------------------------------------------------
b=$TMP/legacy; new_repo "$b"; mkdir -p "$b/src"
cat > "$b/src/keys.js" <<'JS'
const OCPAY_API_KEY = "sk_live_Wt4Nq9Xb2Lz7Rk1Vm6Hc3Pd8";
const ONECLICK_API_KEY = "sk_sandbox_Jx8Tq3Wn6Lb1Rz9Vk4Mc7Hd2";
module.exports = { OCPAY_API_KEY, ONECLICK_API_KEY };
JS
printf '.env*\n' > "$b/.gitignore"
commit_all "$b"
run "$BIN" baseline "$b"
expect_code 0 "baseline writes"
expect_err "2 findings accepted" "baseline says how many"
[ -f "$b/.ocpay-audit-baseline.json" ] && ok || bad "baseline file at the root"
grep -q "sk_live_Wt4N\|sk_sandbox_Jx8T\|Wt4Nq9Xb2Lz7" "$b/.ocpay-audit-baseline.json" && bad "baseline holds a secret" || ok
run "$BIN" scan --format json "$b"
expect_code 0 "baselined findings do not fail"
expect_findings "" "nothing left after the baseline"
# a line inserted above and an unrelated edit: the entries still match
printf '// keys for the legacy checkout\n' | cat - "$b/src/keys.js" > "$b/src/k" && mv "$b/src/k" "$b/src/keys.js"
run "$BIN" scan --format json "$b"
expect_code 0 "lines shifted: still suppressed"
# a new key is not in the baseline
printf 'const OCPAY_NEW_KEY = "sk_live_Nc5Wq1Xt8Lb3Rz6Vk9Mh2Pd7";\n' >> "$b/src/keys.js"
run "$BIN" scan --format json "$b"
expect_code 1 "a new key fails"
expect_findings "OC001 src/keys.js:5" "only the new key is reported"
# fixed one, prune
sed -i '/ONECLICK_API_KEY = /d' "$b/src/keys.js"
run "$BIN" baseline --prune "$b"
expect_code 0 "prune"
expect_err "1 finding accepted, 1 stale entry dropped" "prune drops the fixed finding and adds none"
run "$BIN" scan --format json "$b"
expect_findings "OC001 src/keys.js:4" "after prune the new key is still reported"
# --baseline FILE, missing and malformed
run "$BIN" scan --baseline "$TMP/nope.json" "$b"
expect_code 2 "a missing --baseline file is an error"
expect_err "nope.json" "the error names the file"
printf '{"salt": "x", ' > "$TMP/bad.json"
run "$BIN" scan --baseline "$TMP/bad.json" "$b"
expect_code 2 "a malformed baseline is an error"
expect_err "bad.json" "the error names the malformed file"
run "$BIN" scan --prune "$b"
expect_code 2 "--prune belongs to baseline"
git -C "$b" status --porcelain | grep -qv "ocpay-audit-baseline.json\|src/keys.js" && bad "the scan changed the repository" || ok

finish
