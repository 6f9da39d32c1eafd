<?php
/**
 * Plugin Name: OCPay for WooCommerce
 */

if (!defined('ABSPATH')) {
    exit;
}

require_once plugin_dir_path(__FILE__) . 'includes/class-ocpay-api.php';

add_action('plugins_loaded', 'ocpay_init_gateway');

function ocpay_init_gateway() {
    class WC_Gateway_OCPay extends WC_Payment_Gateway {
        public function __construct() {
            $this->id = 'ocpay';
            $this->method_title = __('OCPay', 'ocpay');
            $this->has_fields = false;
            $this->init_form_fields();
            $this->init_settings();
            $this->api_key = $this->get_option('api_key');
            add_action('woocommerce_update_options_payment_gateways_' . $this->id, array($this, 'process_admin_options'));
            add_action('woocommerce_api_ocpay', array($this, 'handle_return'));
        }

        public function process_payment($order_id) {
            $order = wc_get_order($order_id);
            $response = wp_remote_post('https://api.oneclickdz.com/v3/ocpay/createLink', array(
                'headers' => array(
                    'X-Access-Token' => $this->api_key,
                    'Content-Type' => 'application/json',
                ),
                'body' => wp_json_encode(array(
                    'productInfo' => array(
                        'title' => sprintf('Order #%s', $order->get_order_number()),
                        'amount' => (int) round($order->get_total()),
                    ),
                    'redirectUrl' => WC()->api_request_url('ocpay') . '?order_id=' . $order_id,
                )),
                'timeout' => 30,
            ));

            if (is_wp_error($response)) {
                wc_add_notice($response->get_error_message(), 'error');
                return array('result' => 'failure');
            }

            $body = json_decode(wp_remote_retrieve_body($response), true);
            update_post_meta($order_id, '_ocpay_ref', $body['data']['paymentRef']);

            return array(
                'result' => 'success',
                'redirect' => $body['data']['paymentUrl'],
            );
        }

        public function handle_return() {
            $order_id = absint($_GET['order_id']);
            $order = wc_get_order($order_id);
            $ref = get_post_meta($order_id, '_ocpay_ref', true);
            $res = wp_remote_get("https://api.oneclickdz.com/v3/ocpay/checkPayment/$ref", [
                'headers' => ['X-Access-Token' => $this->api_key],
            ]);
            $data = json_decode(wp_remote_retrieve_body($res), true);
            if ($data['data']['status'] === 'CONFIRMED') {
                $order->payment_complete($ref);
                WC()->cart->empty_cart();
            } else {
                $order->update_status('failed', __('OCPay payment failed', 'ocpay'));
            }
            wp_redirect($this->get_return_url($order));
            exit;
        }
    }
}

add_filter('woocommerce_payment_gateways', function ($methods) {
    $methods[] = 'WC_Gateway_OCPay';
    return $methods;
});
