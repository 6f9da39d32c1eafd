// TypeScript-only syntax: types vanish, values stay.
import type { Request } from "express";
import { type Order, Status } from "./types";
import fs = require("fs");
interface Payment { ref: string; amount: number }
type Id = string | number;
declare const VERSION: string;
declare module "ocpay" { export function x(): void; }
declare global { interface Window { ocpay: unknown } }
export type { Payment as P };
export interface Exported {}
enum Status2 { Pending, Paid = 5, Failed, Named = "named", After }
export const enum Mode { Test = "test", Live = "live" }
namespace Internal {
  export const limit = 10;
  export function helper() {}
}
const a = value as unknown as Payment;
const b = <Payment>value;
const c = maybe!.field!;
const d = { k: 1 } satisfies Record<string, number>;
const e = generic<string>(x);
const f = make<Order>;
function overload(a: string): void;
function overload(a: number): void;
function overload(a: any) {}
function typed<T extends object>(x: T, y?: string): asserts x is T {}
let definite!: string;
using res = open();
try { risky(); } catch (err: unknown) { report(err); }
export namespace Api { export const base = "/v3"; }
export declare const injected: string;
export abstract class Repo { abstract find(): void; }
export = Internal;
