// Destructuring targets in declarations, assignments, loops and parameters.
const { a, b: c = 1, ...rest } = obj;
const [x, , y = 2, ...tail] = list;
let { data: { link, ref: [first] } } = await client.post(url);
({ a, b } = other);
[x, y] = [y, x];
for (const [key, value] of Object.entries(map)) {}
for (const { id } of orders) {}
const { ["computed"]: comp, "quoted": q, 3: three } = o;
const { default: def } = mod;
function f({ amount, currency = "DZD" }, [h, ...t]) {}
const g = ({ req: { body } }) => body;
