// JSX: elements, attributes, children, fragments.
"use client";
import { Button } from "@/components/ui/button";
export default function Checkout({ order }: { order: Order }) {
  const [busy, setBusy] = useState(false);
  return (
    <form action={createLink} onSubmit={async (e) => { e.preventDefault(); await pay(order); }} className="checkout">
      <>
        <Input name="amount" value={order.amount} disabled />
        {busy ? <Spinner /> : <Button type="submit" {...props}>Pay &amp; go {order.total} DZD</Button>}
      </>
      <motion.div animate={{ opacity: 1 }} data-ref={`ref-${order.ref}`}>{/* comment */}</motion.div>
      <svg:path d="M0" />
      {items.map((it) => <Item key={it.id} item={it} />)}
      text only
    </form>
  );
}
