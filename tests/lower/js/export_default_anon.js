export default async function (req, res) {
  res.end();
}
