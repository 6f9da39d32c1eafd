// Every form of function, and the names they take from where they stand.
function declared(a: string, b = 2, ...rest: number[]): void {
  return;
}
async function* stream(this: Window, { id, amount }: Order) {
  yield id;
  yield* other();
}
const arrow = async (req: Request) => req.json();
const single = x => x + 1;
let expr = function named() {};
var anon = function () {};
const gen = function* () {};
exports.handler = async function (event, context) {};
module.exports.verify = (sig) => sig;
this.onDone = function () {};
const api = {
  async createLink(order) { return order; },
  get status() { return "ok"; },
  set status(v) {},
  cancel: function () {},
  refund: async (id) => id,
  [dynamic]: () => 1,
};
app.get("/x", async (req, res) => {
  res.send("ok");
});
setTimeout(() => poll(), 5000);
function outer() {
  function inner() {
    return () => inner;
  }
  return inner;
}
function withDefaults({ ref, status = "PAID" } = {}, [first, , third] = [], cb?: () => void) {}
