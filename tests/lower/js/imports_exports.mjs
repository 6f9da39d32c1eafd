// ES modules: every import and export form.
import "./polyfill.js";
import axios from "axios";
import { createLink as create, verify } from "./ocpay.js";
import * as crypto from "node:crypto";
import def, { named } from "pkg";
import def2, * as ns2 from "pkg2";
import { "string name" as alias } from "weird";
const { helper } = await import("./helper.js");
const lazy = await import("./lazy.js");
import("./side.js").then((m) => m.run());

export function createPayment(order) {}
export async function POST(req) {}
export class Gateway {}
export const handler = async () => {}, PORT = 3000;
export let counter = 0;
export const { a, b: bee } = obj;
export { create, verify as check };
export { default } from "./base.js";
export { x as y, z } from "./lib.js";
export * from "./all.js";
export * as utils from "./utils.js";
export default function main() {}
