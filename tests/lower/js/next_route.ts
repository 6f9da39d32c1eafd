// A Next.js route handler (app/api/ocpay/route.ts).
import { NextRequest, NextResponse } from "next/server";
import { prisma } from "@/lib/db";

export const dynamic = "force-dynamic";

const API = process.env.OCPAY_BASE_URL ?? "https://api.oneclickdz.com/v3/ocpay";

export async function POST(req: NextRequest) {
  const body = (await req.json()) as { amount: number; orderId: string };
  const res = await fetch(`${API}/createLink`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-Access-Token": process.env.OCPAY_API_KEY!,
    },
    body: JSON.stringify({ productInfo: { amount: body.amount } }),
    cache: "no-store",
  });
  if (!res.ok) {
    return NextResponse.json({ error: "ocpay failed" }, { status: 502 });
  }
  const { data } = await res.json();
  await prisma.order.update({ where: { id: body.orderId }, data: { paymentRef: data.paymentRef } });
  return NextResponse.json({ url: data.paymentUrl });
}

export const GET = async (req: NextRequest, { params }: { params: { ref: string } }) => {
  const ref = req.nextUrl.searchParams.get("ref") ?? params.ref;
  return NextResponse.json(await check(ref));
};
