from typing import Annotated, Optional

import httpx
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import String
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..db import Base, get_db
from ..settings import settings

router = APIRouter(prefix="/payments", tags=["payments"])
client = httpx.AsyncClient(
    base_url="https://api.oneclickdz.com",
    headers={"X-Access-Token": settings.ocpay_key},
    timeout=10.0,
)


class Payment(Base):
    __tablename__ = "payments"
    ref: Mapped[str] = mapped_column(String(32), index=True)
    amount: Mapped[int]


class OrderIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    amount: int = Field(ge=500, le=500000)
    redirect_url: Optional[str] = None

    class Config:
        extra = "forbid"


@router.post("/", status_code=201)
async def create(order: OrderIn, db: Session = Depends(get_db)):
    r = await client.post(
        "/v3/ocpay/createLink",
        json={"productInfo": {"title": order.title, "amount": order.amount}},
    )
    if r.status_code == 403:
        raise HTTPException(status_code=502, detail="merchant not validated")
    data = r.json()["data"]
    db.add(Payment(ref=data["paymentRef"], amount=order.amount))
    db.commit()
    return {"url": data["paymentUrl"]}


@router.get("/status")
async def status(
    request: Request,
    ref: str = Query(..., pattern=r"^OCPL-[A-Z0-9]{6}-[A-Z0-9]{4}$"),
    amount: Annotated[int, Field(ge=500)] = 500,
    db: Session = Depends(get_db),
):
    async with httpx.AsyncClient() as http:
        r = await http.get(f"https://api.oneclickdz.com/v3/ocpay/checkPayment/{ref}")
    payment = db.query(Payment).filter(Payment.ref == ref).one_or_none()
    if payment is None:
        raise HTTPException(404)
    return {"status": r.json()["data"]["status"]}
