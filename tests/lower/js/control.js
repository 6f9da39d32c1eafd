// Statements that shape the paths through a function.
function control(order) {
  "use strict";
  if (order.status === "PAID") {
    ship(order);
  } else if (order.status !== "FAILED") {
    retry(order);
  } else {
    cancel(order);
  }
  if (!order) return;
  switch (order.state) {
    case "a":
    case "b":
      one();
      break;
    case "c": {
      two();
    }
    default:
      three();
  }
  for (let i = 0; i < 10; i++) { continue; }
  for (i = 0, j = 0; ; ) { break; }
  for (;;) {}
  for (const k in order) {}
  for (var v of items) {}
  while (pending()) wait();
  do { poll(); } while (!done);
  try {
    risky();
  } catch (err) {
    log(err);
  } finally {
    close();
  }
  try { a(); } catch { b(); }
  try { a(); } catch ({ message }) { b(message); }
  outer: for (const x of xs) { if (x) continue outer; }
  ;
  debugger;
  with (obj) { use(prop); }
  throw new Error("unreachable");
}
var a = 1, b;
let c;
