<?php
function create_link(int $amount, ?string $ref = null, array &$opts = [], string ...$tags): ?array
{
    return ['amount' => $amount];
}

function &by_ref() { static $v; return $v; }

function gen() {
    yield 1;
    yield 'k' => 2;
    $x = yield;
    yield from other();
}

$handler = function (Request $request) use ($client, &$count): Response {
    return $client->send($request);
};
$double = fn(int $x): int => $x * 2;
$static = static fn($x) => $x;
$this->callback = function () {};
Config::$hook = fn() => null;
add_action('init', function () {
    register_post_type('order');
});
usort($xs, fn($a, $b) => $a <=> $b);
$outer = function () {
    $inner = fn() => $this->x;
    return $inner;
};

function typed(int|string $id, \App\Models\Order $order, ?\DateTimeInterface $at = null, A&B $both = new Foo()): static|null
{
}

function defaults($a = 1, $b = 'x', $c = [1, 2], $d = self::X, $e = PHP_EOL) {}

#[Deprecated]
function attributed(#[SensitiveParameter] string $secret) {}
