<?php

declare(strict_types=1);

namespace App\Controller;

use App\Entity\Order;
use App\Service\OcpayClient;
use Doctrine\ORM\EntityManagerInterface;
use Symfony\Bundle\FrameworkBundle\Controller\AbstractController;
use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\HttpFoundation\Response;
use Symfony\Component\HttpKernel\Attribute\MapQueryParameter;
use Symfony\Component\Routing\Attribute\Route;

#[Route('/payment', name: 'payment_')]
final class PaymentController extends AbstractController
{
    private const CHECK_URL = 'https://api.oneclickdz.com/v3/ocpay/checkPayment/';

    public function __construct(
        private readonly OcpayClient $ocpay,
        private readonly EntityManagerInterface $em,
        private string $apiKey = '',
    ) {
    }

    #[Route('/pay/{id}', name: 'pay', methods: ['POST'])]
    public function pay(Order $order): Response
    {
        $link = $this->ocpay->createLink([
            'productInfo' => ['title' => 'Order ' . $order->getId(), 'amount' => $order->getAmount()],
            'redirectUrl' => $this->generateUrl('payment_return', ['id' => $order->getId()], 0),
        ]);
        $order->setPaymentRef($link['data']['paymentRef']);
        $this->em->flush();

        return $this->redirect($link['data']['paymentUrl']);
    }

    #[Route('/return/{id}', name: 'return', methods: ['GET'])]
    public function return(Order $order, #[MapQueryParameter] ?string $status = null): Response
    {
        $result = $this->ocpay->checkPayment($order->getPaymentRef());
        match ($result['data']['status']) {
            'CONFIRMED' => $order->markPaid(),
            'FAILED' => $order->markFailed(),
            default => null,
        };
        $this->em->flush();

        return $this->render('payment/return.html.twig', ['order' => $order]);
    }
}
