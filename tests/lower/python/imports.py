from __future__ import annotations

import os
import os.path
import a.b.c
import a.b.c as z, json
from a.b import c as d, e
from . import views
from .. import models as m
from ..services.pay import verify, refund
from .ocpay import (
    OcpayClient as Client,
    sign,
)
from m import *
import requests, httpx as hx


def handler():
    import hmac
    from django.conf import settings

    try:
        import ujson as json
    except ImportError:
        import json
    return hmac.new(settings.KEY, b"x", "sha256")
