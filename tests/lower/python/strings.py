"""Module docstring: dropped."""
a = "double" + 'single'
b = r"raw\n\d" + R'RAW\'' + rb"\x00\d" + Br'\n'
c = b"bytes\x00\x7f\101\u00e9" + u"unicode"
d = "esc \\ \' \" \a\b\f\n\r\t\v \x41 \101 \u00e9 \U0001F600 \N{DASH} \q \
continued"
e = """triple
line""" + '''single triple'''
f = "implicit " "concatenation " 'of ' r"\raw"
g = f"plain f-string {{braces}}"
h = f"Bearer {token}"
i = f"{ref!r} costs {amount:>10.2f} {currency=} {{x}} {obj.attr['k']}"
j = f"nested {f'{inner}'} done" "tail"
k = rf"\d{x}\n"
l = "%s paid %d" % (ref, amount)
m = "{} paid {amount}".format(ref, amount=amount)
n = f"""multi
{line}"""
o = ""
p = "utf8 é ☃"


def doc():
    """Docstring of a function."""
    "a second string is not a docstring"
    return f"{ref}"
