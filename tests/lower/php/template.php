<!DOCTYPE html>
<html>
<head><title><?= htmlspecialchars($title) ?></title></head>
<body>
<?php if ($order->isPaid()): ?>
  <p>Paid: <?= $order->total ?> DZD</p>
<?php else: ?>
  <a href="<?= esc_url($link) ?>">Pay</a>
<?php endif; ?>
<?php foreach ($items as $item): ?>
  <li><?= $item['name'], ' x ', $item['qty'] ?></li>
<?php endforeach ?>
<?php echo $footer; ?>
<script>var ref = "<?= $ref ?>";</script>
</body>
</html>
