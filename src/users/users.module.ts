import { Module } from '@nestjs/common';
import { PasswordHasher } from './password-hasher.js';
import { UsersBootstrapService } from './users-bootstrap.service.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  controllers: [UsersController],
  providers: [UsersService, UsersRepository, PasswordHasher, UsersBootstrapService],
  exports: [UsersService],
})
export class UsersModule {}
