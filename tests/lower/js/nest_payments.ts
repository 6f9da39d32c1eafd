// A NestJS service and controller around OCPay.
import { Body, Controller, Get, Injectable, Logger, Param, Post, Query } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import { ConfigService } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { firstValueFrom } from 'rxjs';
import { CreatePaymentDto } from './dto/create-payment.dto';

@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);
  private readonly baseUrl = 'https://api.oneclickdz.com/v3/ocpay';

  constructor(
    private readonly http: HttpService,
    private readonly config: ConfigService,
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
  ) {}

  async createLink(dto: CreatePaymentDto): Promise<{ url: string }> {
    const { data } = await firstValueFrom(
      this.http.post(`${this.baseUrl}/createLink`, {
        productInfo: { title: dto.title, amount: dto.amount },
      }, {
        headers: { 'X-Access-Token': this.config.get<string>('OCPAY_API_KEY') },
      }),
    );
    await this.payments.save({ ref: data.data.paymentRef, status: 'PENDING' });
    return { url: data.data.paymentUrl };
  }

  @Cron(CronExpression.EVERY_MINUTE)
  async reconcile(): Promise<void> {
    const pending = await this.payments.find({ where: { status: 'PENDING' } });
    for (const p of pending) {
      try {
        await this.check(p.ref);
      } catch (e) {
        this.logger.warn(`check ${p.ref} failed: ${(e as Error).message}`);
      }
    }
  }

  private async check(ref: string) {}
}

@Controller('payments')
export class PaymentsController {
  constructor(private readonly service: PaymentsService) {}

  @Post('link')
  create(@Body() dto: CreatePaymentDto) {
    return this.service.createLink(dto);
  }

  @Get(':ref')
  status(@Param('ref') ref: string, @Query('refresh') refresh?: string) {
    return this.service.status(ref, refresh === 'true');
  }
}
