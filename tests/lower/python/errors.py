import requests


def pay(order):
    resp = requests.post(URL, json={"ref": order.ref}, headers=)
    if resp.ok
        mark_paid(order)
    return resp


def ok():
    return charge(1) $ 2
