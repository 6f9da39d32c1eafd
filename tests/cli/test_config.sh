#!/usr/bin/env bash
# .ocpay-audit.yml and --config: exclusions, runtime overrides, the polling minimum,
# rules off or re-graded, and clear errors for a bad file.
. "$(dirname "$0")/lib.sh"

r=$TMP/shop; new_repo "$r"
mkdir -p "$r/shared" "$r/vendor" "$r/worker"
# A module of unknown side that calls the API: silent unless the config says browser.
cat > "$r/shared/pay-client.js" <<'JS'
export async function payLink(body, token) {
  const res = await fetch("https://api.oneclickdz.com/v3/ocpay/createLink", {
    method: "POST",
    headers: { "X-Access-Token": token },
    body: JSON.stringify(body),
  });
  if (res.status === 403) throw new Error("merchant not validated");
  if (!res.ok) throw new Error("createLink failed");
  return res.json();
}
JS
printf 'const key = "sk_live_Q8fJ2mW7xR4tZ9pL3vN6bK1c";\nexport default key;\n' > "$r/vendor/ocpay-key.js"
cat > "$r/worker/poll.js" <<'JS'
const express = require("express");
const { Order } = require("./db");

setInterval(async () => {
  for (const order of await Order.find({ status: "PENDING" })) {
    const res = await fetch(`https://api.oneclickdz.com/v3/ocpay/checkPayment/${order.paymentRef}`, {
      headers: { "X-Access-Token": process.env.ONECLICK_API_KEY },
    });
    if (!res.ok) continue;
    const { data } = await res.json();
    if (data.status === "CONFIRMED") await Order.updateOne({ _id: order.id }, { status: "PAID" });
    else if (data.status === "FAILED") await Order.updateOne({ _id: order.id }, { status: "FAILED" });
    console.log("[Payment] Status checked", { orderId: order.id, status: data.status });
  }
}, 15000);
JS
printf '.env*\nnode_modules/\n' > "$r/.gitignore"
commit_all "$r"

run "$BIN" scan --format json "$r"
expect_findings "OC001 vendor/ocpay-key.js:1" "no configuration: unknown side stays silent"

cat > "$r/.ocpay-audit.yml" <<'YML'
# where code runs, when the evidence is not enough
runtime:
  browser: ["shared/**"]
exclude: ["vendor/**"]
polling:
  min_interval_ms: 30000
YML
run "$BIN" scan --format json -v "$r"
expect_findings "OC002 shared/pay-client.js:2
OC002 shared/pay-client.js:4
OC008 worker/poll.js:6" "runtime override, exclusion and polling minimum"
expect_err "shared/pay-client.js: runs in: browser ($r/.ocpay-audit.yml says so)" "override shown with -v"
expect_err "vendor/ocpay-key.js: skipped: excluded by" "exclusion shown with -v"

cat > "$r/.ocpay-audit.yml" <<'YML'
rules:
  OC001: off
  OC008: { severity: low }
polling: { min_interval_ms: 30000 }
YML
run "$BIN" scan --format json "$r"
expect_findings "OC008 worker/poll.js:6" "rule turned off"
expect_out '"severity": "low"' "rule re-graded"
expect_out '"reason": "turned off in the configuration"' "checklist says why the item is not decided"
expect_code 0 "a low finding does not fail the default gate"

# --config names another file; a missing one is an error.
printf 'rules:\n  OC008: off\n' > "$TMP/other.yml"
run "$BIN" scan --format json --config "$TMP/other.yml" "$r"
expect_findings "OC001 vendor/ocpay-key.js:1" "--config FILE replaces the default"
run "$BIN" scan --config "$TMP/none.yml" "$r"
expect_code 2 "missing --config file"
expect_err "$TMP/none.yml: No such file or directory" "missing config named"

# allowed_keys: a public test key is not a leak; another key still is.
printf 'allowed_keys: ["sk_live_Q8fJ2mW7xR4tZ9pL3vN6bK1c"]\nrules:\n  OC008: off\n' > "$TMP/allow.yml"
run "$BIN" scan --format json --config "$TMP/allow.yml" "$r"
expect_findings "" "an allowed key is not reported"
printf 'allowed_keys: ["sk_live_Q8fJ2mW7xR4tZ9pL3vN6bK1d"]\nrules:\n  OC008: off\n' > "$TMP/allow.yml"
run "$BIN" scan --format json --config "$TMP/allow.yml" "$r"
expect_findings "OC001 vendor/ocpay-key.js:1" "only the exact allowed value is allowed"
printf 'allowed_keys: {a: 1}\n' > "$TMP/allow.yml"
run "$BIN" scan --config "$TMP/allow.yml" "$r"
expect_code 2 "allowed_keys must be a list"

# Errors name file:line:column and exit 2.
printf 'rules:\n  OC999: off\n' > "$r/.ocpay-audit.yml"
run "$BIN" scan "$r"
expect_code 2 "unknown rule id"
expect_err ".ocpay-audit.yml:2:3: no rule 'OC999'" "unknown rule named with its position"
printf 'exlude: [x]\n' > "$r/.ocpay-audit.yml"
run "$BIN" scan "$r"
expect_code 2 "unknown key"
expect_err ".ocpay-audit.yml:1:1: unknown key 'exlude'" "unknown key named"
printf 'polling:\n  min_interval_ms: soon\n' > "$r/.ocpay-audit.yml"
run "$BIN" scan "$r"
expect_err ".ocpay-audit.yml:2:20: min_interval_ms must be a number" "bad number named"
printf 'runtime: [\n' > "$r/.ocpay-audit.yml"
run "$BIN" scan "$r"
expect_code 2 "invalid YAML"
expect_err "invalid YAML" "YAML error named"
: > "$r/.ocpay-audit.yml"
run "$BIN" scan --format json "$r"
expect_code 1 "an empty configuration is the defaults"

finish
