import functools


def plain(a, b=1, *args, c, d=None, **kwargs):
    """Function docstring: dropped."""
    return a


def typed(request: Request, body: OrderIn, ref: Optional[str] = None, *rest: str, **extra: Any) -> JsonResponse:
    pass


def markers(a, /, b, *, c):
    pass


async def fetch(client: httpx.AsyncClient, ref: str = Query(..., min_length=12)):
    return await client.get(f"/orders/{ref}")


def amount_field(amount: Annotated[int, Field(ge=500, le=500000)], db: Session = Depends(get_db)):
    pass


def gen(items):
    for i in items:
        yield i
    yield from other()


def outer():
    def inner(x):
        return x

    async def ainner():
        pass

    cb = lambda: inner(1)
    return cb


@app.route("/pay", methods=["POST"])
@login_required
def pay():
    pass


@router.post("/x", response_model=Out)
async def create(payload: In):
    pass


@shared_task(bind=True, max_retries=3)
def task(self, ref):
    self.retry(countdown=5)


@functools.lru_cache(maxsize=None)
def cached():
    pass


def _private():
    pass


sort_key = lambda o: o.created
callbacks = {"on_paid": lambda ref: notify(ref), "other": handler}
items.sort(key=lambda x: -x)
