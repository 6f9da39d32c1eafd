// CommonJS: require in its shapes, module.exports and exports.x.
"use strict";
const express = require("express");
const { createLink, verify: check } = require("./ocpay");
const { Pool = DefaultPool, ...others } = require("pg");
const axios = require("axios").default;
require("dotenv").config();
require("./register");
const cfg = JSON.parse(require("fs").readFileSync("c.json"));
const dyn = require(name);

function pay(req, res) {}
async function refund() {}

module.exports = { pay, refundOrder: refund, version: "1.0", inline() {} };
module.exports.extra = function () {};
exports.status = async (req, res) => {};
exports.LIMIT = 100;
module.exports = pay;
