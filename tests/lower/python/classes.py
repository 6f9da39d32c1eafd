"""Module docstring: dropped."""
from dataclasses import dataclass
from typing import ClassVar


class Base:
    pass


class Order(Base, Mixin, metaclass=ABCMeta):
    """Class docstring: dropped."""

    currency = "XAF"
    amount: int
    ref: str = ""
    registry: ClassVar[dict] = {}
    a = b = 0
    handler = lambda self, x: x

    def __init__(self, ref, amount=0):
        self.ref = ref
        self.amount = amount
        super().__init__()

    def total(me, tax):
        def inner(y):
            return me.amount + y

        def shadow(me):
            return me

        return inner(tax) + (lambda z: me.amount * z)(2)

    @classmethod
    def create(cls, ref):
        return cls(ref)

    @staticmethod
    def check(ref):
        return len(ref) == 12

    @property
    def label(self) -> str:
        return f"{self.ref}:{self.amount}"

    async def pay(self, *args, **kwargs):
        await self.client.post("/pay", json={"ref": self.ref})

    class Meta:
        ordering = ["-created"]

    if DEBUG:
        register(Order)


@dataclass(frozen=True)
class Payment:
    ref: str
    amount: int = 0


class _Private:
    def method(self):
        class Local:
            def m(self2):
                return self, self2

        return Local
