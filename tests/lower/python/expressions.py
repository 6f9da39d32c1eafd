n = [0x_FF, 0o17, 0b101, 1_000_000, 1.5e3, .5, 10j, 0]
lits = (True, False, None, ...)
ops = a + b - c * d / e // f % g ** h @ i
bits = a & b | c ^ d << 1 >> 2
unary = (-a, +b, ~c, not d)
logic = a and b or not c
cmp = (a == b, a != b, a < b, a <= b, a > b, a >= b)
chain = 0 < amount <= 500000 < limit
member = (x in xs, x not in xs, x is None, x is not None)
cond = "paid" if ok else "failed"
walrus = [y for x in data if (y := f(x))]
aw = await client.post(url)
calls = f(1, *args, key="v", **kwargs)
gen_arg = sum(x.amount for x in orders)
subs = (d["key"], d[0], d[i], d[1:2], d[::2], d[a, b], d["a" "b"], d[f"{k}"])
attr = request.GET.get("ref", "")
dicts = {"k": 1, 2: "two", key: v, **rest, "nested": {"a": [1, 2]}}
lists = [1, *more, (2, 3), {4, 5}]
empty = ([], (), {})
comps = (
    [o.ref for o in orders if o.paid],
    {o.ref for o in orders},
    {o.ref: o.amount for o in orders if o.amount > 0 for p in o.parts},
)
starred = print(*[1, 2])
