// Syntax errors: what can be lowered is kept.
function ok() { return 1; }
const broken = createLink({ amount: 100, ;
if (x { y(); }
function after(req) { return verify(req.body); }
