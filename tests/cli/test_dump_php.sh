#!/usr/bin/env bash
# `dump` of PHP files nested past the lowering's limit: the form is cut at the limit (the
# file is marked :truncated, the cut node :truncated), the command still succeeds, and a
# long elseif chain (flat in the parse tree, nested in the form) is bounded the same way.
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1

# 600 nested blocks: deeper than the limit of 512
python3 -c "print('<?php ' + 'if (\$a) {' * 600 + 'pay(\$order);' + '}' * 600)" > deep_if.php
run "$BIN" dump deep_if.php
expect_code 0 "deep if nesting"
[ "$(head -1 <<<"$out")" = '(file "deep_if.php" php :truncated)' ] && ok ||
  bad "deep if nesting: header is '$(head -1 <<<"$out")'"
expect_out "(other :truncated)" "deep if nesting: the cut node"
expect_no_out '(name "pay")' "deep if nesting: nothing below the cut"

# 5000 concatenations: a left-nested chain
python3 -c "print('<?php \$s = \$a' + ' . \$b' * 5000 + ';')" > long_concat.php
run "$BIN" dump long_concat.php
expect_code 0 "long concatenation"
expect_out '(file "long_concat.php" php :truncated)' "long concatenation: marked"

# 3000 elseif clauses
python3 -c "print('<?php if (\$a) {} ' + 'elseif (\$b) {} ' * 3000)" > elseif.php
run "$BIN" dump elseif.php
expect_code 0 "elseif chain"
expect_out '(file "elseif.php" php :truncated)' "elseif chain: marked"
[ "$(grep -c '^ *(if$' <<<"$out")" -le 513 ] && ok || bad "elseif chain: $(grep -c '^ *(if$' <<<"$out") nested ifs"

# a shallow file is not marked
printf '<?php\nif ($a) { if ($b) { pay($order); } }\n' > shallow.php
run "$BIN" dump shallow.php
expect_code 0 "shallow file"
[ "$(head -1 <<<"$out")" = '(file "shallow.php" php)' ] && ok ||
  bad "shallow file: header is '$(head -1 <<<"$out")'"
expect_out '(name "pay")' "shallow file: the call is kept"

finish
