<?php
namespace App\Payments;

#[Attribute(Attribute::TARGET_CLASS)]
#[Route('/pay', name: 'pay'), Cache]
abstract class Gateway extends \App\Base implements GatewayInterface, \Countable
{
    use HasLogger, \App\Concerns\Retries;
    use Toggles {
        Toggles::on insteadof Other;
    }

    public const VERSION = '1.0', NAME = 'ocpay';
    private const int RETRIES = 3;
    protected static ?self $instance = null;
    private string $apiKey;
    public $legacy, $untyped = [];
    var $old = 1;
    #[Inject]
    protected readonly Client $client;

    public function __construct(
        private readonly OrderService $orders,
        protected ?LoggerInterface $logger = null,
        string $key = '',
    ) {
        parent::__construct();
        $this->apiKey = $key;
    }

    public static function instance(): static
    {
        return self::$instance ??= new static();
    }

    abstract protected function send(array $payload): array;

    final public function pay(Order $order): bool
    {
        $res = $this->send(['amount' => $order->total]);
        return $res['status'] === static::OK;
    }

    public function __toString(): string { return self::NAME; }
}

interface GatewayInterface extends Countable, \JsonSerializable
{
    const TIMEOUT = 30;
    public function pay(Order $order): bool;
}

trait HasLogger
{
    protected $log;
    public function log(string $m): void { $this->log->info($m); }
}

enum Status: string implements HasLabel
{
    use Labels;
    case Paid = 'paid';
    case Failed = 'failed';

    public function label(): string
    {
        return match ($this) {
            self::Paid => 'Paid',
            self::Failed => 'Failed',
        };
    }
}

enum Suit
{
    case Hearts;
    case Spades;
}

final class Plain {}

$anon = new class($client) extends Handler implements Hook {
    public function __construct(private $c) {}
    public function handle() { return $this->c; }
};
$obj = new Gateway;
$obj2 = new \App\Payments\Gateway(key: 'x');
$obj3 = new $className($arg);
$obj4 = new static;
