<?php
namespace Shop\Billing {
    use Shop\Models\Order;
    function total(Order $o) { return $o->total; }
}

namespace {
    echo Shop\Billing\total($order);
}
