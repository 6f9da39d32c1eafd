// JSX in a .jsx file (the JavaScript grammar).
export function PayButton({ amount, onPaid }) {
  return <button onClick={() => onPaid(amount)} title='Pay "now"'>Pay {amount}</button>;
}
const el = <Outer render={<Inner />} />;
