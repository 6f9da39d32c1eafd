// Classes: fields, methods, accessors, constructors, parameter properties, heritage.
abstract class Base<T> implements Gateway, Logger<T> {
  protected abstract name: string;
  abstract charge(amount: number): Promise<void>;
  log(msg: string) {}
}
export class OcpayClient extends Base<Order> {
  static readonly VERSION = "1.0";
  private apiKey: string = process.env.OCPAY_API_KEY!;
  #secret = "s";
  timeout?: number;
  declare ready: boolean;
  handle = async (req: Request) => this.charge(1);
  constructor(private readonly http: HttpService, public baseUrl: string, plain: number) {
    super();
  }
  async charge(amount: number): Promise<void> {
    await this.http.post(`${this.baseUrl}/pay`, { amount });
  }
  get key(): string { return this.apiKey; }
  set key(v: string) { this.apiKey = v; }
  static create(): OcpayClient { return new OcpayClient(null, "", 0); }
  #hidden() {}
  ["computed"]() {}
}
class Mixed extends mixin(A, B) {}
const Anon = class extends Base {};
export default class {}
