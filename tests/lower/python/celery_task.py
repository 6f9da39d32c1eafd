import requests
from celery import shared_task
from celery.utils.log import get_task_logger
from django.conf import settings

from orders.models import Order

log = get_task_logger(__name__)


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def check_pending(self, order_id):
    order = Order.objects.get(id=order_id)
    try:
        resp = requests.get(
            "https://api.oneclickdz.com/v3/ocpay/checkPayment/%s" % order.payment_ref,
            headers={"X-Access-Token": settings.OCPAY_API_KEY},
            timeout=15,
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        log.warning("check failed for %s: %s", order.payment_ref, exc)
        raise self.retry(exc=exc, countdown=5)
    status = resp.json()["data"]["status"]
    if status == "CONFIRMED":
        order.mark_paid()
    elif status == "PENDING":
        self.retry(countdown=5)
    return status


@shared_task
def sweep():
    for order in Order.objects.filter(status="pending").iterator():
        check_pending.delay(order.id)
