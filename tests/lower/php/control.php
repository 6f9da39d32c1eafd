<?php
declare(strict_types=1);
if ($status === 'paid') {
    fulfil($order);
} elseif ($status === 'failed') {
    cancel($order);
} else if ($status === 'pending') {
    wait();
} else {
    throw new UnexpectedValueException($status);
}
if ($a) f(); else g();
if ($x):
    echo 1;
elseif ($y):
    echo 2;
else:
    echo 3;
endif;
switch ($event) {
    case 'paid':
    case 'completed':
        markPaid($order);
        break;
    case 'failed':
        markFailed($order);
        return;
    default:
        logger()->warning('unknown');
}
$label = match ($status) {
    'paid', 'completed' => 'Paid',
    'failed' => 'Failed',
    default => 'Pending',
};
$kind = match (true) {
    $amount > 1000 => 'big',
    default => throw new InvalidArgumentException('amount'),
};
while ($tries < 3) {
    $tries++;
    if (check()) break;
    continue;
}
while ($row = next_row()):
    handle($row);
endwhile;
do {
    $res = poll($ref);
} while ($res->pending);
for ($i = 0, $n = count($xs); $i < $n; $i++) {
    process($xs[$i]);
}
for (;;) {
    break 2;
}
for ($i = 0; $i < 3; $i++):
    tick($i);
    tock($i);
endfor;
foreach ($items as $item) {
    $total += $item['price'];
}
foreach ($items as $key => $item) echo $key;
foreach ($items as &$ref) {}
foreach ($pairs as [$a, $b]) {}
foreach ($rows as $id => ['name' => $name]) {}
foreach ($items as $item):
    echo $item;
endforeach;
try {
    $client->pay($order);
} catch (\App\Exceptions\PaymentFailed | \RuntimeException $e) {
    report($e);
} catch (Throwable) {
    return null;
} finally {
    unlock();
}
$v = $x ?? throw new Exception('missing');
function counter() {
    global $wpdb, $config;
    static $calls = 0, $unset;
    return ++$calls;
}
const API_URL = 'https://api.ocpay.dz', TIMEOUT = 30;
define('OCPAY_KEY', 'k');
exit;
exit(1);
die('fatal');
$ok or die;
goto end;
end:
echo 'x';
declare(ticks=1) {
    tick();
}
