import { Module } from '@nestjs/common';
import { StatusesController } from './statuses.controller.js';
import { StatusesRepository } from './statuses.repository.js';
import { StatusesService } from './statuses.service.js';

@Module({
  controllers: [StatusesController],
  providers: [StatusesRepository, StatusesService],
  exports: [StatusesRepository],
})
export class StatusesModule {}
