x = 1
a = b = make()
total: int = 0
pending: list
a, b = f()
(c, d), [e, *rest] = pair, items
first, = values
x += 1
x -= 1
x |= flags
s += "tail"
self_ref = self
obj.ref = ref
obj.meta["k"] = v
d["k"] = v
d[i] = v
d[0] = v
if (n := len(items)) > 10:
    pass
x = yield_value = None
t = 1, 2
for k, (v1, v2) in pairs:
    pass
for obj.attr in xs:
    pass


def scoped():
    count: int
    value: str = "x"
    global counter
    nonlocal other
    del cache[key], other
    counter += 1
