import os

import requests
from flask import Flask, abort, jsonify, redirect, request
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db = SQLAlchemy(app)
API_KEY = os.environ.get("ONECLICK_API_KEY", "")


class Order(db.Model):
    __tablename__ = "orders"
    id = db.Column(db.Integer, primary_key=True)
    ref = db.Column(db.String(32), index=True, unique=True)
    status = db.Column(db.String(16), default="pending")


@app.route("/pay", methods=["POST"])
def pay():
    order = Order.query.get_or_404(request.form["order_id"])
    resp = requests.post(
        "https://api.oneclickdz.com/v3/ocpay/createLink",
        json={"productInfo": {"title": "Order", "amount": int(request.form["amount"])}},
        headers={"X-Access-Token": API_KEY},
    )
    if resp.status_code != 200:
        abort(502)
    body = resp.json()
    order.ref = body["data"]["paymentRef"]
    db.session.commit()
    return redirect(body["data"]["paymentUrl"])


@app.route("/return")
def payment_return():
    ref = request.args.get("ref")
    status = request.args.get("status", "PENDING")
    order = Order.query.filter_by(ref=ref).first_or_404()
    if status == "CONFIRMED":
        order.status = "paid"
        db.session.commit()
    return jsonify(ok=True, status=order.status)


if __name__ == "__main__":
    app.run(debug=True)
