// export default of an expression, an identifier, an anonymous function.
const router = makeRouter();
export default router;
