<?php
namespace App\Http\Controllers;

use App\Models\Order;
use App\Models\Payment as P;
use \App\Services\{OcpayClient, Refunds\Refunder as R};
use function App\Support\format_amount;
use function App\Support\{a, b};
use const App\Config\API_URL;
use App\One, App\Two as T;

require_once __DIR__ . '/inc/api.php';
require __DIR__ . '/../config.php';
include_once dirname(__FILE__) . '/lib/helpers.php';
include plugin_dir_path(__FILE__) . 'includes/class-gateway.php';
require_once(ABSPATH . 'wp-admin/includes/plugin.php');
require 'vendor/autoload.php';
include "templates/$name.php";
require_once dirname(__DIR__) . '/bootstrap.php';
$cfg = require __DIR__ . '/config.php';

function helper() {}
