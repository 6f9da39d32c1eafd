print "paid", ref
print >>sys.stderr, "failed"
exec "x = 1" in scope
try:
    charge()
except PaymentError, e:
    log(e)
n = 10L
