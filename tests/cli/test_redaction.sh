#!/usr/bin/env bash
# Redaction audit: a distinct key in every place a rule reports from (code, env files,
# config, manifests, docs, a bundle, a Kubernetes Secret in base64, a key deleted from
# the history, a staged key) never appears in full in any output: every format, every
# mode, --verbose logs, the report files and the baseline.
. "$(dirname "$0")/lib.sh"

r=$TMP/shop; new_repo "$r"; mkdir -p "$r/src" "$r/pages/api" "$r/dist" "$r/k8s" "$r/docs"
keys=()
key() { # key NAME PREFIX: a distinct key, remembered for the checks
  local k; k="$2$(printf '%s' "$1" | sha1sum | cut -c1-20)Xy"
  keys+=("$k"); printf '%s' "$k"
}
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
b64key=$(key k8s sk_sandbox_); b64=$(printf '%s' "$b64key" | base64 -w0); keys+=("$b64")
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ocpay\ntype: Opaque\ndata:\n  ONECLICK_API_KEY: %s\n' \
  "$b64" > "$r/k8s/secret.yaml"
git -C "$r" add -A && git -C "$r" add -f .env .env.production .env.development
git -C "$r" commit -qm shop
# a key committed, then deleted: only the history holds it
printf 'const OCPAY_KEY = "%s";\n' "$(key deleted sk_live_)" > "$r/src/old.js"; commit_all "$r" old
git -C "$r" rm -q src/old.js; git -C "$r" commit -qm "remove the key"
base=$(git -C "$r" rev-parse HEAD)
# a staged key, not committed
printf 'const OCPAY_KEY = "%s";\n' "$(key staged sk_live_)" > "$r/src/new.js"; git -C "$r" add src/new.js

check() { # check LABEL: no key in $out or $err
  local k leaked=""
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

# --no-redact is the one way to see a key, and it does show it
run "$BIN" scan --no-redact --format json "$r"
expect_out "${keys[0]}" "--no-redact shows the key"

finish
