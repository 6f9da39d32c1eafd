<?php
$ok = pay($order);
$broken = ;
function partial($a { return $a; }
$after = finish($ok);
class Broken {
    public function good() { return 1; }
    public function bad( { }
}
$total = compute($a, $b +);
pay($order->amount, ];
$z = $q ++ + ;
if ($x { y(); }
