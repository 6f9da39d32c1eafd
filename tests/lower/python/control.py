def flow(order, items):
    if order.paid:
        return True
    elif order.failed:
        raise PaymentError("failed") from None
    elif not order:
        raise
    else:
        pass

    if a: b()

    for item in items:
        if item.skip:
            continue
        if item.last:
            break
    else:
        finish()

    while order.pending:
        poll()
    else:
        done()

    try:
        charge(order)
    except (Timeout, ConnectionError) as exc:
        log(exc)
    except ValueError:
        pass
    except:
        raise
    else:
        mark_paid(order)
    finally:
        close()

    try:
        risky()
    finally:
        cleanup()

    with open(path) as fh, lock:
        data = fh.read()

    with (
        httpx.Client(base_url=BASE) as client,
        session() as s,
    ):
        client.post("/x")

    assert order.amount > 0, "amount must be positive"
    assert order.ref

    match order.status:
        case "paid" | "PAID":
            ship(order)
        case 0 | -1 | 1.5:
            pass
        case Status.FAILED:
            retry()
        case {"status": s} if s:
            pass
        case Order(ref=r):
            pass
        case [first, *others]:
            pass
        case None | True:
            pass
        case other:
            log(other)
        case _:
            pass

    match a, b:
        case 1, 2:
            pass

    del order
    print("done", order.ref)
    return


async def streams(client):
    async with client.stream("GET", url) as resp:
        async for chunk in resp.aiter_bytes():
            yield chunk


if __name__ == "__main__":
    main()
