<?php
$list = [1, 2, 3];
$old = array('a', 'b');
$map = ['amount' => 1000, 'currency' => 'DZD', 'metadata' => ['order' => $id]];
$oldmap = array('k' => 'v', 10 => 'ten', 0x10 => 'sixteen', KEY => 1, $dyn => 2);
$mixed = ['a' => 1, 2, 3];
$spread = [...$defaults, 'timeout' => 30];
$lst = [...$a, ...$b];
$empty = [];
$refs = [&$x, 'k' => &$y];
[$a, $b] = explode(',', $s);
list($c, $d) = $pair;
list(, $second) = $pair;
['id' => $id, 'status' => $status] = $payload;
list('a' => $x, 'b' => list($p, $q)) = $nested;
[[$m, $n], $o] = $grid;
$callbacks = ['success' => function () { return 1; }, 'fail' => fn() => 0];
