#!/usr/bin/env bash
# Redaction audit: a distinct key in every place a rule reports from (code, env files,
# config, manifests, docs, a bundle, a Kubernetes Secret in base64, a key deleted from
# the history, a staged key), in the places around them (a line holding one key 80
# times, a line naming Stripe, a folder and a file name, a commit's author name and
# e-mail, a rule turned off, notes naming files) never appears in full in any output:
# every format, every mode, --verbose logs, the report files and the baseline.
. "$(dirname "$0")/lib.sh"

r=$TMP/shop; new_repo "$r"; mkdir -p "$r/src" "$r/pages/api" "$r/dist" "$r/k8s" "$r/docs"
# key NAME PREFIX: a distinct key, remembered in a file for the checks (key runs in
# command substitutions, whose variables do not reach the caller)
key() {
  local k; k="$2$(printf '%s' "$1" | sha1sum | cut -c1-20)Xy"
  printf '%s\n' "$k" >> "$TMP/keys"; printf '%s' "$k"
}
remember() { printf '%s\n' "$1" >> "$TMP/keys"; }
cat > "$r/src/client.js" <<EOF
import axios from "axios";
export const api = axios.create({ headers: { "X-Access-Token": "$(key header sk_live_)" } });
export const ocpay = new OCPay("$(key sdk sk_live_)");
const ONECLICK_API_KEY = process.env.ONECLICK_API_KEY || "$(key fallback sk_live_)";
EOF
cat > "$r/pages/api/pay.ts" <<EOF
const ocpayApiKey = "$(key named sk_sandbox_)";
export default async function handler(req, res) {
  const r = await fetch("https://api.oneclickdz.com/v3/ocpay/createLink", {
    method: "POST", headers: { "X-Access-Token": ocpayApiKey } });
  res.json(await r.json());
}
EOF
printf 'ONECLICK_API_KEY=%s\n' "$(key env sk_live_)" > "$r/.env"
printf 'ONECLICK_API_KEY=%s\n' "$(key envprod sk_sandbox_)" > "$r/.env.production"
printf 'ONECLICK_API_KEY=%s\n' "$(key envdev sk_live_)" > "$r/.env.development"
printf 'ocpay:\n  api_key: %s\n' "$(key yaml sk_live_)" > "$r/config.yml"
printf '{ "oneclick": { "apiKey": "%s" } }\n' "$(key json sk_live_)" > "$r/config.json"
printf "<?php\ndefine('OCPAY_API_KEY', '%s');\n" "$(key php sk_live_)" > "$r/wp-config.php"
printf 'curl -H "X-Access-Token: %s" https://api.oneclickdz.com/v3/ocpay/createLink\n' \
  "$(key curl sk_live_)" > "$r/docs/README.md"
printf 'var a={headers:{"X-Access-Token":"%s"}};fetch("https://api.oneclickdz.com/v3/ocpay/createLink",a);\n' \
  "$(key bundle sk_live_)" > "$r/dist/app.min.js"
printf 'services:\n  shop:\n    environment:\n      ONECLICK_API_KEY: %s\n' "$(key compose sk_live_)" \
  > "$r/docker-compose.yml"
b64key=$(key k8s sk_sandbox_); b64=$(printf '%s' "$b64key" | base64 -w0); remember "$b64"
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ocpay\ntype: Opaque\ndata:\n  ONECLICK_API_KEY: %s\n' \
  "$b64" > "$r/k8s/secret.yaml"
# a browser line holding the same key 80 times before the call a rule reports
mkdir -p "$r/public"
k80=$(key repeated sk_live_)
python3 - "$r/public/index.html" "$k80" <<'PY'
import sys
keys = ",".join('"%s"' % sys.argv[2] for _ in range(80))
open(sys.argv[1], "w").write('<html><body><script>var ks=[%s];fetch("https://api.oneclickdz.com/v3/ocpay/createLink",{method:"POST"});</script></body></html>\n' % keys)
PY
# a key on a line that names Stripe: the key-shape detector stands down, another rule
# reports the line
kstripe=$(key stripe sk_live_)
printf '<script>const stripeKey = "%s"; fetch("https://api.oneclickdz.com/v3/ocpay/checkPayment");</script>\n' \
  "$kstripe" > "$r/public/pay.html"
# keys in a folder name and a file name, reported by a rule
kdir=$(key folder sk_live_); kfile=$(key file sk_sandbox_)
mkdir -p "$r/vendor/$kdir" && printf '{ "oneclick": { "apiKey": "%s" } }\n' "$(key infolder sk_live_)" \
  > "$r/vendor/$kdir/ocpay.json"
printf 'const OCPAY_KEY = "%s";\n' "$(key innamed sk_live_)" > "$r/src/$kfile.js"
git -C "$r" add -A && git -C "$r" add -f .env .env.production .env.development
git -C "$r" commit -qm shop
# a key committed, then deleted: only the history holds it; its commit's author has
# keys for a name and an e-mail
printf 'const OCPAY_KEY = "%s";\n' "$(key deleted sk_live_)" > "$r/src/old.js"
git -C "$r" add -A
kname=$(key author sk_live_); kmail=$(key email sk_test_)
GIT_AUTHOR_NAME="$kname" GIT_AUTHOR_EMAIL="$kmail@shop.dz" git -C "$r" commit -qm old
git -C "$r" rm -q src/old.js; git -C "$r" commit -qm "remove the key"
base=$(git -C "$r" rev-parse HEAD)
# a staged key, not committed
printf 'const OCPAY_KEY = "%s";\n' "$(key staged sk_live_)" > "$r/src/new.js"; git -C "$r" add src/new.js

check() { # check LABEL: no key in $out or $err
  local k leaked="" keys
  mapfile -t keys < "$TMP/keys"
  [ "${#keys[@]}" -ge 20 ] || bad "$1: only ${#keys[@]} keys to look for"
  for k in "${keys[@]}"; do
    grep -qF -- "$k" <<<"$out$err" && leaked="$leaked $k"
  done
  [ -z "$leaked" ] && ok || bad "$1: leaked$leaked"
}
for f in text json sarif github markdown html; do
  for mode in "" --history --staged "--since $base"; do
    # shellcheck disable=SC2086
    run "$BIN" scan -v --format "$f" $mode "$r"
    [ "$code" = 1 ] && ok || bad "$f $mode: exit $code, want 1 (stderr: $err)"
    check "$f $mode"
  done
done
# the scan saw the keys: the findings are there, redacted
run "$BIN" scan --history --format json "$r"
[ "$(grep -c '"rule": "OC001"' <<<"$out")" -ge 14 ] && ok || bad "fewer OC001 findings than planted keys"
expect_out '***(' "secrets shown as prefix and length"

for ext in html md; do
  run "$BIN" report -o "$TMP/audit.$ext" "$r"
  out=$(cat "$TMP/audit.$ext"); check "report .$ext"
done
run "$BIN" baseline "$r"
expect_code 0 "baseline written"
out=$(cat "$r/.ocpay-audit-baseline.json"); check "baseline file"
rm -f "$r/.ocpay-audit-baseline.json"

# the places a key sat in were reported: each would have printed it
run "$BIN" scan --history --no-redact --format json "$r"
for k in "$k80" "$kstripe" "$kdir" "$kfile" "$kname" "$kmail"; do
  grep -qF -- "$k" <<<"$out" && ok || bad "planted key $k is not in any finding"
done

# a rule turned off still lets the scan know its keys: a key without a prefix, found in
# a config file, is masked where another rule prints it; so is the same key in a file
# name and in a note naming that file
o=$TMP/off; new_repo "$o"; mkdir -p "$o/config" "$o/public"
uuid=3f2b8c1e-9a4d-4e7b-8c2f-1a2b3c4d5e6f; skoff=$(key off sk_live_); remember "$uuid"
printf 'rules:\n  OC001: off\n' > "$o/.ocpay-audit.yml"
printf 'ocpay:\n  api_key: %s\n' "$uuid" > "$o/config/ocpay.yml"
printf '<script>const k = ["%s", "%s"]; fetch("https://api.oneclickdz.com/v3/ocpay/createLink");</script>\n' \
  "$uuid" "$skoff" > "$o/public/$uuid.html"
# a file too large to parse, named in the incomplete notes and the checklist's reasons
python3 -c "print('fetch(\"https://api.oneclickdz.com/v3/ocpay/createLink\");' + 'var a=1;' * 400)" \
  > "$o/public/$skoff.js"
commit_all "$o" off
for f in text json sarif github markdown html; do
  run "$BIN" scan -v --max-parse-size 2K --format "$f" "$o"
  [ "$code" = 1 ] && ok || bad "OC001 off, $f: exit $code, want 1 (stderr: $err)"
  check "OC001 off, $f"
done
run "$BIN" scan --max-parse-size 2K --no-redact --format json "$o"
expect_out "$uuid" "OC001 off: the unprefixed key is in a finding"
expect_out "$skoff.js: not parsed" "OC001 off: the key-named file is in a note"
expect_out "/$uuid.html" "OC001 off: the unprefixed key names a file"
run "$BIN" baseline --no-redact "$o"
out=$(cat "$o/.ocpay-audit-baseline.json"); check "baseline file, even with --no-redact"

# --no-redact is the one way to see a key, and it does show it
run "$BIN" scan --no-redact --format json "$r"
expect_out "$(head -1 "$TMP/keys")" "--no-redact shows the key"

finish
