#!/usr/bin/env bash
# Long options are spelled in full: getopt_long's unique prefixes (`--rule` for `--rules`)
# are refused with the option meant, in every command.
. "$(dirname "$0")/lib.sh"

r=$TMP/shop; mkdir -p "$r"; printf 'console.log(1);\n' > "$r/app.js"

run "$BIN" scan --rule "$TMP/nowhere" "$r"
expect_code 2 "scan --rule: a prefix of --rules is refused"
expect_err "ocpay-audit: unknown option '--rule' (did you mean --rules?)" "scan --rule message"
run "$BIN" scan --form=json "$r"
expect_code 2 "scan --form=json refused"
expect_err "unknown option '--form' (did you mean --format?)" "scan --form message"
run "$BIN" scan --format=json "$r"
expect_code 0 "scan --format=json, spelled in full, works"
expect_out '"schema_version"' "scan --format=json output"
run "$BIN" scan -o "$TMP/--rule" "$r"
expect_code 0 "a value that looks like an option is the value of -o"
run "$BIN" report --no-hist -o "$TMP/a.md" "$r"
expect_code 2 "report --no-hist refused"
expect_err "did you mean --no-history?" "report --no-hist message"
run "$BIN" baseline --pru "$r"
expect_code 2 "baseline --pru refused"
run "$BIN" rules --rule "$TMP/nowhere"
expect_code 2 "rules --rule refused"
expect_err "unknown option '--rule' (did you mean --rules?)" "rules --rule message"
run "$BIN" dump --line "$r/app.js"
expect_code 2 "dump --line refused"
run "$BIN" install-hook --forc "$r"
expect_code 2 "install-hook --forc refused"
expect_err "did you mean --force?" "install-hook --forc message"
run "$BIN" scan -- "$r"
expect_code 0 "-- ends the options"
finish
