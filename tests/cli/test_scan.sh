#!/usr/bin/env bash
# The scan command end to end: exit codes, --fail-on, paths, bad input.
. "$(dirname "$0")/lib.sh"

LIVE=sk_live_9fK2mQ7xR4tL8vN3
SANDBOX=sk_sandbox_A8d7Fh3Kq92Lm

# A repository with a sandbox key (high) and a live key (critical).
r=$TMP/shop; new_repo "$r"; mkdir -p "$r/api"
printf 'const ONECLICK_API_KEY = "%s";\n' "$SANDBOX" > "$r/api/config.js"
printf '.env\n' > "$r/.gitignore"
commit_all "$r"
run "$BIN" scan --format json "$r"
expect_code 1 "high finding fails the default gate"
expect_findings "OC001 api/config.js:1" "sandbox key found"
expect_no_out "$SANDBOX" "secret redacted in json"
run "$BIN" scan --fail-on critical "$r"
expect_code 0 "a high finding passes --fail-on critical"
expect_out "api/config.js:1:26: high: hardcoded OCPay sandbox key in ONECLICK_API_KEY [OC001]" "text diagnostic"
expect_no_out "$SANDBOX" "secret redacted in text"
run "$BIN" scan --no-redact --fail-on critical "$r"
expect_out "$SANDBOX" "--no-redact shows the key"
printf 'const k = new OCPay("%s");\n' "$LIVE" > "$r/api/live.js"
run "$BIN" scan --fail-on critical "$r"
expect_code 1 "an untracked live key fails --fail-on critical"
expect_out "api/live.js:1:21: critical" "untracked file scanned"

# A folder inside the repository is the project: its files, named from it (JSON also
# gives the path from the repository's root, which SARIF links with).
run "$BIN" scan --format json "$r/api"
expect_findings "OC001 config.js:1
OC001 live.js:1" "subfolder scan"
expect_out '"repo_path": "api/config.js"' "subfolder scan: the repository path kept"
expect_out '"folder": "api/"' "subfolder scan: the folder named"
(cd "$r/api" && "$BIN" scan --format json > "$TMP/sub.json"); 
out=$(cat "$TMP/sub.json"); expect_findings "OC001 config.js:1
OC001 live.js:1" "scan from inside a subfolder"

# Ignored files are not read; nested .gitignore and info/exclude count.
mkdir -p "$r/web/dist" "$r/tmp"
printf 'dist/\n' > "$r/web/.gitignore"
printf 'var k="%s";\n' "$LIVE" > "$r/web/dist/bundle.js"
printf 'tmp/\n' >> "$r/.git/info/exclude"
printf 'ONECLICK_API_KEY=%s\n' "$LIVE" > "$r/tmp/notes.env"
run "$BIN" scan --format json "$r"
expect_findings "OC001 api/config.js:1
OC001 api/live.js:1" "ignored files are skipped"

# Not a git repository: every file, but .git/ and node_modules/ are skipped; OC005 is unknown.
p=$TMP/plain; mkdir -p "$p/src" "$p/node_modules/x"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$p/src/pay.js"
printf 'var k = "%s";\n' "$LIVE" > "$p/node_modules/x/index.js"
printf 'ONECLICK_API_KEY=%s\n' "$SANDBOX" > "$p/.env"
run "$BIN" scan --format json "$p"
expect_code 1 "plain folder with a live key"
expect_findings "OC001 .env:1
OC001 src/pay.js:1" "plain folder walk"
expect_out '"status": "unknown"' "OC005 unknown outside git"
expect_out '"head": null' "no head outside git"

# Binary files are skipped and counted; minified files are still read; a file above
# --max-file-size is read in pieces by the text rules, and its key found on its line.
b=$TMP/bin; mkdir -p "$b"
printf 'GIF89a\0\0sk_live_9fK2mQ7xR4tL8vN3' > "$b/logo.gif"
head -c 3000000 /dev/zero | tr '\0' 'a' > "$b/big.txt"; printf '\n%s\n' "$LIVE" >> "$b/big.txt"
python3 -c "print('!function(){' + 'var a=1;'*40000 + 'fetch(u,{headers:{\"X-Access-Token\":\"$LIVE\"}})}();')" > "$b/app.min.js"
run "$BIN" scan --format json "$b"
expect_findings "OC001 app.min.js:1
OC001 big.txt:2" "minified bundle and oversized file still searched"
expect_out '"binary": 1' "binary counted"
expect_out '"too_large": 0' "oversized file read, not skipped"
expect_no_out "$LIVE" "no secret in output"
run "$BIN" scan --format json --max-file-size 4M "$b"
expect_findings "OC001 app.min.js:1
OC001 big.txt:2" "--max-file-size raises the limit"
run "$BIN" scan --max-file-size lots "$b"
expect_code 2 "bad --max-file-size"

# Symlink loops and links out of the folder are never followed.
l=$TMP/links; mkdir -p "$l/a"
ln -s .. "$l/a/loop"; ln -s /etc/passwd "$l/passwd"; ln -s "$p/src/pay.js" "$l/pay.js"
run "$BIN" scan --format json "$l"
expect_code 0 "symlinks: no hang, nothing followed"
expect_out '"symlink": 3' "symlinks counted"

# Unreadable file: incomplete (exit 3) and named; findings elsewhere still make it 1.
u=$TMP/unreadable; mkdir -p "$u"; chmod 755 "$TMP"
printf 'ONECLICK_API_KEY=%s\n' "$SANDBOX" > "$u/secret.env"; chmod 000 "$u/secret.env"
printf 'hello\n' > "$u/readme.txt"
as_user=(); [ "$(id -u)" = 0 ] && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
run "${as_user[@]}" "$BIN" scan "$u"
expect_code 3 "unreadable file makes the scan incomplete"
expect_out "secret.env: cannot read: Permission denied" "unreadable file named"
printf 'const ONECLICK_API_KEY = "%s";\n' "$LIVE" > "$u/pay.js"; chmod 644 "$u/pay.js"
run "${as_user[@]}" "$BIN" scan "$u"
expect_code 1 "findings outrank an incomplete scan"

# Usage and runtime errors: exit 2 with a one-line message naming the cause.
run "$BIN" scan "$TMP/missing"
expect_code 2 "missing path"
expect_err "ocpay-audit: $TMP/missing: No such file or directory" "missing path message"
run "$BIN" scan --format json "$r/api/config.js"
expect_code 1 "a file is scanned on its own"
expect_findings "OC001 api/config.js:1" "a file is named from the repository's root"
run "$BIN" scan --fail-on urgent "$r"
expect_code 2 "bad --fail-on"
expect_err "--fail-on takes info, low, medium, high or critical, not 'urgent'" "bad --fail-on message"
run "$BIN" scan --format xml "$r"
expect_code 2 "bad --format"
run "$BIN" nonsense
expect_code 2 "unknown command"
run "$BIN" scan --help
expect_code 0 "scan --help"
expect_out "Exit status:" "help teaches the exit codes"
run "$BIN" --version
expect_out "ocpay-audit " "version"
git clone -q --bare "$r" "$TMP/bare.git"
run "$BIN" scan "$TMP/bare.git"
expect_code 2 "bare repository has no working tree"
expect_err "a bare repository has no working tree" "bare message"

# A malformed rule file: exit 2 naming file:line:column.
mkdir -p "$TMP/rules"
printf 'id: ACME1\nname: acme\nseverity: hgh\n' > "$TMP/rules/acme.yml"
run "$BIN" scan --rules "$TMP/rules" "$r"
expect_code 2 "malformed rule file"
expect_err "$TMP/rules/acme.yml:3:11: severity must be one of" "rule error names file:line:col"
# A good extra rule runs next to the built-in ones.
cat > "$TMP/rules/acme.yml" <<'YML'
id: ACME1
name: acme-token
severity: medium
checklist: [{section: Security, item: No ACME tokens}]
summary: ACME tokens
message: ACME token {tok}
description: Finds ACME tokens.
fix: Remove them.
detectors:
  - regex: '(?<tok>acme_[a-z]{4})'
    keywords: [acme_]
YML
printf 'x = "acme_abcd"\n' > "$r/acme.py"
run "$BIN" scan --rules "$TMP/rules" --format json --fail-on critical "$r"
expect_out '"rule": "ACME1"' "extra rule loaded"
expect_out '"message": "ACME token acme_abcd"' "message template"
# unless_context: a file matching it somewhere is not read by the detector.
sed -i "s/    keywords: \[acme_\]/    keywords: [acme_]\n    unless_context: '(?i)acme sandbox'/" "$TMP/rules/acme.yml"
printf '# ACME sandbox fixtures\ny = "acme_wxyz"\n' > "$r/acme_test.py"
run "$BIN" scan --rules "$TMP/rules" --format json --fail-on critical "$r"
expect_out '"message": "ACME token acme_abcd"' "unless_context: other files still read"
expect_no_out 'acme_wxyz' "unless_context: the matching file is not read"
printf '  - regex: x\n    unless_context: "("\n' >> "$TMP/rules/acme.yml"
run "$BIN" scan --rules "$TMP/rules" "$r"
expect_code 2 "bad unless_context regex"
expect_err "invalid unless_context regex" "bad unless_context named"
rm "$r/acme_test.py"

# Models of --rules DIR: a mistake in DIR/models/ is told before any scan; good ones are
# read with the built-in models when the flow rules need them.
m=$TMP/models-rules; mkdir -p "$m/models"; sed '/unless_context/d; /- regex: x/d' "$TMP/rules/acme.yml" > "$m/acme.yml"
printf 'name: shop\npaid_statuz: [encaissee]\n' > "$m/models/shop.yml"
mkdir -p "$TMP/nothing-here"; run "$BIN" scan --rules "$m" "$TMP/nothing-here"
expect_code 2 "a bad model in --rules DIR/models"
expect_err "$m/models/shop.yml:2:1: unknown row kind 'paid_statuz'" "the model error names file:line:col"
printf 'name: shop\ndescription: this shop says encaissee for paid\npaid_status: [encaissee]\n' > "$m/models/shop.yml"
p=$TMP/encaisse; mkdir -p "$p"; printf 'node_modules/\n.env\n' > "$p/.gitignore"
cat > "$p/return.js" <<'JS'
const express = require("express");
const db = require("./db");
const app = express();
// OCPay (api.oneclickdz.com) sends the customer back here
app.get("/ocpay/return", async (req, res) => {
  if (req.query.status === "CONFIRMED") {
    await db.query("UPDATE orders SET status = 'encaissee' WHERE id = $1", [req.query.order]);
    console.log("[ocpay] status changed", req.query.order);
  }
  res.redirect("/merci");
});
module.exports = app;
JS
run "$BIN" scan --format json "$p"
expect_no_out '"rule": "OC004"' "without the shop's model 'encaissee' is no paid status"
run "$BIN" scan --rules "$m" --format json "$p"
expect_out '"rule": "OC004"' "with it, setting 'encaissee' from the redirect's status is fulfilment"

# OC005 says what a committed .env holds: "rotate" only for a secret; the .gitignore
# advice is for code that reads the key from the environment, and points at a file that
# exists.
e=$TMP/envmsg; new_repo "$e"
printf 'PORT=3000\nNODE_ENV=development\n' > "$e/.env"; printf 'node_modules/\n' > "$e/.gitignore"
commit_all "$e"
run "$BIN" scan -q "$e"
expect_out ".env:1:1: low: .env is committed to git; it holds no secret now, but a key saved there would be committed too: keep secrets in .env.local, git-ignored, or in the host's settings [OC005]" \
  "committed .env without a secret: said so"
expect_no_out "rotate" "committed .env without a secret: nothing to rotate"
printf '/.env.local\n' >> "$e/.gitignore"; commit_all "$e"
run "$BIN" scan -q --format json "$e"
expect_findings "" "committed .env of defaults beside an ignored .env.local: Symfony's convention"
printf 'DATABASE_URL=postgres://shop:Zk39fjQ2mW@db/shop\n' >> "$e/.env"; commit_all "$e"
run "$BIN" scan -q "$e"
expect_out ".env is committed to git with a secret in it (DATABASE_URL): every clone has it. Run \`git rm --cached .env\`, ignore it, and rotate that secret [OC005]" \
  "committed .env with a password in a URL: rotate it"
w=$TMP/noignore; new_repo "$w"; mkdir -p "$w/src"
printf "<?php\n\$key = get_option('ocpay_api_key');\nwp_remote_post('https://api.oneclickdz.com/v3/ocpay/createLink', ['headers' => ['X-Access-Token' => \$key]]);\n" \
  > "$w/src/plugin.php"
commit_all "$w"
run "$BIN" scan -q --format json "$w"
expect_no_out '"rule": "OC005"' "no .gitignore, no environment read: no .env advice"
printf 'const key = process.env.ONECLICK_API_KEY;\n' > "$w/src/pay.js"; commit_all "$w"
run "$BIN" scan -q "$w"
expect_out "src/pay.js:1:1: low: the OCPay key is read from the environment, and no .gitignore covers .env" \
  "no .gitignore: the advice points at the read"
expect_no_out ".gitignore:1" "no .gitignore: never pointed at"

# The scan never writes to the audited repository.
before=$(cd "$r" && find . -newer "$TMP/.err" -print | sort; git -C "$r" status --porcelain)
touch "$TMP/.stamp"; "$BIN" scan "$r" >/dev/null 2>&1
after=$(find "$r" -newer "$TMP/.stamp" | head -5)
[ -z "$after" ] && ok || bad "scan modified the repository: $after"

finish
