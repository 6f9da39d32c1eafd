<?php
/** The comments between the parts are dropped. */
$cfg = [
    // the amount
    'amount' => 1000, /* inline */
    'currency' /* key */ => 'DZD',
    # hash comment
];
pay(/* first */ $a, // second
    $b);
list(/* x */ $x, $y) = $pair;
foreach ($xs /* it */ as /* k */ $k => $v) {}
if ($a) { // then
} /* before else */ else { // else
}
$m = match ($s) {
    // paid
    'paid' => 1,
    default => 0, // other
};
class C /* name */ extends B {
    // a field
    public $x = 1; // trailing
    /** doc */
    public function f(/* p */ $p /* q */) {}
}
