// NestJS: decorators on classes, methods, parameters and fields.
import { Controller, Get, Post, Body, Query, Param, Injectable } from "@nestjs/common";
import { Cron, Interval } from "@nestjs/schedule";

@Injectable()
export class PaymentsService {
  constructor(@Inject(OCPAY) private readonly ocpay: OcpayClient) {}

  @Cron('*/5 * * * * *')
  async poll() {
    await this.ocpay.checkPending();
  }

  @Interval(5000)
  tick() {}
}

@Controller('pay')
export class PaymentsController {
  @Inject() private readonly service: PaymentsService;
  @Input
  label = "x";

  constructor(private readonly payments: PaymentsService) {}

  @Post()
  create(@Body() dto: CreateLinkDto) {
    return this.payments.create(dto);
  }

  @Get(':ref')
  @HttpCode(200)
  async status(@Param('ref') ref: string, @Query('ref') q?: string) {
    return this.payments.status(ref);
  }
}
