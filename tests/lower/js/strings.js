// Strings, escapes, templates, tagged templates, regular expressions, numbers.
const s1 = 'single \'quoted\'';
const s2 = "tab\there\nnewline \\ backslash";
const s3 = "\x41\u0042\u{1F600}\uD83D\uDE00 \0 \101";
const s4 = "line \
continued";
const t1 = `plain template`;
const t2 = `Bearer ${token}`;
const t3 = `${a}${b}`;
const t4 = `multi
line ${value} end
`;
const t5 = `nested ${`inner ${deep}`} out`;
const tagged = sql`SELECT * FROM t WHERE id = ${id}`;
const re = /^[a-z0-9_-]{3,16}$/i;
const n = [0, 42, 3.14, 1e3, 0x1F, 0o17, 0b101, 1_000_000, 0777, 10n, .5];
const empty = "";
const bools = [true, false, null, undefined];
const key = process.env["OCPAY_API_KEY"];
