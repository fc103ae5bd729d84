import { Module } from '@nestjs/common';
import { ShippersController } from './shippers.controller.js';
import { ShippersRepository } from './shippers.repository.js';
import { ShippersService } from './shippers.service.js';

@Module({
  controllers: [ShippersController],
  providers: [ShippersRepository, ShippersService],
  exports: [ShippersRepository],
})
export class ShippersModule {}
