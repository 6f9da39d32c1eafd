import logging

import requests
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Order

logger = logging.getLogger(__name__)
OCPAY_BASE = "https://api.oneclickdz.com/v3/ocpay"


@csrf_exempt
@require_POST
def create_payment(request):
    order = Order.objects.get(pk=request.POST["order_id"], user=request.user)
    resp = requests.post(
        f"{OCPAY_BASE}/createLink",
        json={"productInfo": {"title": f"Order {order.pk}", "amount": order.total}},
        headers={"X-Access-Token": settings.OCPAY_KEY},
        timeout=10,
    )
    resp.raise_for_status()
    data = resp.json()["data"]
    order.payment_ref = data["paymentRef"]
    order.save(update_fields=["payment_ref"])
    return JsonResponse({"url": data["paymentUrl"]})


def payment_return(request):
    ref = request.GET.get("ref")
    if not ref:
        return HttpResponseBadRequest("missing ref")
    r = requests.get(
        OCPAY_BASE + "/checkPayment/" + ref,
        headers={"X-Access-Token": settings.OCPAY_KEY},
    )
    status = r.json().get("data", {}).get("status")
    with transaction.atomic():
        if status == "CONFIRMED":
            Order.objects.filter(payment_ref=ref).update(status="paid")
        elif status == "FAILED":
            Order.objects.filter(payment_ref=ref).update(status="failed")
        else:
            logger.info("payment %s still %s", ref, status)
    return JsonResponse({"status": status})
