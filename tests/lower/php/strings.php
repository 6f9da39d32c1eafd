<?php
$a = 'single \'quoted\' \\ \n stays';
$b = "double \"quoted\" \t tab \x41 \101 \u{e9} \$dollar \q";
$c = "Order $id";
$d = "Order {$order->id} for {$order->customer->email}";
$e = "${x} and $arr[key] and $arr[0] and {$arr['k']}";
$f = "call {$client->url()} $obj->prop";
$g = "";
$h = <<<EOT
    Dear $name,
      your order {$order->id} is paid.\tThanks
    EOT;
$i = <<<"SQL"
SELECT * FROM orders WHERE id = 1
SQL;
$j = <<<'RAW'
  raw $x {$y} \n
  RAW;
$k = 'https://api.ocpay.dz' . '/v1/links/' . $ref;
$url .= '?page=' . $page;
$l = b'bytes';
