<?php
require __DIR__ . '/config.php';

$amount = isset($_GET['amount']) ? (int) $_GET['amount'] : 0;
if ($amount < 500) {
    http_response_code(400);
    die('Invalid amount');
}

$payload = json_encode([
    'productInfo' => ['title' => 'Order ' . $_GET['order'], 'amount' => $amount],
    'redirectUrl' => "https://shop.dz/return.php?order={$_GET['order']}",
]);

$ch = curl_init();
curl_setopt_array($ch, [
    CURLOPT_URL => OCPAY_BASE . '/v3/ocpay/createLink',
    CURLOPT_POST => true,
    CURLOPT_POSTFIELDS => $payload,
    CURLOPT_RETURNTRANSFER => true,
    CURLOPT_TIMEOUT => 20,
    CURLOPT_HTTPHEADER => [
        'Content-Type: application/json',
        'X-Access-Token: ' . getenv('ONECLICK_API_KEY'),
    ],
]);
$raw = curl_exec($ch);
$code = curl_getinfo($ch, CURLINFO_HTTP_CODE);
curl_close($ch);

if ($raw === false || $code !== 200) {
    error_log('ocpay: ' . curl_error($ch));
    exit(1);
}

$result = json_decode($raw, true);
$_SESSION['payment_ref'] = $result['data']['paymentRef'];
header('Location: ' . $result['data']['paymentUrl']);
exit;
