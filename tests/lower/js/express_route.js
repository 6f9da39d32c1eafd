// A merchant's Express route: creates an OCPay payment link with axios, checks its status.
const express = require("express");
const axios = require("axios");
const { Order } = require("../models");

const router = express.Router();
const OCPAY_URL = "https://api.oneclickdz.com/v3/ocpay";

router.post("/checkout", async (req, res) => {
  const { amount, items } = req.body;
  if (!amount || amount < 500) {
    return res.status(400).json({ error: "invalid amount" });
  }
  try {
    const order = await Order.create({ amount, items, status: "PENDING" });
    const { data } = await axios.post(`${OCPAY_URL}/createLink`, {
      productInfo: { title: `Order #${order.id}`, amount },
      redirectUrl: `${process.env.APP_URL}/orders/${order.id}`,
    }, {
      headers: { "X-Access-Token": process.env.OCPAY_API_KEY },
      timeout: 10000,
    });
    order.paymentRef = data.data.paymentRef;
    await order.save();
    res.json({ url: data.data.paymentUrl });
  } catch (err) {
    console.error(err?.response?.data ?? err.message);
    res.status(502).json({ error: "payment unavailable" });
  }
});

router.get("/orders/:id/status", async function status(req, res) {
  const order = await Order.findByPk(req.params.id);
  const r = await axios.get(`${OCPAY_URL}/checkPayment/${order.paymentRef}`, {
    headers: { "X-Access-Token": process.env.OCPAY_API_KEY },
  });
  switch (r.data.data.status) {
    case "CONFIRMED":
      order.status = "PAID";
      break;
    case "FAILED":
      order.status = "FAILED";
      break;
    default:
      break;
  }
  await order.save();
  res.json({ status: order.status });
});

module.exports = router;
