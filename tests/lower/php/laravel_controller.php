<?php

namespace App\Http\Controllers;

use App\Models\Order;
use Illuminate\Http\Request;
use Illuminate\Support\Facades\Http;
use Illuminate\Support\Facades\Log;

class PaymentController extends Controller
{
    public function __construct(private readonly \App\Services\Cart $cart)
    {
        $this->middleware('auth');
    }

    public function store(Request $request)
    {
        $data = $request->validate([
            'amount' => 'required|integer|min:500',
            'title' => ['required', 'string', 'max:200'],
        ]);

        $order = Order::create([
            'user_id' => $request->user()->id,
            'amount' => $data['amount'],
            'status' => 'PENDING',
        ]);

        $response = Http::withHeaders([
            'X-Access-Token' => config('services.ocpay.key'),
            'Content-Type' => 'application/json',
        ])->timeout(15)->post('https://api.oneclickdz.com/v3/ocpay/createLink', [
            'productInfo' => [
                'title' => $data['title'],
                'amount' => (int) $data['amount'],
            ],
            'redirectUrl' => route('payment.return', ['order' => $order->id]),
        ]);

        if (!$response->successful()) {
            Log::error('createLink failed', ['body' => $response->body()]);
            return back()->withErrors(['payment' => 'Payment unavailable']);
        }

        $order->update(['payment_ref' => $response->json('data.paymentRef')]);

        return redirect()->away($response->json('data.paymentUrl'));
    }

    public function callback(Request $request, Order $order)
    {
        $ref = $order->payment_ref;
        $check = Http::withHeaders(['X-Access-Token' => env('ONECLICK_API_KEY')])
            ->get("https://api.oneclickdz.com/v3/ocpay/checkPayment/{$ref}");

        $status = $check['data']['status'] ?? 'PENDING';
        if ($status === 'CONFIRMED') {
            $order->markPaid();
        } elseif ($status === 'FAILED') {
            $order->update(['status' => 'FAILED']);
        }

        return view('orders.show', compact('order'));
    }
}
